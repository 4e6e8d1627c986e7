import type { Executor, Tx } from '../../infra/transaction';

export async function findPasswordHash(db: Executor, userId: number): Promise<string | null> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash ?? null;
}

/** The two-factor state of a user, row-locked: enrolment and its codes change under this lock. */
export async function lockTwoFactorState(tx: Tx, userId: number) {
  return tx
    .selectFrom('users')
    .select(['id', 'username', 'role', 'password_hash', 'two_factor_secret', 'two_factor_enabled_at', 'two_factor_pending_secret'])
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setPendingSecret(db: Executor, userId: number, sealed: string): Promise<void> {
  await db.updateTable('users').set({ two_factor_pending_secret: sealed }).where('id', '=', userId).execute();
}

export async function enableTwoFactor(tx: Tx, userId: number, values: { sealed: string; step: number; now: Date }): Promise<void> {
  await tx
    .updateTable('users')
    .set({ two_factor_secret: values.sealed, two_factor_enabled_at: values.now, two_factor_pending_secret: null, two_factor_last_step: values.step })
    .where('id', '=', userId)
    .execute();
}

/** Turns two-factor sign-in off and drops its recovery codes. */
export async function disableTwoFactor(tx: Tx, userId: number): Promise<void> {
  await tx
    .updateTable('users')
    .set({ two_factor_secret: null, two_factor_enabled_at: null, two_factor_pending_secret: null, two_factor_last_step: null })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}
