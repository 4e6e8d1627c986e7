import type { UsersTable } from '@tracetrack/db';
import type { Role } from '@tracetrack/shared';
import { type ExpressionBuilder, sql, type Updateable } from 'kysely';
import type { Database } from '@tracetrack/db';
import type { AppConfig } from '../../deps';
import type { Executor, Tx } from '../../infra/transaction';
import type { Actor } from '../actor';
import { anyOf } from '../../infra/any-of';
import { batchPerTurn } from '../../infra/per-turn';
import { precompiled } from '../../infra/precompiled';
import { pendingSetupOf } from './mappers';

/** What the API may see of a user; never the password hash or the two-factor secret. */
const userColumns = [
  'id', 'username', 'email', 'role', 'area', 'is_locked', 'created_at', 'must_change_password', 'last_sign_in_at',
  'deactivated_at', 'two_factor_enabled_at', 'session_epoch',
] as const;
export type UserRecord = Awaited<ReturnType<typeof findUserById>> & {};

const actorColumns = ['id', 'username', 'email', 'role', 'area', 'is_locked', 'deactivated_at', 'session_epoch', 'must_change_password', 'two_factor_enabled_at'] as const;

/**
 * The per-request read: one primary-key SELECT. Null (anonymous) for a locked, deactivated or
 * missing user, or a session from before the user's sessions were last ended (an older epoch).
 */
const actorRowById = precompiled(1, (db, id: number) => db.selectFrom('users').select(actorColumns).where('id', '=', id));
/** The same read for the requests of one turn together (see readSessionActor). */
const actorRowsByIds = precompiled(1, (db, ids: readonly number[]) => db.selectFrom('users').select(actorColumns).where(anyOf('id', ids, 'bigint')));
type ActorRow = Awaited<ReturnType<typeof actorRowById>>[number];

function actorOf(row: ActorRow | undefined, opts: { epoch?: number; adminTwoFactor: AppConfig['adminTwoFactor'] }): Actor | null {
  if (!row || row.is_locked || row.deactivated_at !== null) return null;
  if (opts.epoch !== undefined && opts.epoch !== row.session_epoch) return null;
  return {
    id: row.id, username: row.username, role: row.role, area: row.area, pendingSetup: pendingSetupOf(row, opts.adminTwoFactor),
    profile: { email: row.email, mustChangePassword: row.must_change_password, twoFactorEnabledAt: row.two_factor_enabled_at },
  };
}

export async function findActorById(
  db: Executor,
  id: number,
  opts: { epoch?: number; adminTwoFactor: AppConfig['adminTwoFactor'] },
): Promise<Actor | null> {
  const [row] = await actorRowById(db, id);
  return actorOf(row, opts);
}

const actorReaders = new WeakMap<Executor, (id: number) => Promise<ActorRow | undefined>>();

/**
 * findActorById for the HTTP requests' session users: the reads of every request of one turn go
 * to Postgres as one statement (infra/per-turn.ts), each answered from the rows read for it then,
 * never from an earlier turn's.
 */
