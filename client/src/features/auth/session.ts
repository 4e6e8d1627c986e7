import type { Me, Role } from '@tracetrack/shared';
import { isAllowed, type ProcedureName } from '@tracetrack/shared/permissions';
import { createSignal } from 'solid-js';
import { getMeta, setMeta } from '../../local-db/meta';
import { syncEngine } from '../../local-db/sync-engine';
import { api, describeFailure, isRetryable } from '../../api/trpc';

const [currentUser, setCurrentUser] = createSignal<Me | null>(null);
const [isSessionChecked, setSessionChecked] = createSignal(false);
export { currentUser, isSessionChecked };

const AUTH_LOCK = 'tracetrack-auth';
const LOGOUT_TIMEOUT_MS = 10_000;
const RETRY_START_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * Signs the app in as this user. Syncing waits while an account setup is pending: the server
 * refuses sync until the password is changed (or two-factor sign-in turned on), and the scans stay
 * queued meanwhile.
 */
function startAs(me: Me) {
  setCurrentUser(me);
  if (pendingSetup(me)) syncEngine.stop();
  else syncEngine.start(me.id);
}

let authQueue: Promise<unknown> = Promise.resolve();

/**
 * Signing in and ending a stale session run one at a time, across tabs too (Web Locks): a logout
 * answered after a sign-in would clear the new session's cookie.
 */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const run = () => (navigator.locks ? navigator.locks.request(AUTH_LOCK, task) : task());
  const result = authQueue.then(run, run);
  authQueue = result.catch(() => undefined);
  return result;
}

/** auth.logout with this handheld's cookie; true once the server answered (its session is gone). */
async function endServerSession(): Promise<boolean> {
  try {
    await api.auth.logout.mutate(undefined, { signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS) });
    await setMeta('isLogoutPending', false);
    return true;
  } catch {
    return false;
  }
}

let retryMs = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Ends the server session a sign-out left behind: the cookie is HttpOnly, so only auth.logout can,
 * and an offline sign-out could not. Tried at start-up, when the network returns and with backoff
 * until it succeeds or someone signs in; until then `isLogoutPending` keeps auth.me from
 * signing the previous user back in.
 */
function endStaleSession(): Promise<void> {
  clearTimeout(retryTimer);
  return serialized(async () => {
    if (!(await getMeta('isLogoutPending')) || (await endServerSession())) {
      retryMs = 0;
      return;
    }
    retryMs = Math.min(RETRY_MAX_MS, retryMs ? retryMs * 2 : RETRY_START_MS);
    retryTimer = setTimeout(() => void endStaleSession(), retryMs);
  });
}
window.addEventListener('online', () => void endStaleSession());

/**
 * Restores the signed-in user. Offline (or the server unreachable), the last user remembered on
 * this device is used, so a handheld opens and keeps scanning with no network. After a sign-out
 * here nobody is signed in, whatever auth.me says: the server session it would answer with may be
 * the previous user's, never ended (signed out offline).
 */
export async function restoreSession(): Promise<void> {
  try {
    if (await getMeta('isLogoutPending')) {
      setCurrentUser(null);
      void endStaleSession();
      return;
    }
    const me = await api.auth.me.query();
    await setMeta('me', me);
    if (me) startAs(me);
    else setCurrentUser(null);
  } catch (e) {
    const cached = await getMeta('me');
    if (isRetryable(describeFailure(e)) && cached) startAs(cached);
  } finally {
    setSessionChecked(true);
  }
}

export type SignInResult = { ok: true } | { ok: false; needsCode: boolean; message: string };

/**
 * Signs in. An account with two-factor sign-in answers TWO_FACTOR_REQUIRED to the password alone
 * (no session): the screen then asks for a code and calls this again with it.
 */
export async function signIn(username: string, password: string, code?: string): Promise<SignInResult> {
  return serialized(async () => {
    // A stale session is ended first where possible; if not, the new cookie replaces it anyway.
    if (await getMeta('isLogoutPending')) await endServerSession();
    try {
      const { user } = await api.auth.login.mutate({ username, password, ...(code ? { code } : {}) });
      await setMeta('isLogoutPending', false);
      await setMeta('me', user);
      startAs(user);
      return { ok: true } as const;
    } catch (e) {
      const f = describeFailure(e);
      if (f.code === null) return { ok: false, needsCode: false, message: 'No connection to the server. Signing in needs the network once.' } as const;
      return { ok: false, needsCode: f.code === 'TWO_FACTOR_REQUIRED', message: f.message } as const;
    }
  });
}

/**
 * Reads the signed-in user again after the account changed (a new password, two-factor sign-in on
 * or off), so a finished setup opens the app and the account screen shows what the server holds.
 */
export async function refreshMe(): Promise<void> {
  const me = await api.auth.me.query();
  await setMeta('me', me);
  if (me) startAs(me);
}

/**
 * What the signed-in user must do before anything else (the server refuses everything but auth.*
 * and account.* until it is done): change a password an admin set, then, for an admin who must,
 * turn on two-factor sign-in. Null when nothing is pending.
 */
export function pendingSetup(me: Me | null): 'passwordChange' | 'twoFactorEnrolment' | null {
  if (!me) return null;
  if (me.mustChangePassword) return 'passwordChange';
  if (me.mustEnrolTwoFactor) return 'twoFactorEnrolment';
  return null;
}

/**
 * Signs out on this handheld at once, network or not; the server session is ended in the
 * background (endStaleSession). The user's waiting scans stay queued under their own device id.
 */
export async function signOut(): Promise<void> {
  syncEngine.stop();
  await setMeta('isLogoutPending', true);
  await setMeta('me', null);
  setCurrentUser(null);
  void endStaleSession();
}

export type Capability = 'scan' | 'editBills' | 'viewBills' | 'lists' | 'admin' | 'ownAccount' | 'askRole' | 'audit' | 'moveParent' | 'imports' | 'systemHealth' | 'returns' | 'devices';

/** The procedure whose row in the shared permission table decides each capability of the UI. */
const CAPABILITY_PROCEDURE: Record<Capability, ProcedureName> = {
  scan: 'bag.linkChild',
  editBills: 'bill.create',
  viewBills: 'bill.list',
  lists: 'bag.list',
  admin: 'user.list',
  ownAccount: 'account.sessions',
  askRole: 'promotion.request',
  audit: 'audit.list',
  moveParent: 'bag.setArea',
  imports: 'import.list',
  systemHealth: 'system.health',
  returns: 'return.list',
  devices: 'device.list',
};

/** What a role may use: the server enforces the same table, the UI hides what a role cannot use. */
export function canUse(role: Role | undefined, capability: Capability): boolean {
  return role !== undefined && isAllowed(CAPABILITY_PROCEDURE[capability], role);
}

/** Whether the signed-in user may call this one procedure: for a button that does just that (delete a bill). */
export function isAllowedFor(procedure: ProcedureName): boolean {
  const role = currentUser()?.role;
  return role !== undefined && isAllowed(procedure, role);
}
