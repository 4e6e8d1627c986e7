import { dummyPasswordHash, verifyPassword } from '@tracetrack/db';
import { type AppError, isAppError, type LoginInput, type Me } from '@tracetrack/shared';
import { RATE_LIMITS } from '../../infra/rate-limit';
import { inTransaction } from '../../infra/transaction';
import type { Deps } from '../../deps';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { toMe } from '../users/mappers';
import { findUserById } from '../users/queries';
import { afterFailure, invalidCredentials, isLockedAt, lockedByAdmin, lockedOut } from './lockout';
import { findUserForLogin, lockLoginState, saveLoginState } from './queries';
import { recordUnknownUserFailure, unknownUserFailures } from './unknown-user-failures';

/** What signing in and out needs of a request: the session cookie is set (token) or cleared (null). */
interface SessionRequest {
  deps: Deps;
  meta: RequestMeta;
  actor: Actor | null;
  sessionToken: string | null;
  setSessionCookie: (token: string | null) => void;
}
type LoginContext = Pick<SessionRequest, 'deps' | 'meta' | 'setSessionCookie'>;

async function hitLoginLimits(ctx: LoginContext, username: string) {
  try {
    await ctx.deps.rateLimiter.hit(RATE_LIMITS.loginByIp, ctx.meta.remoteIp ?? 'unknown');
    await ctx.deps.rateLimiter.hit(RATE_LIMITS.loginByUser, username.toLowerCase());
  } catch (e) {
    // Logged, not audited: a flood of refused attempts must not flood the audit log too.
    if (isAppError(e) && e.code === 'RATE_LIMITED') ctx.deps.logger.warn('login rate limited', { requestId: ctx.meta.requestId, ip: ctx.meta.ip });
    // Sign-in fails closed without its limits: TRANSIENT (503), retryable, never a 429 or a 500.
    else ctx.deps.logger.warn('login rate limit unavailable', { requestId: ctx.meta.requestId, error: String(e instanceof Error ? (e.cause ?? e) : e) });
    throw e;
  }
}

/** Unknown names walk the same tries-left → lock sequence as real accounts (see unknown-user-failures.ts). */
async function refuseUnknownUser(ctx: LoginContext, username: string, now: Date): Promise<AppError> {
  const { deps, meta } = ctx;
  const source = { actor: null, meta };
  const state = await unknownUserFailures(deps, username);
  if (isLockedAt(state, now)) {
    await insertAudit(deps.db, source, { action: 'auth.login_failed', entityType: 'user', entityId: null, after: { reason: 'locked', username } });
    return lockedOut(state.lockedUntil, now, deps.config.timeZone, false);
  }
  const next = await recordUnknownUserFailure(deps, username, state, now);
  await insertAudit(deps.db, source, {
    action: 'auth.login_failed', entityType: 'user', entityId: null, after: { reason: 'unknown_user', username, failures: next.failures },
  });
  if (next.lockedUntil) {
    await insertAudit(deps.db, source, { action: 'auth.lockout', entityType: 'user', entityId: null, after: { username, lockedUntil: next.lockedUntil } });
    return lockedOut(next.lockedUntil, now, deps.config.timeZone, true);
  }
  return invalidCredentials(next.failures);
}

/**
 * Signs in. Unknown user and wrong password give the same answers and cost one scrypt each. A
 * refusal is decided inside the transaction but thrown after it commits, so the failure count
 * and the audit rows are kept.
 */
export async function login(ctx: LoginContext, input: LoginInput): Promise<{ user: Me }> {
  const { deps, meta } = ctx;
  await hitLoginLimits(ctx, input.username);
  const dummyHash = await dummyPasswordHash();
  const found = await findUserForLogin(deps.db, input.username);
  const isPasswordRight = await verifyPassword(input.password, found?.password_hash ?? dummyHash);
  const now = deps.clock();
  if (!found) throw await refuseUnknownUser(ctx, input.username, now);

  const refusal = await inTransaction(deps.db, async (tx): Promise<AppError | 'gone' | null> => {
    const state = await lockLoginState(tx, found.id);
    if (!state) return 'gone';
    const current = { failures: state.failed_logins, lockedUntil: state.locked_until };
    const failed = { actor: null, meta };
    if (isLockedAt(current, now)) {
      await insertAudit(tx, failed, { action: 'auth.login_failed', entityType: 'user', entityId: found.id, after: { reason: 'locked' } });
      return lockedOut(current.lockedUntil, now, deps.config.timeZone, false);
    }
    if (!isPasswordRight) {
      const next = afterFailure(current, now);
      await saveLoginState(tx, found.id, next);
      await insertAudit(tx, failed, {
        action: 'auth.login_failed', entityType: 'user', entityId: found.id, after: { reason: 'wrong_password', failures: next.failures },
      });
      if (!next.lockedUntil) return invalidCredentials(next.failures);
      await insertAudit(tx, failed, { action: 'auth.lockout', entityType: 'user', entityId: found.id, after: { lockedUntil: next.lockedUntil } });
      return lockedOut(next.lockedUntil, now, deps.config.timeZone, true);
    }
    // Only a caller who knows the password learns that an administrator locked the account.
    if (state.is_locked) {
      await insertAudit(tx, failed, { action: 'auth.login_failed', entityType: 'user', entityId: found.id, after: { reason: 'admin_locked' } });
      return lockedByAdmin();
    }
    await saveLoginState(tx, found.id, { failures: 0, lockedUntil: null });
    await insertAudit(tx, { actor: { id: found.id, username: found.username }, meta }, { action: 'auth.login', entityType: 'user', entityId: found.id });
    return null;
  });
  if (refusal === 'gone') throw await refuseUnknownUser(ctx, input.username, now);
  if (refusal) throw refusal;

  const token = await deps.sessions.create(found.id);
  ctx.setSessionCookie(token);
  return { user: toMe(found) };
}

export async function logout(ctx: SessionRequest): Promise<{ ok: true }> {
  if (ctx.sessionToken) await ctx.deps.sessions.destroy(ctx.sessionToken);
  ctx.setSessionCookie(null);
  if (ctx.actor) {
    await insertAudit(ctx.deps.db, { actor: ctx.actor, meta: ctx.meta }, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.id });
  }
  return { ok: true };
}

export async function me(ctx: Pick<SessionRequest, 'deps' | 'actor'>): Promise<Me | null> {
  if (!ctx.actor) return null;
  const row = await findUserById(ctx.deps.db, ctx.actor.id);
  return row && !row.is_locked ? toMe(row) : null;
}
