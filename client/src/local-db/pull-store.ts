import type { SyncChange, SyncPullOutput } from '@tracetrack/shared';
import { localDb, type ParentRow } from './db';
import { currentParentKeyOf, getMeta, setMeta } from './meta';

type PulledParent = Extract<SyncChange, { kind: 'parent' }>;
type PulledBill = Extract<SyncChange, { kind: 'bill' }>;

const parentRowOf = (c: PulledParent, isOutsideFeed: boolean): ParentRow => ({
  code: c.code, format: c.format, childCount: c.childCount, capacity: c.capacity, status: c.status, children: c.children,
  updatedAt: Date.parse(c.updatedAt), ...(isOutsideFeed ? { isOutsideFeed } : {}),
});

const billRowOf = (c: PulledBill) => ({
  billNumber: c.billNumber, capacity: c.capacity, status: c.status, parentCount: c.parentCount, destination: c.destination,
  vehicleNumber: c.vehicleNumber, description: c.description, parents: c.parents, updatedAt: Date.parse(c.updatedAt),
});

/**
 * Applies one page of sync.pull and saves its cursor in the same transaction, so a crash between
 * the two re-pulls the page (applying it twice changes nothing). The local parents and bills are
 * the feed: `reset` empties them first, and a row the feed drops is deleted. One exception: the
 * parent on the scan screen stays with its last state when the feed drops it for being full or
 * old (the operator is looking at "30/30"), until the screen moves on (the pulling user's screen:
 * the feed is theirs). Parents that only a scan's outcome brought (apply-results.ts) are outside
 * the feed too: once a pull is complete, every such row but the scan screen's parent goes.
 */
export async function storePulledPage(page: SyncPullOutput, userId: number): Promise<void> {
  await localDb.transaction('rw', [localDb.parents, localDb.bills, localDb.meta], async () => {
    const onScreen = (await getMeta(currentParentKeyOf(userId))) ?? null;
    if (page.reset) await clearPulled(onScreen);
    for (const c of page.changes) {
      if (c.kind === 'parent') {
        if (c.isActive) await localDb.parents.put(parentRowOf(c, false));
        else if (c.code === onScreen && !c.isRemoved) await localDb.parents.put(parentRowOf(c, true));
        else await localDb.parents.delete(c.code);
      } else if (c.isActive) {
        await localDb.bills.put(billRowOf(c));
      } else {
        await localDb.bills.delete(c.billNumber);
      }
    }
    // A small table: one area's parents of the last 48 hours, or a biller's few scanned ones.
    if (!page.hasMore) await localDb.parents.filter((p) => p.isOutsideFeed === true && p.code !== onScreen).delete();
    await setMeta('pullCursor', { userId, cursor: page.cursor });
  });
}

/** A new snapshot follows: forget every pulled row but the scan screen's parent. */
async function clearPulled(onScreen: string | null) {
  const kept = onScreen ? await localDb.parents.get(onScreen) : undefined;
  await localDb.parents.clear();
  await localDb.bills.clear();
  if (kept) await localDb.parents.put({ ...kept, isOutsideFeed: true });
}
