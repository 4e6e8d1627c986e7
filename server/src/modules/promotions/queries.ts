import type { PromotionStatus, Role } from '@tracetrack/shared';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';

/** A request with its requester's current role and area, and who decided it. */
function selectPromotions(db: Executor) {
  return db
    .selectFrom('promotion_requests as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('users as d', 'd.id', 'p.decided_by')
    .select([
      'p.id', 'p.user_id', 'u.username', 'u.role as current_role', 'u.area as current_area', 'p.role', 'p.area', 'p.reason',
      'p.status', 'p.created_at', 'p.decided_at', 'd.username as decided_by_username',
    ]);
}
export type PromotionRecord = NonNullable<Awaited<ReturnType<typeof findPromotionById>>>;

export async function findPromotionById(db: Executor, id: number) {
  return selectPromotions(db).where('p.id', '=', id).executeTakeFirst();
}

export async function findPendingPromotionOf(db: Executor, userId: number) {
  return db.selectFrom('promotion_requests').select(['id', 'role']).where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirst();
}

/** The user's latest request, whatever its state. */
export async function findLatestPromotionOf(db: Executor, userId: number) {
  return selectPromotions(db).where('p.user_id', '=', userId).orderBy('p.id', 'desc').limit(1).executeTakeFirst();
}

export async function insertPromotion(tx: Tx, values: { userId: number; role: Role; area: string | null; reason: string; at: Date }) {
  return tx
    .insertInto('promotion_requests')
    .values({ user_id: values.userId, role: values.role, area: values.area, reason: values.reason, created_at: values.at })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Locks the request while it is decided, so two admins cannot both decide it. */
export async function lockPromotion(tx: Tx, id: number) {
  return tx.selectFrom('promotion_requests').select(['id', 'user_id', 'role', 'area', 'reason', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function decidePromotion(tx: Tx, id: number, status: Exclude<PromotionStatus, 'pending'>, by: number, at: Date) {
  await tx.updateTable('promotion_requests').set({ status, decided_by: by, decided_at: at }).where('id', '=', id).execute();
}

/** The keyset of the admins' queue: decided requests after pending ones, each newest first. */
export interface PromotionCursor {
  isDecided: boolean;
  id: number;
}

export async function listPromotions(
  db: Executor,
  filter: { status?: PromotionStatus | undefined; after: PromotionCursor | null; limit: number },
) {
  const isDecided = sql<boolean>`(p.status <> 'pending')`;
  let query = selectPromotions(db).orderBy(isDecided).orderBy('p.id', 'desc').limit(filter.limit + 1);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  if (filter.after) {
    const { isDecided: afterDecided, id } = filter.after;
    query = query.where(sql<boolean>`(${isDecided} > ${afterDecided} or (${isDecided} = ${afterDecided} and p.id < ${id}))`);
  }
  return query.execute();
}
