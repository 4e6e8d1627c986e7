import type { Me, Role } from '@tracetrack/shared';
import { createSignal } from 'solid-js';
import { getMeta, setMeta } from '../../local-db/meta';
import { syncEngine } from '../../local-db/sync-engine';
import { api, describeFailure, isRetryable } from '../trpc-client';

const [currentUser, setCurrentUser] = createSignal<Me | null>(null);
const [isSessionChecked, setSessionChecked] = createSignal(false);
export { currentUser, isSessionChecked };

function startAs(me: Me) {
  setCurrentUser(me);
  syncEngine.start(me.id);
}

/**
 * Restores the signed-in user. Offline (or the server unreachable), the last user remembered on
 * this device is used, so a handheld opens and keeps scanning with no network.
 */
export async function restoreSession(): Promise<void> {
  try {
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

export async function signIn(username: string, password: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const { user } = await api.auth.login.mutate({ username, password });
    await setMeta('me', user);
    startAs(user);
    return { ok: true };
  } catch (e) {
    const f = describeFailure(e);
    if (f.code === null) return { ok: false, message: 'No connection to the server. Signing in needs the network once.' };
    return { ok: false, message: f.message };
  }
}

export async function signOut(): Promise<void> {
  syncEngine.stop();
  try {
    await api.auth.logout.mutate();
  } catch {
    // Offline: the cookie expires on its own; the device forgets the user either way.
  }
  await setMeta('me', null);
  setCurrentUser(null);
}

/** What each role may use (DOMAIN §6); the server enforces the same rules. */
export function canUse(role: Role | undefined, capability: 'scan' | 'editBills' | 'viewBills' | 'lists' | 'admin'): boolean {
  if (!role) return false;
  switch (capability) {
    case 'scan':
    case 'viewBills':
    case 'lists':
      return true;
    case 'editBills':
      return role === 'admin' || role === 'biller';
    case 'admin':
      return role === 'admin';
  }
}
