import { createHash, randomBytes } from 'node:crypto';
import {
  AppError, type IssuedPasswordReset, type RequestPasswordResetInput, resetPasswordLink, type ResetPasswordInput,
} from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { RATE_LIMITS } from '../../infra/rate-limit';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { clearLoginFailures, findUserById } from '../users/queries';
import { hashPassword, refuseWeakPassword } from '@tracetrack/db';
import { consumePasswordReset, findPasswordReset, findUserByLogin, insertPasswordReset, setPassword } from './queries';

/** A reset link works once, for an hour (RULES.md, Password reset). */
export const RESET_TTL_MS = 60 * 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

const invalidToken = () =>
  new AppError('RESET_TOKEN_INVALID', 'This reset link has expired or was already used. Ask for a new one.');

async function issueToken(deps: Deps, userId: number, issuedBy: number | null): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
  await inTransaction(deps.db, (tx) => insertPasswordReset(tx, { tokenHash: hashToken(token), userId, now, expiresAt, issuedBy }));
  return { token, expiresAt };
}

function resetMail(username: string, link: string) {
  const text = [
    `Someone (hopefully you) asked to reset the TraceTrack password of ${username}.`,
    '',
    `Open this link within an hour to choose a new password: ${link}`,
    '',
    'If you did not ask, ignore this message: your password stays as it is.',
  ].join('\n');
  return { subject: 'Reset your TraceTrack password', text };
}

/**
 * Answers the same whether or not the account exists, and as fast: the token and the mail are
 * made after the answer. Without an email on the account nothing is sent (an admin can issue a
 * link); without SMTP_URL the mailer logs the message, link included, for the admin.
 */
export async function requestPasswordReset(ctx: { deps: Deps; meta: RequestMeta }, input: RequestPasswordResetInput): Promise<{ ok: true }> {
  const { deps, meta } = ctx;
  await deps.rateLimiter.hit(RATE_LIMITS.passwordReset, `ip:${meta.remoteIp ?? 'unknown'}`);
  await deps.rateLimiter.hit(RATE_LIMITS.passwordReset, `login:${input.login.toLowerCase()}`);
  const user = await findUserByLogin(deps.db, input.login);
  if (!user || user.deactivated_at !== null) return { ok: true };
  void (async () => {
    await insertAudit(deps.db, { actor: null, meta }, {
      action: 'auth.password_reset_requested', entityType: 'user', entityId: user.id, after: { hasEmail: user.email !== null },
    });
    if (user.email === null) return;
    const { token } = await issueToken(deps, user.id, null);
    await deps.mailer.send({ to: user.email, ...resetMail(user.username, resetPasswordLink(deps.config.publicUrl, token)) });
  })().catch((e: unknown) => deps.logger.error('password reset mail failed', { requestId: meta.requestId, userId: user.id, error: String(e) }));
  return { ok: true };
}

/**
 * Sets the password a reset link allows: the token is used up, every session of the user ends,
 * sign-in lockouts are lifted (the link proved the mailbox), and the user signs in afresh.
 */
export async function resetPassword(ctx: { deps: Deps; meta: RequestMeta }, input: ResetPasswordInput): Promise<{ ok: true }> {
  const { deps, meta } = ctx;
  const tokenHash = hashToken(input.token);
  const found = await findPasswordReset(deps.db, tokenHash);
  if (!found || found.used_at !== null || found.expires_at <= deps.clock() || found.deactivated_at !== null) throw invalidToken();
  await refuseWeakPassword(input.newPassword, found.username, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  const now = deps.clock();
  const userId = await inTransaction(deps.db, async (tx) => {
    const id = await consumePasswordReset(tx, tokenHash, now);
    if (id === null) throw invalidToken();
    const user = await setPassword(tx, id, { passwordHash, mustChange: false, now });
    const failureRunsCleared = await clearLoginFailures(tx, id);
    await insertAudit(tx, { actor: { id: user.id, username: user.username }, meta }, {
      action: 'auth.password_reset', entityType: 'user', entityId: id, after: { failureRunsCleared },
    });
    return id;
  });
  // The epoch moved with the password; this only tidies the store.
  await deps.sessions.destroyAllForUser(userId);
  return { ok: true };
}

/** An admin's reset link for a user, to hand over (no mail is sent). */
export async function issuePasswordReset(deps: Deps, actor: Actor, meta: RequestMeta, userId: number): Promise<IssuedPasswordReset> {
  const user = await findUserById(deps.db, userId);
  if (!user) throw new AppError('USER_NOT_FOUND', `There is no user with id ${userId}.`);
  if (user.deactivated_at !== null) throw new AppError('ACCOUNT_DEACTIVATED', 'This user is deactivated: they cannot sign in, so a reset link would not help.');
  const { token, expiresAt } = await issueToken(deps, userId, actor.id);
  await insertAudit(deps.db, { actor, meta }, { action: 'user.issue_password_reset', entityType: 'user', entityId: userId, after: { expiresAt } });
  return { resetUrl: resetPasswordLink(deps.config.publicUrl, token), expiresAt: expiresAt.toISOString() };
}
