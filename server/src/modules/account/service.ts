import { AppError, type ChangePasswordInput, type Me, type SessionInfo } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { RATE_LIMITS } from '../../infra/rate-limit';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { hashPassword, refuseWeakPassword, verifyPassword } from '@tracetrack/db';
import { setPassword } from '../auth/queries';
import { meOf } from '../auth/service';
import { bumpSessionEpoch, findUserById } from '../users/queries';
import { findPasswordHash } from './queries';

/** What your own account's procedures need of a request. */
export interface AccountRequest {
  deps: Deps;
  actor: Actor;
  meta: RequestMeta;
  sessionToken: string | null;
  setSessionCookie: (token: string | null) => void;
}

const wrongPassword = (field: string) => new AppError('WRONG_PASSWORD', 'That is not your current password.', { field });

/**
 * Proves the caller knows their password: a stolen session alone cannot change it or turn off
 * two-factor sign-in. Counted against the per-user sign-in limit (10 a minute).
 */
export async function checkOwnPassword(ctx: AccountRequest, password: string, field: string): Promise<string> {
  await ctx.deps.rateLimiter.hit(RATE_LIMITS.loginByUser, ctx.actor.username.toLowerCase());
  const hash = await findPasswordHash(ctx.deps.db, ctx.actor.id);
  if (hash === null || !(await verifyPassword(password, hash))) {
    await insertAudit(ctx.deps.db, ctx, { action: 'account.password_check_failed', entityType: 'user', entityId: ctx.actor.id, after: { field } });
    throw wrongPassword(field);
  }
  return hash;
}

/**
 * This session goes on under a new token in the user's new session epoch (the bump ended every
 * other one); the old token stops working, so a copy of the old cookie is worth nothing.
 */
async function renewCurrentSession(ctx: AccountRequest, epoch: number): Promise<string | null> {
  const { deps } = ctx;
  if (!ctx.sessionToken) return null;
  await deps.sessions.destroy(ctx.sessionToken);
  const token = await deps.sessions.create(ctx.actor.id, { epoch, userAgent: ctx.meta.userAgent, ip: ctx.meta.ip });
  ctx.setSessionCookie(token);
  return deps.sessions.idOf(token);
}

async function endOthers(ctx: AccountRequest, epoch: number): Promise<void> {
  const keptId = await renewCurrentSession(ctx, epoch);
  await ctx.deps.sessions.destroyAllForUser(ctx.actor.id, keptId === null ? {} : { exceptId: keptId });
}

/** Changes your own password (the current one required); ends your other sessions. */
export async function changePassword(ctx: AccountRequest, input: ChangePasswordInput): Promise<Me> {
  const { deps, actor, meta } = ctx;
  const currentHash = await checkOwnPassword(ctx, input.currentPassword, 'currentPassword');
  await refuseWeakPassword(input.newPassword, actor.username, 'newPassword');
  if (await verifyPassword(input.newPassword, currentHash)) {
    throw new AppError('WEAK_PASSWORD', 'Choose a password different from your current one.', { field: 'newPassword' });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const epoch = await inTransaction(deps.db, async (tx) => {
    const user = await setPassword(tx, actor.id, { passwordHash, mustChange: false, now: deps.clock() });
    await insertAudit(tx, { actor, meta }, { action: 'account.password_change', entityType: 'user', entityId: actor.id });
    return user.session_epoch;
  });
  await endOthers(ctx, epoch);
  const me = await meOf(deps, actor.id);
  if (!me) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return me;
}

/** Your live sessions, this one marked. */
export async function listSessions(ctx: AccountRequest): Promise<SessionInfo[]> {
  const { deps, actor } = ctx;
  const user = await findUserById(deps.db, actor.id);
  const currentId = ctx.sessionToken ? deps.sessions.idOf(ctx.sessionToken) : null;
  const sessions = await deps.sessions.listForUser(actor.id);
  return sessions
    .filter((s) => s.epoch === user?.session_epoch)
    .map((s) => ({
      id: s.id,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: new Date(s.createdAt).toISOString(),
      lastActiveAt: new Date(s.lastSeenAt).toISOString(),
      isCurrent: s.id === currentId,
    }));
}

/** Ends one of your sessions; ending this one signs you out here. */
export async function endSession(ctx: AccountRequest, sessionId: string): Promise<{ ok: true }> {
  const { deps, actor, meta } = ctx;
  const isCurrent = ctx.sessionToken !== null && deps.sessions.idOf(ctx.sessionToken) === sessionId;
  if (!(await deps.sessions.destroyById(actor.id, sessionId))) {
    throw new AppError('SESSION_NOT_FOUND', 'That session has already ended.');
  }
  if (isCurrent) ctx.setSessionCookie(null);
  await insertAudit(deps.db, { actor, meta }, { action: 'account.end_session', entityType: 'user', entityId: actor.id, after: { isCurrent } });
  return { ok: true };
}

/** Ends every session of yours but this one, including any being created while this runs. */
export async function endOtherSessions(ctx: AccountRequest): Promise<{ ok: true }> {
  const { deps, actor, meta } = ctx;
  const epoch = await inTransaction(deps.db, async (tx) => {
    const next = await bumpSessionEpoch(tx, actor.id);
    await insertAudit(tx, { actor, meta }, { action: 'account.end_other_sessions', entityType: 'user', entityId: actor.id });
    return next;
  });
  await endOthers(ctx, epoch);
  return { ok: true };
}
