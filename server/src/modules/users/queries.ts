import type { UsersTable } from '@tracetrack/db';
import type { Role } from '@tracetrack/shared';
import { sql, type Updateable } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';
import type { Actor } from '../actor';

/** What the API may see of a user; never the password hash or the failure counter. */
const userColumns = ['id', 'username', 'email', 'role', 'area', 'is_locked', 'locked_until', 'created_at'] as const;
export type UserRecord = Awaited<ReturnType<typeof findUserById>> & {};

export async function findActorById(db: Executor, id: number): Promise<Actor | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'area', 'is_locked'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || row.is_locked) return null;
  return { id: row.id, username: row.username, role: row.role, area: row.area };
}

export async function findUserById(db: Executor, id: number) {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export async function lockUserById(tx: Tx, id: number) {
  return tx.selectFrom('users').select(userColumns).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Locks every active admin (in id order, so two checks never deadlock) for the last-admin rule. */
export async function lockActiveAdminIds(tx: Tx): Promise<number[]> {
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('is_locked', '=', false)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

/** Serialises the first-start bootstrap across server processes starting at once (until the transaction ends). */
export async function lockFirstAdminBootstrap(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('tracetrack:first-admin'))`.execute(tx);
}

export async function hasAnyAdmin(db: Executor): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst()) !== undefined;
}

/** Serialises dispatcher changes per area, so the per-area cap holds under concurrency. */
export async function lockArea(tx: Tx, code: string) {
  const row = await sql<{ code: string }>`select code from dispatch_areas where code = ${code} for update`.execute(tx);
  return row.rows[0] ?? null;
}

export async function countDispatchersInArea(tx: Tx, area: string, excludingUserId: number | null): Promise<number> {
  let query = tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'dispatcher')
    .where('area', '=', area);
  if (excludingUserId !== null) query = query.where('id', '<>', excludingUserId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  tx: Tx,
  values: { username: string; email: string; passwordHash: string; role: Role; area: string | null },
) {
  return tx
    .insertInto('users')
    .values({ username: values.username, email: values.email, password_hash: values.passwordHash, role: values.role, area: values.area })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}

export async function updateUser(tx: Tx, id: number, patch: Updateable<UsersTable>) {
  return tx.updateTable('users').set(patch).where('id', '=', id).returning(userColumns).executeTakeFirstOrThrow();
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface UserFilters {
  role?: Role | undefined;
  area?: string | undefined;
  search?: string | undefined;
}

/** The users narrowed by a filter: the one WHERE behind the list, its count and its export. */
function filteredUsers(db: Executor, filter: UserFilters) {
  let query = db.selectFrom('users').select(userColumns);
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.area) query = query.where('area', '=', filter.area);
  if (filter.search) query = query.where(sql<string>`lower(username)`, 'like', `${escapeLike(filter.search.toLowerCase())}%`);
  return query;
}

/** Keyset page in id order; fetches one extra row to know whether another page follows. */
export async function listUsers(db: Executor, filter: UserFilters & { afterId: number | null; limit: number }) {
  let query = filteredUsers(db, filter).orderBy('id').limit(filter.limit + 1);
  if (filter.afterId !== null) query = query.where('id', '>', filter.afterId);
  return query.execute();
}

/** How many users match, counting at most `cap + 1`. */
export async function countUsers(db: Executor, filter: UserFilters, cap: number): Promise<number> {
  const matching = filteredUsers(db, filter).clearSelect().select('id').limit(cap + 1);
  const row = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
