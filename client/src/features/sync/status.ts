import { createRoot, createSignal } from 'solid-js';
import { localDb } from '../../local-db/db';
import { createLiveQuery } from '../../local-db/live-query';
import { pendingOf } from '../../local-db/outbox';
import { syncEngine } from '../../local-db/sync-engine';
import { currentUser } from '../auth/session';

interface Pending {
  /** The signed-in user's waiting scans: what signing in as them sends. */
  own: number;
  /** Other users' on this handheld, sent when they sign in again. */
  others: number;
  /** When the user's first waiting scan was made (first in seq order, the next one sent). */
  oldestCreatedAt: number | null;
}

async function pendingFor(userId: number | null): Promise<Pending> {
  if (userId === null) return { own: 0, others: await localDb.outbox.count(), oldestCreatedAt: null };
  const [total, own, oldest] = await Promise.all([localDb.outbox.count(), pendingOf(userId).count(), pendingOf(userId).first()]);
  return { own, others: total - own, oldestCreatedAt: oldest?.createdAt ?? null };
}

function createSyncCounters() {
  const pending = createLiveQuery(pendingFor, { own: 0, others: 0, oldestCreatedAt: null }, () => currentUser()?.id ?? null);
  const pendingCount = () => pending().own;
  const othersPendingCount = () => pending().others;
  const oldestCreatedAt = () => pending().oldestCreatedAt;
  const inboxCount = createLiveQuery(() => localDb.inbox.count(), 0);
  const [now, setNow] = createSignal(Date.now());
  setInterval(() => setNow(Date.now()), 5_000);
  const oldestAgeMs = () => {
    const at = oldestCreatedAt();
    return at === null ? null : Math.max(0, now() - at);
  };
  return { pendingCount, othersPendingCount, oldestAgeMs, inboxCount, status: syncEngine.status };
}

let shared: ReturnType<typeof createSyncCounters> | null = null;

/**
 * The signed-in user's pending scans and the oldest one's age, other users' pending scans, and
 * refused scans awaiting attention: what the status bar and the sign-out warning show. One set of
 * live queries for the whole app, created on first use and kept for its lifetime: every scan
 * re-runs them, and a slow handheld should do that once, not once per component showing them.
 */
export function useSyncCounters() {
  shared ??= createRoot(createSyncCounters);
  return shared;
}

export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} d`;
}

export const syncNow = () => syncEngine.syncNow();
