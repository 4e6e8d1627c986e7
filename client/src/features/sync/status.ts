import { createSignal, onCleanup } from 'solid-js';
import { localDb } from '../../local-db/db';
import { createLiveQuery } from '../../local-db/live-query';
import { syncEngine } from '../../local-db/sync-engine';

/** Pending scans, the oldest one's age and refused scans awaiting attention: what the status bar shows. */
export function useSyncCounters() {
  const pendingCount = createLiveQuery(() => localDb.outbox.count(), 0);
  const oldestCreatedAt = createLiveQuery(async () => (await localDb.outbox.orderBy('createdAt').first())?.createdAt ?? null, null as number | null);
  const inboxCount = createLiveQuery(() => localDb.inbox.count(), 0);
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 5_000);
  onCleanup(() => clearInterval(clock));
  const oldestAgeMs = () => {
    const at = oldestCreatedAt();
    return at === null ? null : Math.max(0, now() - at);
  };
  return { pendingCount, oldestAgeMs, inboxCount, status: syncEngine.status };
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
