import { normalizeCode } from '@tracetrack/shared/codes';
import type { BillListInput } from '@tracetrack/shared';
import { localDb, type OutboxRow } from '../../local-db/db';
import { createLiveQuery } from '../../local-db/live-query';
import { pendingOf } from '../../local-db/outbox';
import { currentUser } from '../auth/session';
import { type BillListPage, pendingForBill, pendingReturnCodes, viewFromDevice } from './bill-view';

/**
 * The open and loading bills the billers' feed stored on this device, as a list page: what a
 * biller sees offline. Filters the device can apply (status, number prefix) are applied; the
 * others need the server, and the note says so.
 */
export async function storedBillPage(filters: Partial<BillListInput>): Promise<BillListPage> {
  const prefix = filters.search ? normalizeCode(filters.search) : '';
  const rows = (await localDb.bills.toArray())
    .filter((b) => (!filters.status || b.status === filters.status) && b.billNumber.startsWith(prefix))
    .sort((a, b) => b.updatedAt - a.updatedAt);
  const items = rows.map((row) => {
    const v = viewFromDevice(row);
    return {
      billNumber: v.billNumber, status: v.status, isShort: false, parentCount: v.parentCount, capacity: v.capacity,
      actualWeightKg: v.actualWeightKg, expectedWeightKg: v.expectedWeightKg, destination: v.destination,
    };
  });
  const ignored = filters.createdBy || filters.from || filters.to ? ' The creator and date filters need the connection.' : '';
  return {
    items,
    nextCursor: null,
    note: `Offline: the ${items.length} open and loading bill${items.length === 1 ? '' : 's'} stored on this device (completed bills need the connection).${ignored}`,
  };
}

/** This bill as the device stored it (undefined when it is not open or loading, or never pulled). */
export function useStoredBill(billNumber: () => string) {
  return createLiveQuery((n: string) => localDb.bills.get(n), undefined, billNumber);
}

export interface PendingBillWrites {
  rows: OutboxRow[];
  /** Child counts the device knows for the parents of queued adds (pulled, or from scan outcomes). */
  childCounts: Map<string, number>;
  /** Parent codes of the user's queued return scans (of any ticket). */
  returning: Set<string>;
}

/** The signed-in user's queued writes of this bill, and their queued return scans, live. */
export function usePendingBillWrites(billNumber: () => string) {
  return createLiveQuery(
    async ({ n, uid }: { n: string; uid: number | null }): Promise<PendingBillWrites> => {
      if (uid === null) return { rows: [], childCounts: new Map(), returning: new Set() };
      const queued = await pendingOf(uid).toArray();
      const rows = pendingForBill(queued, n);
      const codes = [...new Set(rows.filter((r) => r.name === 'bill.addParent').map((r) => normalizeCode(String(r.args.parentCode ?? ''))))];
      const parents = await localDb.parents.bulkGet(codes);
      return { rows, childCounts: new Map(parents.flatMap((p) => (p ? [[p.code, p.childCount] as const] : []))), returning: pendingReturnCodes(queued) };
    },
    { rows: [], childCounts: new Map(), returning: new Set<string>() },
    () => ({ n: billNumber(), uid: currentUser()?.id ?? null }),
  );
}
