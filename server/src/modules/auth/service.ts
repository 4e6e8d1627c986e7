import { dummyPasswordHash, verifyPassword } from '@tracetrack/db';
import { AppError, isAppError, type LoginInput, type Me } from '@tracetrack/shared';
import { RATE_LIMITS } from '../../infra/rate-limit';
import { inTransaction, type Tx } from '../../infra/transaction';
import type { Deps } from '../../deps';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { toMe } from '../users/mappers';
import { findUserById } from '../users/queries';
import { accountLockedOut, clientLockedOut, deactivatedAccount, isLockedAt, lockedByAdmin, triesLeftRefusal } from './lockout';
import {
  clientKeyOf, forgetClientRun, type FailureRuns, lockSubject, newClientId, readRuns, recordFailure, subjectOfUnknownName, subjectOfUser,
} from './login-failures';
import { countRecoveryCodesLeft, findUserForLogin, lockUserForSignIn, markSignedIn, type SignInRecord } from './queries';
import { useSecondFactor } from './second-factor';

/** What signing in and out needs of a request: the session cookie is set (token) or cleared (null). */
interface SessionRequest {
  deps: Deps;
  meta: RequestMeta;
  actor: Actor | null;
  sessionToken: string | null;
  setSessionCookie: (token: string | null) => void;
  setClientCookie: (clientId: string) => void;
}
type LoginContext = Pick<SessionRequest, 'deps' | 'meta' | 'setSessionCookie' | 'setClientCookie'>;

async function hitLimit(ctx: LoginContext, what: string, hit: () => Promise<void>) {
  try {
    await hit();
  } catch (e) {
    // Logged, not audited: a flood of refused attempts must not flood the audit log too.
    if (isAppError(e) && e.code === 'RATE_LIMITED') ctx.deps.logger.warn(`${what} rate limited`, { requestId: ctx.meta.requestId, ip: ctx.meta.ip });
    // Sign-in fails closed without its limits: TRANSIENT (503), retryable, never a 429 or a 500.
    else ctx.deps.logger.warn(`${what} rate limit unavailable`, { requestId: ctx.meta.requestId, error: String(e instanceof Error ? (e.cause ?? e) : e) });
    throw e;
  }
}

async function hitLoginLimits(ctx: LoginContext, input: LoginInput) {
  const { rateLimiter } = ctx.deps;
  await hitLimit(ctx, 'login', async () => {
    await rateLimiter.hit(RATE_LIMITS.loginByIp, ctx.meta.remoteIp ?? 'unknown');
    await rateLimiter.hit(RATE_LIMITS.loginByUser, input.username.toLowerCase());
  });
  if (input.code !== undefined) await hitLimit(ctx, 'two-factor', () => rateLimiter.hit(RATE_LIMITS.twoFactor, input.username.toLowerCase()));
}

/** The browser gets its sign-in client cookie on its first visit to auth.me or auth.login. */
function ensureClientCookie(ctx: Pick<LoginContext, 'meta' | 'setClientCookie'>) {
  if (ctx.meta.clientId === null) ctx.setClientCookie(newClientId());
}

type Attempt = { subject: string; clientKey: string; userId: number | null; username: string; now: Date };

/** Refuses while the account or this client is locked out; null when the attempt may be judged. */
async function refuseWhileLocked(tx: Tx, ctx: LoginContext, attempt: Attempt, runs: FailureRuns): Promise<AppError | null> {
  const { deps, meta } = ctx;
  const lock = isLockedAt(runs.account, attempt.now)
    ? { reason: 'account_locked', error: accountLockedOut(runs.account.lockedUntil, attempt.now, deps.config.timeZone) }
    : isLockedAt(runs.client, attempt.now)
      ? { reason: 'client_locked', error: clientLockedOut(runs.client.lockedUntil, attempt.now, deps.config.timeZone, false) }
      : null;
  if (!lock) return null;
  await insertAudit(tx, { actor: null, meta }, {
    action: 'auth.login_failed', entityType: 'user', entityId: attempt.userId, after: { reason: lock.reason, ...(attempt.userId ? {} : { username: attempt.username }) },
  });
  return lock.error;
}

/** Counts a failure for this client and the account, audits it (and a lockout), and says what the caller may try next. */
async function failAttempt(tx: Tx, ctx: LoginContext, attempt: Attempt, runs: FailureRuns, reason: string, wrong: 'password' | 'code'): Promise<AppError> {
  const { deps, meta } = ctx;
  const source = { actor: null, meta };
  const named = attempt.userId ? {} : { username: attempt.username };
  const { client, account } = await recordFailure(tx, attempt.subject, attempt.clientKey, runs, attempt.now);
  await insertAudit(tx, source, {
    action: 'auth.login_failed', entityType: 'user', entityId: attempt.userId, after: { reason, ...named, clientFailures: client.failures, accountFailures: account.failures },
  });
  const lock = account.lockedUntil ? { scope: 'account', until: account.lockedUntil } : client.lockedUntil ? { scope: 'client', until: client.lockedUntil } : null;
  if (!lock) return triesLeftRefusal(client, account, wrong);
  await insertAudit(tx, source, { action: 'auth.lockout', entityType: 'user', entityId: attempt.userId, after: { scope: lock.scope, lockedUntil: lock.until, ...named } });
  return lock.scope === 'account'
    ? accountLockedOut(lock.until, attempt.now, deps.config.timeZone)
    : clientLockedOut(lock.until, attempt.now, deps.config.timeZone, true);
}

