import { AppError, type User } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { disableTwoFactor } from '../account/queries';
import { insertAudit } from '../audit/queries';
import { toAuditSnapshot } from './mappers';
import * as q from './queries';
import { userDeactivated, userNotFound, userView } from './service';

/*
 * What an admin does to someone else's account besides editing it: end their sessions, reset
 * their two-factor sign-in, deactivate them. Each bumps the user's session epoch in the same
 * transaction, so no session survives, not even one being created while this runs.
 */

/** Ends every session of the user at once (the store is tidied after the commit). */
export async function endUserSessions(deps: Deps, actor: Actor, meta: RequestMeta, userId: number): Promise<{ ok: true }> {
  await inTransaction(deps.db, async (tx) => {
    const user = await q.lockUserById(tx, userId);
    if (!user) throw userNotFound(userId);
    await q.bumpSessionEpoch(tx, userId);
    await insertAudit(tx, { actor, meta }, { action: 'user.end_sessions', entityType: 'user', entityId: userId });
  });
  await deps.sessions.destroyAllForUser(userId);
  return { ok: true };
}

/** For a lost phone: two-factor sign-in off and its recovery codes gone; the user signs in with the password and may enrol again. */
export async function resetUserTwoFactor(deps: Deps, actor: Actor, meta: RequestMeta, userId: number): Promise<User> {
  await inTransaction(deps.db, async (tx) => {
    const user = await q.lockUserById(tx, userId);
    if (!user) throw userNotFound(userId);
    if (user.deactivated_at !== null) throw userDeactivated(user.username);
    if (user.two_factor_enabled_at === null) throw new AppError('TWO_FACTOR_NOT_ENABLED', `${user.username} does not have two-factor sign-in on.`);
    await disableTwoFactor(tx, userId);
    await q.bumpSessionEpoch(tx, userId);
    await insertAudit(tx, { actor, meta }, { action: 'user.reset_two_factor', entityType: 'user', entityId: userId });
  });
  await deps.sessions.destroyAllForUser(userId);
  return userView(deps, userId);
}

/**
 * Deactivates a user: they cannot sign in and their sessions end; their row, history and
 * username stay (never reusable). The last active admin cannot be deactivated, nor can you
 * deactivate yourself. Kept forever in the audit log, like a deletion.
 */
export async function deactivateUser(deps: Deps, actor: Actor, meta: RequestMeta, userId: number): Promise<User> {
  if (userId === actor.id) throw new AppError('FORBIDDEN', 'You cannot deactivate your own account.');
  const isChanged = await inTransaction(deps.db, async (tx) => {
    const activeAdminIds = await q.lockActiveAdminIds(tx);
    const before = await q.lockUserById(tx, userId);
    if (!before) throw userNotFound(userId);
    if (before.deactivated_at !== null) return false;
    if (activeAdminIds.includes(userId) && !activeAdminIds.some((id) => id !== userId)) {
      throw new AppError('LAST_ADMIN', `${before.username} is the last active admin; make another admin first.`);
    }
    await q.updateUser(tx, userId, { deactivated_at: deps.clock(), updated_at: deps.clock() });
    await q.bumpSessionEpoch(tx, userId);
    await insertAudit(tx, { actor, meta }, {
      action: 'user.deactivate', entityType: 'user', entityId: userId, before: toAuditSnapshot(before), isPermanent: true,
    });
    return true;
  });
  if (isChanged) await deps.sessions.destroyAllForUser(userId);
  return userView(deps, userId);
}
