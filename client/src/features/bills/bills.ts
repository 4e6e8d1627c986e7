import type { BillCreateInput, BillDetail, BillListInput, BillMutationOutput, BillSummary, MutationArgs } from '@tracetrack/shared';
import { awaitOutcome } from '../../local-db/await-outcome';
import { enqueueMutation } from '../../local-db/outbox';
import { syncEngine } from '../../local-db/sync-engine';
import { currentUser } from '../auth/session';
import { api, describeFailure } from '../../api/trpc';

export type BillWriteResult =
  | { state: 'done'; outcome: 'applied' | 'unchanged'; message: string; bill: BillSummary }
  | { state: 'refused'; code: string | null; message: string }
  | { state: 'queued'; message: string };

const OUTCOME_WAIT_MS = 15_000;

/** Bill writes that the sync protocol carries go through the outbox like scans: one path, online or not. */
async function queueBillWrite<N extends 'bill.create' | 'bill.addParent' | 'bill.removeParent' | 'bill.complete'>(
  name: N,
  args: MutationArgs<N>,
): Promise<BillWriteResult> {
  const user = currentUser();
  if (!user) return { state: 'refused', code: 'UNAUTHENTICATED', message: 'Sign in first.' };
  const row = await enqueueMutation(user.id, name, args);
  syncEngine.kick();
  const outcome = await awaitOutcome(row.id, OUTCOME_WAIT_MS);
  if (!outcome) return { state: 'queued', message: 'Saved on this device; it will be sent when the server answers.' };
  if (outcome.status === 'rejected') return { state: 'refused', code: outcome.code, message: outcome.message };
  const data = outcome.data as BillMutationOutput;
  return { state: 'done', outcome: outcome.status, message: outcome.message, bill: data.bill };
}

export const createBill = (input: BillCreateInput) => queueBillWrite('bill.create', input);
export const addParentToBill = (billNumber: string, parentCode: string) => queueBillWrite('bill.addParent', { billNumber, parentCode });
export const removeParentFromBill = (billNumber: string, parentCode: string) => queueBillWrite('bill.removeParent', { billNumber, parentCode });
export const completeBill = (billNumber: string, allowShort: boolean) => queueBillWrite('bill.complete', { billNumber, allowShort });

/** Reopening is not a scan (the sync protocol does not carry it): an online call. */
export async function reopenBill(billNumber: string): Promise<BillWriteResult> {
  try {
    const res = await api.bill.reopen.mutate({ billNumber });
    return { state: 'done', outcome: res.outcome, message: res.message, bill: res.bill };
  } catch (e) {
    const f = describeFailure(e);
    return { state: 'refused', code: f.code, message: f.code ? f.message : 'No connection: reopening needs the network.' };
  }
}

export async function fetchBill(billNumber: string): Promise<BillDetail> {
  return api.bill.get.query({ billNumber });
}

export async function fetchBills(filters: Partial<BillListInput>) {
  return api.bill.list.query({ limit: 50, ...filters });
}
