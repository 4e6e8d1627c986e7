import {
  AppError,
  type BillCompleteInput,
  type BillCreateInput,
  type BillDetail,
  type BillFilter,
  type BillListInput,
  type BillMutationOutput,
  type BillParentInput,
  type BillUpdateInput,
  normalizeCode,
} from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { decodeIdCursor, idKeysetPage } from '../../infra/keyset-cursor';
import { type Executor, inTransaction, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { type AuditEntry, insertAudit } from '../audit/queries';
import { type CounterDelta, NO_AREA_SCOPE, scopeOf } from '../counters/deltas';
import { bumpCounters } from '../counters/queries';
import { billSnapshot, talliesByBill, talliesOfParents, toBillParent, toBillSummary } from './mappers';
import { lockBagByCode } from '../bags/queries';
import { classifyOrRefuse, refuseNonParentCode } from '../bags/code-slots';
import * as q from './queries';
import { toBillReturnEvent } from '../returns/mappers';

/** What a bill write reports: the API output, plus the rows it touched (for scan-event refs in sync). */
export interface BillWriteResult {
  output: BillMutationOutput;
  refs: { billId: number; parentId?: number };
  /**
   * The change's audit row (none when nothing changed). Its caller writes it in the same
   * transaction: a scan adds the device and seq it came from, as bag scans do.
   */
  audit?: AuditEntry;
}

/**
 * A bill write runs inside a transaction its caller owns: the online procedure (applyBillWrite),
 * or the scan path (billScanWork) for the writes a device can queue. Effects, audit row and
 * counters commit together.
 */
export type BillWrite<I> = (tx: Tx, actor: Actor, input: I) => Promise<BillWriteResult>;

/** The online path: one transaction around one bill write; deadlocks retried by inTransaction. */
export async function applyBillWrite<I>(deps: Pick<Deps, 'db' | 'live'>, actor: Actor, meta: RequestMeta, write: BillWrite<I>, input: I) {
  const result = await inTransaction(deps.db, async (tx) => {
    const r = await write(tx, actor, input);
    if (r.audit) await insertAudit(tx, { actor, meta }, r.audit);
    return r;
  });
  if (result.output.outcome === 'applied') deps.live.publish(['dashboard', `bill:${result.refs.billId}`]);
  return result.output;
}

export const counterOf = (status: string) => `bills_${status}` as 'bills_open' | 'bills_loading' | 'bills_completed';
export const blankToNull = (s: string | null | undefined) => (s ? s : null);
const progress = (bill: { parent_count: number; capacity: number }) => `${bill.parent_count}/${bill.capacity}`;

/** A (normalised) code in a bill's parent slot, classified by the same rule as bag scans. */
async function parentCodeOf(db: Executor, code: string): Promise<string> {
  const parsed = classifyOrRefuse(code);
  if (parsed.kind !== 'parent') refuseNonParentCode(parsed.code, (await q.findBagTypeByCode(db, parsed.code)) !== undefined);
  return parsed.code;
}

/** Lock order, shared with bag linking: the parent bag row first, then the bill row. */
async function lockParentThenBill(tx: Tx, parentCode: string, billNumber: string) {
  const code = await parentCodeOf(tx, parentCode);
  const parent = await lockBagByCode(tx, code);
  if (!parent) throw new AppError('BAG_NOT_FOUND', `Parent ${code} is not registered. Scan it as a parent first.`, { parentCode: code });
  if (parent.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag, not a parent.`, { parentCode: code });
  const bill = await lockBill(tx, billNumber);
  const current = await q.findBillOfParent(tx, parent.id);
  return { parent, bill, current };
}

async function lockBill(tx: Tx, billNumber: string) {
  const bill = await q.lockBillByNumber(tx, billNumber);
  if (!bill) throw new AppError('BILL_NOT_FOUND', `Bill ${billNumber} does not exist.`, { billNumber });
  return bill;
}

function refuseIfCompleted(bill: q.LockedBill, doing: string) {
  if (bill.status === 'completed') {
    throw new AppError('BILL_COMPLETED', `Bill ${bill.bill_number} is completed; reopen it before ${doing}.`, { billNumber: bill.bill_number });
  }
}

/** The bill as it is now in this transaction: its row and its summary with weights. */
export async function loadBill(db: Executor, billId: number) {
  const row = await q.findBillViewById(db, billId);
  if (!row) throw new AppError('BILL_NOT_FOUND', 'The bill no longer exists.');
  const tallies = talliesByBill(await q.tallyBills(db, [billId])).get(billId) ?? [];
  return { row, summary: toBillSummary(row, tallies) };
}

async function unchanged(tx: Tx, billId: number, message: string): Promise<BillWriteResult> {
  const { summary } = await loadBill(tx, billId);
  return { output: { outcome: 'unchanged', message, bill: summary }, refs: { billId } };
}

export const createBill: BillWrite<BillCreateInput> = async (tx, actor, input) => {
  const inserted = await q.insertBill(tx, {
    billNumber: input.billNumber,
    capacity: input.capacity,
    description: blankToNull(input.description),
    destination: blankToNull(input.destination),
    vehicleNumber: blankToNull(input.vehicleNumber),
    createdBy: actor.id,
  });
  if (!inserted) throw new AppError('BILL_EXISTS', `Bill ${input.billNumber} already exists.`, { billNumber: input.billNumber });
  const { row, summary } = await loadBill(tx, inserted.id);
  const audit: AuditEntry = { action: 'bill.create', entityType: 'bill', entityId: row.id, after: billSnapshot(row) };
  await bumpCounters(tx, [{ name: 'bills_open', scope: NO_AREA_SCOPE, delta: 1 }]);
  const message = `Created bill ${row.bill_number} (0/${row.capacity}).`;
  return { output: { outcome: 'applied', message, bill: summary }, refs: { billId: row.id }, audit };
};

/** Capacity, description, destination, vehicle: undefined leaves a field, null (or blank) clears it. */
export const updateBill: BillWrite<BillUpdateInput> = async (tx, actor, input) => {
  const bill = await lockBill(tx, input.billNumber);
  refuseIfCompleted(bill, 'editing it');
  const patch: q.BillPatch = {};
  if (input.capacity !== undefined && input.capacity !== bill.capacity) {
    if (input.capacity < bill.parent_count) {
      throw new AppError('CAPACITY_BELOW_COUNT', `Bill ${bill.bill_number} already holds ${bill.parent_count} parents; capacity cannot be below that.`, {
        billNumber: bill.bill_number, parentCount: bill.parent_count, capacity: input.capacity,
      });
    }
    patch.capacity = input.capacity;
  }
  const texts = [['description', input.description], ['destination', input.destination], ['vehicle_number', input.vehicleNumber]] as const;
  for (const [column, value] of texts) {
    if (value !== undefined && blankToNull(value) !== bill[column]) patch[column] = blankToNull(value);
  }
  if (Object.keys(patch).length === 0) return unchanged(tx, bill.id, `Bill ${bill.bill_number} is unchanged.`);

  await q.patchBill(tx, bill.id, patch);
  const { row, summary } = await loadBill(tx, bill.id);
  const audit: AuditEntry = { action: 'bill.update', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: billSnapshot(row) };
  return { output: { outcome: 'applied', message: `Updated bill ${bill.bill_number} (${progress(row)}).`, bill: summary }, refs: { billId: bill.id }, audit };
};

export const addParentToBill: BillWrite<BillParentInput> = async (tx, actor, input) => {
  const { parent, bill, current } = await lockParentThenBill(tx, input.parentCode, input.billNumber);
  const refs = { billId: bill.id, parentId: parent.id };
  if (current?.bill_id === bill.id) {
    return { ...(await unchanged(tx, bill.id, `${parent.code} is already on ${bill.bill_number} (${progress(bill)}).`)), refs };
  }
  refuseIfCompleted(bill, 'adding parents');
  if (current) {
    throw new AppError('PARENT_ON_OTHER_BILL', `${parent.code} is already on bill ${current.bill_number}. Remove it there first.`, {
      parentCode: parent.code, otherBillNumber: current.bill_number,
    });
  }
  if (bill.parent_count >= bill.capacity) {
    throw new AppError('BILL_FULL', `Bill ${bill.bill_number} is full (${progress(bill)}).`, {
      billNumber: bill.bill_number, parentCount: bill.parent_count, capacity: bill.capacity,
    });
  }

  await q.insertBillParent(tx, { parentId: parent.id, billId: bill.id, addedBy: actor.id });
  await q.patchBill(tx, bill.id, { parent_count: bill.parent_count + 1, status: 'loading' });
  const { row, summary } = await loadBill(tx, bill.id);
  const audit: AuditEntry = {
    action: 'bill.add_parent', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: { ...billSnapshot(row), addedParent: parent.code },
  };
  const deltas: CounterDelta[] = [{ name: 'billed_parents', scope: scopeOf(parent.area), delta: 1 }];
  if (bill.status !== 'loading') deltas.push({ name: counterOf(bill.status), scope: NO_AREA_SCOPE, delta: -1 }, { name: 'bills_loading', scope: NO_AREA_SCOPE, delta: 1 });
  await bumpCounters(tx, deltas);
  return { output: { outcome: 'applied', message: `${parent.code} → ${bill.bill_number} (${progress(row)})`, bill: summary }, refs, audit };
};

/** Frees the parent for another bill; the bag and its children stay as they are. */
export const removeParentFromBill: BillWrite<BillParentInput> = async (tx, actor, input) => {
  const { parent, bill, current } = await lockParentThenBill(tx, input.parentCode, input.billNumber);
  if (current?.bill_id !== bill.id) {
    const where = current ? ` It is on bill ${current.bill_number}.` : '';
    throw new AppError('PARENT_NOT_ON_BILL', `${parent.code} is not on bill ${bill.bill_number}.${where}`, {
      parentCode: parent.code, billNumber: bill.bill_number, otherBillNumber: current?.bill_number ?? null,
    });
  }
  refuseIfCompleted(bill, 'removing parents');

  const count = bill.parent_count - 1;
  const status = count === 0 ? 'open' : 'loading';
  await q.deleteBillParent(tx, parent.id);
  await q.patchBill(tx, bill.id, { parent_count: count, status });
  const { row, summary } = await loadBill(tx, bill.id);
  const audit: AuditEntry = {
    action: 'bill.remove_parent', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: { ...billSnapshot(row), removedParent: parent.code },
  };
  const deltas: CounterDelta[] = [{ name: 'billed_parents', scope: scopeOf(parent.area), delta: -1 }];
  if (status !== bill.status) deltas.push({ name: counterOf(bill.status), scope: NO_AREA_SCOPE, delta: -1 }, { name: counterOf(status), scope: NO_AREA_SCOPE, delta: 1 });
  await bumpCounters(tx, deltas);
  const message = `${parent.code} removed from ${bill.bill_number} (${progress(row)})`;
  return { output: { outcome: 'applied', message, bill: summary }, refs: { billId: bill.id, parentId: parent.id }, audit };
};

/** Completing below capacity needs the caller's explicit allowShort and is recorded as short. */
export const completeBill: BillWrite<BillCompleteInput> = async (tx, actor, input) => {
  const bill = await lockBill(tx, input.billNumber);
  if (bill.status === 'completed') return unchanged(tx, bill.id, `Bill ${bill.bill_number} is already completed.`);
  if (bill.parent_count === 0) throw new AppError('BILL_EMPTY', `Bill ${bill.bill_number} has no parents; add at least one before completing.`, { billNumber: bill.bill_number });
  const isShort = bill.parent_count < bill.capacity;
  if (isShort && !input.allowShort) {
    throw new AppError('BILL_SHORT_NOT_CONFIRMED', `Bill ${bill.bill_number} has ${progress(bill)} parents. Confirm to complete it short.`, {
      billNumber: bill.bill_number, parentCount: bill.parent_count, capacity: bill.capacity,
    });
  }
  await q.patchBill(tx, bill.id, { status: 'completed', is_short: isShort, completed_by: actor.id }, true);
  const { row, summary } = await loadBill(tx, bill.id);
  const audit: AuditEntry = { action: 'bill.complete', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: billSnapshot(row) };
  await bumpCounters(tx, [
    { name: counterOf(bill.status), scope: NO_AREA_SCOPE, delta: -1 },
    { name: 'bills_completed', scope: NO_AREA_SCOPE, delta: 1 },
  ]);
  const message = `Completed bill ${bill.bill_number} (${progress(row)}${isShort ? ', short' : ''}).`;
  return { output: { outcome: 'applied', message, bill: summary }, refs: { billId: bill.id }, audit };
};

/** Unlocks a completed bill for changes; the completion stays in the audit log. */
export const reopenBill: BillWrite<{ billNumber: string }> = async (tx, actor, input) => {
  const bill = await lockBill(tx, input.billNumber);
  if (bill.status !== 'completed') return unchanged(tx, bill.id, `Bill ${bill.bill_number} is not completed.`);
  const status = bill.parent_count === 0 ? 'open' : 'loading';
  await q.patchBill(tx, bill.id, { status, is_short: false, completed_at: null, completed_by: null });
  const { row, summary } = await loadBill(tx, bill.id);
  const audit: AuditEntry = { action: 'bill.reopen', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: billSnapshot(row) };
  await bumpCounters(tx, [
    { name: 'bills_completed', scope: NO_AREA_SCOPE, delta: -1 },
    { name: counterOf(status), scope: NO_AREA_SCOPE, delta: 1 },
  ]);
  return { output: { outcome: 'applied', message: `Reopened bill ${bill.bill_number} (${progress(row)}).`, bill: summary }, refs: { billId: bill.id }, audit };
};

/** Admin only: frees the bill's parents and deletes the bill; bags and history stay. */
export const deleteBill: BillWrite<{ billNumber: string }> = async (tx, actor, input) => {
  const bill = await lockBill(tx, input.billNumber);
  const parents = await q.lockBillParents(tx, bill.id);
  const { summary } = await loadBill(tx, bill.id);
  await q.deleteBillWithParents(tx, bill.id);
  const audit: AuditEntry = {
    action: 'bill.delete', entityType: 'bill', entityId: bill.id, isPermanent: true,
    before: { ...billSnapshot(bill), parentCodes: parents.map((p) => p.code) },
  };
  await bumpCounters(tx, [
    { name: counterOf(bill.status), scope: NO_AREA_SCOPE, delta: -1 },
    ...parents.map((p): CounterDelta => ({ name: 'billed_parents', scope: scopeOf(p.area), delta: -1 })),
  ]);
  const message = `Deleted bill ${bill.bill_number}; ${parents.length} parent${parents.length === 1 ? '' : 's'} freed.`;
  return { output: { outcome: 'applied', message, bill: summary }, refs: { billId: bill.id }, audit };
};

/** Every role may view bills (they have no area). Weights come from the one shared formula. */
export async function getBill(deps: Pick<Deps, 'db'>, input: { billNumber: string }): Promise<BillDetail> {
  const row = await q.findBillDetail(deps.db, { billNumber: input.billNumber });
  if (!row) throw new AppError('BILL_NOT_FOUND', `Bill ${input.billNumber} does not exist.`, { billNumber: input.billNumber });
  return detailOf(row).detail;
}

/** A bill's page from its one-statement read, with the ids of its parents (for its live stream's topics). */
function detailOf(row: NonNullable<Awaited<ReturnType<typeof q.findBillDetail>>>): { detail: BillDetail; parentIds: number[] } {
  const tallies = talliesOfParents(row.parents);
  return {
    detail: { bill: toBillSummary(row, tallies), parents: row.parents.map(toBillParent), returns: row.returns.map(toBillReturnEvent) },
    parentIds: row.parents.map((p) => Number(p.id)),
  };
}

/** The bill's id, for its live page's topic. */
export async function resolveBillId(deps: Pick<Deps, 'db'>, billNumber: string): Promise<number> {
  const row = await q.findBillViewByNumber(deps.db, billNumber);
  if (!row) throw new AppError('BILL_NOT_FOUND', `Bill ${billNumber} does not exist.`, { billNumber });
  return row.id;
}

/**
 * A bill's page for its live stream, or null once it is deleted, with the ids of its parents:
 * the stream also follows them (their children are the bill's weights).
 */
export async function getBillLive(deps: Pick<Deps, 'db'>, billId: number): Promise<{ detail: BillDetail | null; parentIds: number[] }> {
  const row = await q.findBillDetail(deps.db, { id: billId });
  return row ? detailOf(row) : { detail: null, parentIds: [] };
}

/** The list's filter as the queries take it (the same for the list, its count and its export). */
export function billFiltersOf(input: BillFilter): q.BillFilters {
  return {
    status: input.status,
    numberPrefix: input.search ? normalizeCode(input.search) : undefined,
    createdBy: input.createdBy,
    from: input.from,
    to: input.to,
  };
}

/**
 * One keyset page of bills with their weights, newest first; `beforeId` null for the first. The
 * page's totals come from one grouped query over its bill ids. The list and the export share it.
 */
export async function billPage(db: Executor, filter: BillFilter, beforeId: number | null, limit: number) {
  const rows = await q.listBills(db, { ...billFiltersOf(filter), beforeId, limit });
  const { page, nextCursor } = idKeysetPage(rows, limit);
  const tallies = talliesByBill(await q.tallyBills(db, page.map((r) => r.id)));
  return { items: page.map((r) => toBillSummary(r, tallies.get(r.id) ?? [])), nextCursor };
}

export async function listBills(deps: Pick<Deps, 'db'>, input: BillListInput) {
  return billPage(deps.db, input, decodeIdCursor(input.cursor), input.limit);
}
