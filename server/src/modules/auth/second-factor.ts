import type { Deps } from '../../deps';
import type { Tx } from '../../infra/transaction';
import { useRecoveryCode, useTotpStep } from './queries';
import { hashRecoveryCode, openSecret, totpStepOf } from './two-factor';

/**
 * Checks a second-factor code for a user with two-factor sign-in on, and uses it up: a TOTP code's
 * time step (accepted once), or a recovery code (once). Inside the caller's transaction, which
 * holds the user's row lock. Null: wrong, replayed or already used.
 */
export async function useSecondFactor(
  tx: Tx,
  deps: Pick<Deps, 'config' | 'logger'>,
  user: { id: number; username: string; two_factor_secret: string | null },
  code: string,
  now: Date,
): Promise<'totp' | 'recovery' | null> {
  if (/^[0-9]{6}$/.test(code)) {
    const secret = user.two_factor_secret === null ? null : openSecret(user.two_factor_secret, deps.config.twoFactorKey);
    if (secret === null) {
      if (user.two_factor_secret !== null) deps.logger.error('two-factor secret cannot be opened (TWO_FACTOR_KEY changed or unset?)', { userId: user.id });
      return null;
    }
    const step = totpStepOf(secret, user.username, code, now);
    return step !== null && (await useTotpStep(tx, user.id, step)) ? 'totp' : null;
  }
  return (await useRecoveryCode(tx, user.id, hashRecoveryCode(code), now)) ? 'recovery' : null;
}
