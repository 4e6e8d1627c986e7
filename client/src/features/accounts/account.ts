import type { SessionInfo } from '@tracetrack/shared';
import { refreshMe } from '../auth/session';
import { api } from '../../api/trpc';
import { attempt, type Outcome } from './users';

/** Your own password; your other sessions end, this one stays signed in. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<Outcome<void>> {
  const res = await attempt(() => api.account.changePassword.mutate({ currentPassword, newPassword }));
  if (res.ok) await refreshMe().catch(() => undefined);
  return res.ok ? { ok: true, value: undefined } : res;
}

export const fetchSessions = (): Promise<Outcome<SessionInfo[]>> => attempt(() => api.account.sessions.query());
export const endSession = (sessionId: string) => attempt(() => api.account.endSession.mutate({ sessionId }));
export const endOtherSessions = () => attempt(() => api.account.endOtherSessions.mutate());

export const beginTwoFactor = () => attempt(() => api.account.twoFactor.begin.mutate());

/**
 * Confirms the enrolment with a code from the app; the answer holds the recovery codes, shown
 * once. The signed-in user is read again only when the person has saved them (finishTwoFactor):
 * for an admin who had to enrol, that is what opens the app, and the codes must not vanish first.
 */
export async function confirmTwoFactor(code: string): Promise<Outcome<string[]>> {
  const res = await attempt(() => api.account.twoFactor.confirm.mutate({ code }));
  return res.ok ? { ok: true, value: res.value.recoveryCodes } : res;
}

export const finishTwoFactor = () => refreshMe().catch(() => undefined);

export async function disableTwoFactor(password: string, code: string): Promise<Outcome<void>> {
  const res = await attempt(() => api.account.twoFactor.disable.mutate({ password, code }));
  if (res.ok) await refreshMe().catch(() => undefined);
  return res.ok ? { ok: true, value: undefined } : res;
}

/** The answer is the same whether or not the username or email exists. */
export const requestPasswordReset = (login: string) => attempt(() => api.auth.requestPasswordReset.mutate({ login }));
export const resetPassword = (token: string, newPassword: string) => attempt(() => api.auth.resetPassword.mutate({ token, newPassword }));

/** "Chrome on Android" from a User-Agent, for the sessions list; the raw string when nothing is recognised. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = [
    [/Edg\//, 'Edge'],
    [/SamsungBrowser\//, 'Samsung Internet'],
    [/OPR\//, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
  ].find(([re]) => (re as RegExp).test(userAgent))?.[1];
  const system = [
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ].find(([re]) => (re as RegExp).test(userAgent))?.[1];
  if (!browser && !system) return userAgent.slice(0, 80);
  return [browser ?? 'A browser', system ? `on ${system}` : ''].filter(Boolean).join(' ');
}
