import type { BillCreateInput, BillDetail, BillListInput, BillSummary, BillUpdateInput } from '@tracetrack/shared';
import { queueWrite } from '../sync/queue-write';
import { api, describeFailure } from '../../api/trpc';
import { followLive } from '../live/follow-live';
import type { BillListPage } from './bill-view';
import { storedBillPage } from './stored-bills';

/** Bill writes go through the outbox like every scan (queue-write.ts), online or not. */
export const createBill = (input: BillCreateInput) => queueWrite('bill.create', input);
export const addParentToBill = (billNumber: string, parentCode: string) => queueWrite('bill.addParent', { billNumber, parentCode });
export const removeParentFromBill = (billNumber: string, parentCode: string) => queueWrite('bill.removeParent', { billNumber, parentCode });
export const completeBill = (billNumber: string, allowShort: boolean) => queueWrite('bill.complete', { billNumber, allowShort });

export type OnlineResult = { ok: true; message: string; bill: BillSummary } | { ok: false; message: string };

/** Writes the sync protocol does not carry are online calls; without a connection they say so. */
async function online(call: () => Promise<{ message: string; bill: BillSummary }>, needsNetwork: string): Promise<OnlineResult> {
  try {
    const res = await call();
    return { ok: true, message: res.message, bill: res.bill };
  } catch (e) {
    const f = describeFailure(e);
    return { ok: false, message: f.code ? f.message : `No connection: ${needsNetwork} needs the network.` };
  }
}

export const reopenBill = (billNumber: string) => online(() => api.bill.reopen.mutate({ billNumber }), 'reopening a bill');
export const updateBill = (input: BillUpdateInput) => online(() => api.bill.update.mutate(input), 'editing a bill');
export const deleteBill = (billNumber: string) => online(() => api.bill.delete.mutate({ billNumber }), 'deleting a bill');

export async function fetchBill(billNumber: string): Promise<BillDetail> {
  return api.bill.get.query({ billNumber });
}

/** A page of bills from the server; without a connection, the open and loading bills stored on the device. */
export async function fetchBillPage(filters: Partial<BillListInput>, cursor: string | null): Promise<BillListPage> {
  try {
    return await api.bill.list.query({ limit: 50, ...filters, ...(cursor ? { cursor } : {}) });
  } catch (e) {
    if (describeFailure(e).code !== null) throw e;
    return storedBillPage(filters);
  }
}

/** Polling while a bill page's live stream is down. */
export const BILL_POLL_MS = 5_000;

/**
 * One bill's page, live (live.bill: parents, progress and weights as others scan), falling back to
 * polling bill.get. The stream sends null once the bill is deleted.
 */
export function followBill(billNumber: string, onValue: (d: BillDetail | null) => void, onPollError: (message: string, code: string | null) => void) {
  return followLive<BillDetail | null>({
    subscribe: (h) => api.live.bill.subscribe({ billNumber }, h),
    poll: () => fetchBill(billNumber),
    onValue,
    onPollError,
    pollMs: BILL_POLL_MS,
  });
}