export function readSessionActor(db: Executor, id: number, opts: { epoch: number; adminTwoFactor: AppConfig['adminTwoFactor'] }): Promise<Actor | null> {
  let read = actorReaders.get(db);
  if (!read) {
    read = batchPerTurn<number, ActorRow | undefined>(async (ids) => {
      if (ids.length === 1) return actorRowById(db, ids[0]!);
      const rows = await actorRowsByIds(db, [...new Set(ids)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((i) => byId.get(i));
    });
    actorReaders.set(db, read);
  }
  return read(id).then((row) => actorOf(row, opts));
}

export async function findUserById(db: Executor, id: number) {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export async function lockUserById(tx: Tx, id: number) {
  return tx.selectFrom('users').select(userColumns).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Sign-in lockouts as admins see them: the account-wide lock and the clients locked out now. */
const lockColumns = (now: Date) => (eb: ExpressionBuilder<Database, 'users'>) => [
  eb
    .selectFrom('login_failures')
    .select('locked_until')
    .where('subject', '=', sql<string>`'u:' || users.id`)
    .where('client_key', '=', '')
    .where('locked_until', '>', now)
    .as('account_locked_until'),
  eb
    .selectFrom('login_failures')
    .select((f) => f.fn.countAll<number>().as('n'))
    .where('subject', '=', sql<string>`'u:' || users.id`)
    .where('client_key', '<>', '')
    .where('locked_until', '>', now)
    .as('locked_clients'),
];

/** A user as admins see them (user.list's row), with its lockouts as of `now`. */
export async function findUserViewById(db: Executor, id: number, now: Date) {
  return db.selectFrom('users').select(userColumns).select(lockColumns(now)).where('id', '=', id).executeTakeFirst();
}
export type UserViewRecord = Awaited<ReturnType<typeof findUserViewById>> & {};

/** Locks every active admin (in id order, so two checks never deadlock) for the last-admin rule. */
export async function lockActiveAdminIds(tx: Tx): Promise<number[]> {
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('is_locked', '=', false)
    .where('deactivated_at', 'is', null)
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

/** Deactivated dispatchers free their slot. */
export async function countDispatchersInArea(tx: Tx, area: string, excludingUserId: number | null): Promise<number> {
  let query = tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'dispatcher')
    .where('area', '=', area)
    .where('deactivated_at', 'is', null);
  if (excludingUserId !== null) query = query.where('id', '<>', excludingUserId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  tx: Tx,
  values: { username: string; email: string | null; passwordHash: string; role: Role; area: string | null; mustChangePassword: boolean },
) {
  return tx
    .insertInto('users')
    .values({
      username: values.username, email: values.email, password_hash: values.passwordHash, role: values.role, area: values.area,
      must_change_password: values.mustChangePassword,
    })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}

export async function updateUser(tx: Tx, id: number, patch: Updateable<UsersTable>) {
  return tx.updateTable('users').set(patch).where('id', '=', id).returning(userColumns).executeTakeFirstOrThrow();
}

/** Ends every session of the user at once: sessions carry the epoch they were created in. */
export async function bumpSessionEpoch(tx: Executor, id: number): Promise<number> {
  const row = await tx
    .updateTable('users')
    .set((eb) => ({ session_epoch: eb('session_epoch', '+', 1) }))
    .where('id', '=', id)
    .returning('session_epoch')
    .executeTakeFirstOrThrow();
  return row.session_epoch;
}

/** Clears every sign-in failure run of the user, locked or not: the account's and each client's. Returns how many. */
export async function clearLoginFailures(tx: Executor, id: number): Promise<number> {
  const res = await tx.deleteFrom('login_failures').where('subject', '=', `u:${id}`).executeTakeFirst();
  return Number(res.numDeletedRows);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface UserFilters {
  role?: Role | undefined;
  area?: string | undefined;
  search?: string | undefined;
  isLocked?: boolean | undefined;
  hasTwoFactor?: boolean | undefined;
  isDeactivated?: boolean | undefined;
  lastSignInFrom?: Date | undefined;
  lastSignInTo?: Date | undefined;
  hasSignedIn?: boolean | undefined;
}

/** The users narrowed by a filter, with their locks: the one WHERE behind the list, its count and its export. */
function filteredUsers(db: Executor, filter: UserFilters, now: Date) {
  let query = db.selectFrom('users').select(userColumns).select(lockColumns(now));
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.area) query = query.where('area', '=', filter.area);
  if (filter.search) query = query.where(sql<string>`lower(username)`, 'like', `${escapeLike(filter.search.toLowerCase())}%`);
  if (filter.isLocked !== undefined) {
    query = query.where((eb) => {
      const isLocked = eb.or([
        eb('is_locked', '=', true),
        eb.exists(eb.selectFrom('login_failures').select(sql`1`.as('one'))
          .where('subject', '=', sql<string>`'u:' || users.id`).where('locked_until', '>', now)),
      ]);
      return filter.isLocked ? isLocked : eb.not(isLocked);
    });
  }
  if (filter.hasTwoFactor !== undefined) query = query.where('two_factor_enabled_at', filter.hasTwoFactor ? 'is not' : 'is', null);
  if (filter.isDeactivated !== undefined) query = query.where('deactivated_at', filter.isDeactivated ? 'is not' : 'is', null);
  if (filter.hasSignedIn !== undefined) query = query.where('last_sign_in_at', filter.hasSignedIn ? 'is not' : 'is', null);
  if (filter.lastSignInFrom) query = query.where('last_sign_in_at', '>=', filter.lastSignInFrom);
  if (filter.lastSignInTo) query = query.where('last_sign_in_at', '<', filter.lastSignInTo);
  return query;
}

/** Keyset page in id order; fetches one extra row to know whether another page follows. */
export async function listUsers(db: Executor, filter: UserFilters & { afterId: number | null; limit: number }, now: Date) {
  let query = filteredUsers(db, filter, now).orderBy('id').limit(filter.limit + 1);
  if (filter.afterId !== null) query = query.where('id', '>', filter.afterId);
  return query.execute();
}

/** How many users match, counting at most `cap + 1`. */
export async function countUsers(db: Executor, filter: UserFilters, now: Date, cap: number): Promise<number> {
  const matching = filteredUsers(db, filter, now).clearSelect().select('id').limit(cap + 1);
  const row = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
