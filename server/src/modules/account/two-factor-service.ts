import { AppError, type Me, type TwoFactorEnrolment } from '@tracetrack/shared';
import { RATE_LIMITS } from '../../infra/rate-limit';
import { inTransaction } from '../../infra/transaction';
import { insertAudit } from '../audit/queries';
import { replaceRecoveryCodes } from '../auth/queries';
import { useSecondFactor } from '../auth/second-factor';
import { meOf } from '../auth/service';
import { enrolmentOf, hashRecoveryCode, newRecoveryCodes, newTotpSecret, openSecret, sealSecret, totpStepOf } from '../auth/two-factor';
import { findUserById } from '../users/queries';
import { type AccountRequest, checkOwnPassword } from './service';
import { disableTwoFactor, enableTwoFactor, lockTwoFactorState, setPendingSecret } from './queries';

const alreadyOn = () => new AppError('TWO_FACTOR_ALREADY_ENABLED', 'Two-factor sign-in is already on for your account.');

/** 5 code checks a minute per user (RULES.md, Rate limits). */
const hitCodeLimit = (ctx: AccountRequest) => ctx.deps.rateLimiter.hit(RATE_LIMITS.twoFactor, ctx.actor.username.toLowerCase());

/** Starts enrolment: a new secret for the app, kept aside until a code from it confirms it. */
export async function beginTwoFactor(ctx: AccountRequest): Promise<TwoFactorEnrolment> {
  const { deps, actor } = ctx;
  const user = await findUserById(deps.db, actor.id);
  if (user?.two_factor_enabled_at) throw alreadyOn();
  const secret = newTotpSecret();
  await setPendingSecret(deps.db, actor.id, sealSecret(secret, deps.config.twoFactorKey));
  return enrolmentOf(secret, actor.username);
}

/** A code from the app proves it holds the secret: two-factor sign-in is on; 10 recovery codes, shown once. */
export async function confirmTwoFactor(ctx: AccountRequest, code: string): Promise<{ recoveryCodes: string[] }> {
  const { deps, actor, meta } = ctx;
  await hitCodeLimit(ctx);
  const recoveryCodes = newRecoveryCodes();
  const now = deps.clock();
  await inTransaction(deps.db, async (tx) => {
    const user = await lockTwoFactorState(tx, actor.id);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    if (user.two_factor_enabled_at) throw alreadyOn();
    const secret = user.two_factor_pending_secret === null ? null : openSecret(user.two_factor_pending_secret, deps.config.twoFactorKey);
    if (secret === null) throw new AppError('TWO_FACTOR_NOT_STARTED', 'Start setting up two-factor sign-in again: scan the new code with your app.');
    const step = totpStepOf(secret, user.username, code, now);
    if (step === null) {
      throw new AppError('TWO_FACTOR_INVALID', 'That code does not match. Check that the time on your phone is right and enter the newest code.', { field: 'code' });
    }
    await enableTwoFactor(tx, actor.id, { sealed: sealSecret(secret, deps.config.twoFactorKey), step, now });
    await replaceRecoveryCodes(tx, actor.id, recoveryCodes.map(hashRecoveryCode));
    await insertAudit(tx, { actor, meta }, { action: 'account.two_factor_enabled', entityType: 'user', entityId: actor.id });
  });
  return { recoveryCodes };
}

/** Turns two-factor sign-in off: needs the password and a code (app or recovery). */
export async function disableOwnTwoFactor(ctx: AccountRequest, input: { password: string; code: string }): Promise<Me> {
  const { deps, actor, meta } = ctx;
  await hitCodeLimit(ctx);
  if (actor.role === 'admin' && deps.config.adminTwoFactor === 'required') {
    throw new AppError('FORBIDDEN', 'Admins must keep two-factor sign-in on. To move it to a new phone, ask another admin to reset it.');
  }
  await checkOwnPassword(ctx, input.password, 'password');
  await inTransaction(deps.db, async (tx) => {
    const user = await lockTwoFactorState(tx, actor.id);
    if (!user?.two_factor_enabled_at) throw new AppError('TWO_FACTOR_NOT_ENABLED', 'Two-factor sign-in is already off for your account.');
    if (!(await useSecondFactor(tx, deps, user, input.code, deps.clock()))) {
      throw new AppError('TWO_FACTOR_INVALID', 'That code is wrong or was already used.', { field: 'code' });
    }
    await disableTwoFactor(tx, actor.id);
    await insertAudit(tx, { actor, meta }, { action: 'account.two_factor_disabled', entityType: 'user', entityId: actor.id });
  });
  const me = await meOf(deps, actor.id);
  if (!me) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return me;
}