/** The right password: what may still stop the sign-in, in the order a holder of the password may learn it. */
async function judgeRightPassword(
  tx: Tx, ctx: LoginContext, attempt: Attempt, runs: FailureRuns, user: SignInRecord, code: string | undefined,
): Promise<AppError | { method: 'password' | 'totp' | 'recovery' }> {
  const failed = { actor: null, meta: ctx.meta };
  if (user.deactivated_at !== null) {
    await insertAudit(tx, failed, { action: 'auth.login_failed', entityType: 'user', entityId: user.id, after: { reason: 'deactivated' } });
    return deactivatedAccount();
  }
  if (user.is_locked) {
    await insertAudit(tx, failed, { action: 'auth.login_failed', entityType: 'user', entityId: user.id, after: { reason: 'admin_locked' } });
    return lockedByAdmin();
  }
  if (user.two_factor_enabled_at === null) return { method: 'password' };
  if (code === undefined) {
    return new AppError('TWO_FACTOR_REQUIRED', 'Enter the 6-digit code from your authenticator app, or a recovery code.');
  }
  const method = await useSecondFactor(tx, ctx.deps, user, code, attempt.now);
  return method ? { method } : failAttempt(tx, ctx, attempt, runs, 'wrong_code', 'code');
}

/**
 * Signs in. Unknown user and wrong password give the same answers and cost one scrypt each: both
 * walk the same failure rows (login-failures.ts). A refusal is decided inside the transaction but
 * thrown after it commits, so the counts and the audit rows are kept.
 */
export async function login(ctx: LoginContext, input: LoginInput): Promise<{ user: Me }> {
  await hitLoginLimits(ctx, input);
  try {
    return await judgeLogin(ctx, input);
  } finally {
    // After the session cookie: a client reading only the first Set-Cookie gets the session.
    ensureClientCookie(ctx);
  }
}

async function judgeLogin(ctx: LoginContext, input: LoginInput): Promise<{ user: Me }> {
  const { deps, meta } = ctx;
  const dummyHash = await dummyPasswordHash();
  const found = await findUserForLogin(deps.db, input.username);
  const isPasswordRight = await verifyPassword(input.password, found?.password_hash ?? dummyHash);
  const attempt: Attempt = {
    subject: found ? subjectOfUser(found.id) : subjectOfUnknownName(input.username),
    clientKey: clientKeyOf(meta),
    userId: found?.id ?? null,
    username: input.username,
    now: deps.clock(),
  };

  const outcome = await inTransaction(deps.db, async (tx) => {
    await lockSubject(tx, attempt.subject);
    const user = found ? await lockUserForSignIn(tx, found.id) : undefined;
    // A password changed since it was verified above counts as wrong: the row is what holds.
    const isRight = isPasswordRight && user !== undefined && user.password_hash === found?.password_hash;
    const runs = await readRuns(tx, attempt.subject, attempt.clientKey);
    const locked = await refuseWhileLocked(tx, ctx, attempt, runs);
    if (locked) return locked;
    if (!isRight || !user) return failAttempt(tx, ctx, attempt, runs, found ? 'wrong_password' : 'unknown_user', 'password');
    const judged = await judgeRightPassword(tx, ctx, attempt, runs, user, input.code);
    if (judged instanceof AppError) return judged;
    await forgetClientRun(tx, attempt.subject, attempt.clientKey);
    await markSignedIn(tx, user.id, attempt.now);
    await insertAudit(tx, { actor: { id: user.id, username: user.username }, meta }, {
      action: 'auth.login', entityType: 'user', entityId: user.id, after: { method: judged.method },
    });
    return { user, recoveryCodesLeft: await countRecoveryCodesLeft(tx, user.id) };
  });
  if (outcome instanceof AppError) throw outcome;

  // The session carries the epoch read under the row lock: if the user's sessions are ended
  // between that read and this write, this one is born ended too.
  const token = await deps.sessions.create(outcome.user.id, { epoch: outcome.user.session_epoch, userAgent: meta.userAgent, ip: meta.ip });
  ctx.setSessionCookie(token);
  return { user: toMe(outcome.user, { adminTwoFactor: deps.config.adminTwoFactor, recoveryCodesLeft: outcome.recoveryCodesLeft }) };
}

export async function logout(ctx: SessionRequest): Promise<{ ok: true }> {
  if (ctx.sessionToken) await ctx.deps.sessions.destroy(ctx.sessionToken);
  ctx.setSessionCookie(null);
  if (ctx.actor) {
    await insertAudit(ctx.deps.db, { actor: ctx.actor, meta: ctx.meta }, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.id });
  }
  return { ok: true };
}

/** The signed-in user with what their screens need (setup pending, recovery codes left); null when signed out. */
export async function me(ctx: Pick<SessionRequest, 'deps' | 'actor' | 'meta' | 'setClientCookie'>): Promise<Me | null> {
  ensureClientCookie(ctx);
  if (!ctx.actor) return null;
  const { actor } = ctx;
  // The request's user read already has the row (one statement instead of two).
  if (actor.profile) {
    const row = { ...actor, email: actor.profile.email, must_change_password: actor.profile.mustChangePassword, two_factor_enabled_at: actor.profile.twoFactorEnabledAt };
    const recoveryCodesLeft = row.two_factor_enabled_at === null ? 0 : await countRecoveryCodesLeft(ctx.deps.db, actor.id);
    return toMe(row, { adminTwoFactor: ctx.deps.config.adminTwoFactor, recoveryCodesLeft });
  }
  return meOf(ctx.deps, actor.id);
}

export async function meOf(deps: Deps, userId: number): Promise<Me | null> {
  const row = await findUserById(deps.db, userId);
  if (!row || row.is_locked || row.deactivated_at !== null) return null;
  const recoveryCodesLeft = row.two_factor_enabled_at === null ? 0 : await countRecoveryCodesLeft(deps.db, userId);
  return toMe(row, { adminTwoFactor: deps.config.adminTwoFactor, recoveryCodesLeft });
}
