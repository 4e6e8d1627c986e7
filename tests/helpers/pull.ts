import type { SyncChange, SyncPullOutput } from '@tracetrack/shared';

export const keyOf = (c: SyncChange) => (c.kind === 'parent' ? c.code : c.billNumber);
export const hasAll = (changes: SyncChange[], keys: string[]) => keys.every((k) => changes.some((c) => keyOf(c) === k));
export const lastOf = (changes: SyncChange[], key: string) => changes.filter((c) => keyOf(c) === key).at(-1)!;

/**
 * Pulls from `cursor` until `isDone` holds for what arrived and the feed has no more pages. A pull
 * withholds transactions newer than the oldest one running anywhere in the cluster (other test
 * files run beside this one), so what was just written may take a few pulls to arrive.
 */
export async function pullUntil(pull: (cursor?: string) => Promise<SyncPullOutput>, cursor: string | undefined, isDone: (changes: SyncChange[]) => boolean) {
  const changes: SyncChange[] = [];
  let reset = false;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await pull(cursor);
    if (res.reset) changes.length = 0;
    reset ||= res.reset;
    changes.push(...res.changes);
    cursor = res.cursor;
    if ((isDone(changes) && !res.hasMore) || Date.now() > deadline) return { changes, cursor, reset };
  }
}

/** What a device keeps: the protocol's rule, applied to a map by key. */
export function applyPulled(store: Map<string, SyncChange>, page: { changes: SyncChange[]; reset: boolean }) {
  if (page.reset) store.clear();
  for (const c of page.changes) {
    if (c.isActive) store.set(keyOf(c), c);
    else store.delete(keyOf(c));
  }
  return store;
}
