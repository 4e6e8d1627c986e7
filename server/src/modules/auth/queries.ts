import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';

/** Case-insensitive, through the users_username_ci index on lower(username). */
export async function findUserForLogin(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'email', 'role', 'area', 'password_hash'])
    .where(sql<string>`lower(username)`, '=', sql<string>`lower(${username})`)
    .executeTakeFirst();
}

/** Row-locks the login state so concurrent attempts count every failure exactly once. */
export async function lockLoginState(tx: Tx, userId: number) {
  return tx
    .selectFrom('users')
    .select(['id', 'is_locked', 'failed_logins', 'locked_until'])
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveLoginState(tx: Tx, userId: number, state: { failures: number; lockedUntil: Date | null }) {
  await tx
    .updateTable('users')
    .set({ failed_logins: state.failures, locked_until: state.lockedUntil })
    .where('id', '=', userId)
    .execute();
}
