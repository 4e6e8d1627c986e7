import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';

/** Case-insensitive, through the users_username_ci index on lower(username). */
export async function findUserForLogin(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'password_hash'])
    .where(sql<string>`lower(username)`, '=', sql<string>`lower(${username})`)
    .executeTakeFirst();
}

/** What signing in decides on, row-locked so a code or an admin's change cannot race it. */
const signInColumns = [
  'id', 'username', 'email', 'role', 'area', 'is_locked', 'deactivated_at', 'must_change_password', 'session_epoch',
  'two_factor_secret', 'two_factor_enabled_at', 'two_factor_last_step', 'password_hash',
] as const;

export async function lockUserForSignIn(tx: Tx, id: number) {
  return tx.selectFrom('users').select(signInColumns).where('id', '=', id).forUpdate().executeTakeFirst();
}
export type SignInRecord = Awaited<ReturnType<typeof lockUserForSignIn>> & {};

export async function markSignedIn(tx: Tx, id: number, now: Date): Promise<void> {
  await tx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', id).execute();
}

/** Accepts a TOTP time step once: only a step later than the last accepted one. */
export async function useTotpStep(tx: Tx, id: number, step: number): Promise<boolean> {
  const res = await tx
    .updateTable('users')
    .set({ two_factor_last_step: step })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('two_factor_last_step', 'is', null), eb('two_factor_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Uses a recovery code once: the update only matches an unused one. */
export async function useRecoveryCode(tx: Tx, userId: number, codeHash: string, now: Date): Promise<boolean> {
  const res = await tx
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function countRecoveryCodesLeft(db: Executor, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function replaceRecoveryCodes(tx: Tx, userId: number, codeHashes: string[]): Promise<void> {
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (codeHashes.length) await tx.insertInto('recovery_codes').values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute();
}

/** A username, or an email (anything with an @): who a reset request is for. */
export async function findUserByLogin(db: Executor, login: string) {
  const query = db.selectFrom('users').select(['id', 'username', 'email', 'deactivated_at']);
  return (login.includes('@')
    ? query.where('email', '=', login.toLowerCase())
    : query.where(sql<string>`lower(username)`, '=', sql<string>`lower(${login})`)
  ).executeTakeFirst();
}

/** A new reset token replaces the user's unused ones: only the latest link works. */
export async function insertPasswordReset(
  tx: Tx,
  values: { tokenHash: string; userId: number; now: Date; expiresAt: Date; issuedBy: number | null },
): Promise<void> {
  await tx.updateTable('password_resets').set({ used_at: values.now }).where('user_id', '=', values.userId).where('used_at', 'is', null).execute();
  await tx
    .insertInto('password_resets')
    .values({ token_hash: values.tokenHash, user_id: values.userId, created_at: values.now, expires_at: values.expiresAt, issued_by: values.issuedBy })
    .execute();
}

export async function findPasswordReset(db: Executor, tokenHash: string) {
  return db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['password_resets.user_id', 'password_resets.expires_at', 'password_resets.used_at', 'users.username', 'users.deactivated_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Uses a token once, while it is live: the update matches only an unused, unexpired one. */
export async function consumePasswordReset(tx: Tx, tokenHash: string, now: Date): Promise<number | null> {
  const row = await tx
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id ?? null;
}

export async function setPassword(tx: Tx, userId: number, values: { passwordHash: string; mustChange: boolean; now: Date }) {
  return tx
    .updateTable('users')
    .set((eb) => ({
      password_hash: values.passwordHash,
      must_change_password: values.mustChange,
      session_epoch: eb('session_epoch', '+', 1),
      updated_at: values.now,
    }))
    .where('id', '=', userId)
    .returning(['id', 'username', 'session_epoch'])
    .executeTakeFirstOrThrow();
}
