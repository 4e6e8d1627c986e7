import { randomBytes } from 'node:crypto';
import {
  AppError,
  parentActualWeightKg,
  RETURN_DETAIL_BAGS,
  type ReturnCreateInput,
  type ReturnListInput,
  type ReturnMutationOutput,
  type ReturnScanInput,
  type ReturnTicketDetail,
  type ReturnTicketRefInput,
  type ReturnUpdateInput,
} from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { decodeIdCursor, idKeysetPage } from '../../infra/keyset-cursor';
import { type Executor, inTransaction, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { type AuditEntry, insertAudit } from '../audit/queries';
import { lockBagByCode } from '../bags/queries';
import { classifyOrRefuse } from '../bags/code-slots';
import { blankToNull, counterOf, loadBill } from '../bills/service';
import { billSnapshot } from '../bills/mappers';
import * as bills from '../bills/queries';
import { type CounterDelta, NO_AREA_SCOPE, scopeOf } from '../counters/deltas';
import { bumpCounters } from '../counters/queries';
import { timeZoneDay } from '../counters/time-zone-day';
import type { EffectContext, ScanRefs } from '../scans/types';
import { ticketSnapshot, toReturnedBag, toReturnTicket } from './mappers';
import { areaExists } from '../areas/queries';
import * as q from './queries';

/** What a ticket write reports: the API output, the rows it touched (scan-event refs), its audit rows. */
export interface ReturnWriteResult {
  output: ReturnMutationOutput;
  refs: ScanRefs;
  audits: AuditEntry[];
}

/**
 * A ticket write runs inside a transaction its caller owns: the scan path (online procedure and
 * sync push alike, see scans/work.ts), or applyReturnWrite for the edit, which no device queues.
 */
export type ReturnWrite<I> = (tx: Tx, actor: Actor, input: I, at: EffectContext) => Promise<ReturnWriteResult>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The online path of a write no device queues: one transaction, its audit rows in it. */
export async function applyReturnWrite<I>(deps: Pick<Deps, 'db' | 'clock' | 'config'>, actor: Actor, meta: RequestMeta, write: ReturnWrite<I>, input: I) {
  const result = await inTransaction(deps.db, async (tx) => {
    const r = await write(tx, actor, input, { now: deps.clock(), timeZone: deps.config.timeZone });
    for (const audit of r.audits) await insertAudit(tx, { actor, meta }, audit);
    return r;
  });
  return result.output;
}

async function ticketOutput(db: Executor, id: number, outcome: 'applied' | 'unchanged', message: string): Promise<ReturnMutationOutput> {
  const row = await q.findTicketViewById(db, id);
  if (!row) throw new AppError('TICKET_NOT_FOUND', 'The return ticket no longer exists.');
  return { outcome, message, ticket: toReturnTicket(row) };
}

async function lockTicket(tx: Tx, ticketId: string) {
  const ticket = await q.lockTicketByRef(tx, ticketId);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'There is no such return ticket.', { ticketId });
  return ticket;
}

function refuseIfClosed(ticket: q.LockedTicket, doing: string) {
  if (ticket.status !== 'open') {
    const state = ticket.status === 'committed' ? 'finalised' : 'cancelled';
    throw new AppError('TICKET_CLOSED', `Return ticket ${ticket.number} is ${state}; ${doing} needs an open ticket.`, { ticketNumber: ticket.number, status: ticket.status });
  }
}

async function refuseUnknownArea(db: Executor, area: string) {
  if (!(await areaExists(db, area))) throw new AppError('AREA_NOT_FOUND', `There is no dispatch area "${area}".`, { area });
}

/** RTN-YYYYMMDD-XXXX: the day in the warehouses' time zone, then 4 random upper-case hex digits. */
export function ticketNumberOf(now: Date, timeZone: string): string {
  return `RTN-${timeZoneDay(now, timeZone).replaceAll('-', '')}-${randomBytes(2).toString('hex').toUpperCase()}`;
}

/** 65,536 numbers a day: a few tries find a free one unless the day is nearly full. */
const NUMBER_TRIES = 20;

/** Opens a ticket under the id the device made; the same id again changes nothing. */
export const createReturnTicket: ReturnWrite<ReturnCreateInput> = async (tx, actor, input, at) => {
  const existing = await q.findTicketViewByRef(tx, input.ticketId);
  if (existing) return { output: { outcome: 'unchanged', message: `Return ticket ${existing.number} already exists.`, ticket: toReturnTicket(existing) }, refs: {}, audits: [] };
  await refuseUnknownArea(tx, input.area);
  for (let i = 0; i < NUMBER_TRIES; i++) {
    const number = ticketNumberOf(at.now, at.timeZone);
    const inserted = await q.insertTicket(tx, { ref: input.ticketId, number, area: input.area, notes: blankToNull(input.notes), createdBy: actor.id });
    if (inserted) {
      const output = await ticketOutput(tx, inserted.id, 'applied', `Opened return ticket ${number}.`);
      const after = { number, area: input.area, notes: blankToNull(input.notes), status: 'open' };
      return { output, refs: {}, audits: [{ action: 'return.create', entityType: 'return_ticket', entityId: number, after }] };
    }
    // Another call took this id at the same moment: the ticket is theirs and ours.
    const raced = await q.findTicketViewByRef(tx, input.ticketId);
    if (raced) return { output: { outcome: 'unchanged', message: `Return ticket ${raced.number} already exists.`, ticket: toReturnTicket(raced) }, refs: {}, audits: [] };
  }
  throw new AppError('TRANSIENT', 'No free return ticket number was found for today; try again.');
};

/**
 * Takes a parent off its bill onto the ticket (RULES.md, returns). Checks in the order;
 * locks in the shared order: the ticket, then the parent bag, then its bill (bag before bill, as
 * bill.addParent and bill.removeParent do), so a racing scan onto another ticket waits on the
 * parent's row and then sees this ticket.
 */
export const scanReturn: ReturnWrite<ReturnScanInput> = async (tx, actor, input) => {
  const ticket = await lockTicket(tx, input.ticketId);
  refuseIfClosed(ticket, 'scanning');
  const code = classifyOrRefuse(input.code).code;
  const parent = await lockBagByCode(tx, code);
  if (!parent) throw new AppError('BAG_NOT_FOUND', `${code} is not a registered bag.`, { parentCode: code });
  if (parent.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag; returns are parent bags.`, { parentCode: code, refs: { childId: parent.id } });
  const refs: ScanRefs = { parentId: parent.id };
  const onTickets = await q.findOpenTicketsOfParent(tx, parent.id);
  if (onTickets.some((t) => t.id === ticket.id)) {
    throw new AppError('ALREADY_ON_TICKET', `${code} is already on return ticket ${ticket.number}.`, { parentCode: code, ticketNumber: ticket.number, refs });
  }
  const other = onTickets[0];
  if (other) {
    throw new AppError('ON_OTHER_TICKET', `${code} is on open return ticket ${other.number}. Finish or cancel that ticket first.`, {
      parentCode: code, otherTicketNumber: other.number, refs,
    });
  }
  const onBill = await bills.findBillOfParent(tx, parent.id);
  if (!onBill) throw new AppError('NOT_ON_A_BILL', `${code} is not on any bill, so it cannot be returned.`, { parentCode: code, refs });
  const bill = await bills.lockBillByNumber(tx, onBill.bill_number);
  // The bag's bill row is fixed under the bag's lock; the bill itself may have been deleted before we locked it.
  if (!bill || (await bills.findBillOfParent(tx, parent.id))?.bill_id !== bill.id) {
    throw new AppError('NOT_ON_A_BILL', `${code} is not on any bill any more, so it cannot be returned.`, { parentCode: code, refs });
  }

  const before = await loadBill(tx, bill.id);
  const count = bill.parent_count - 1;
  // A completed bill stays completed: the truck left with it; the return is recorded beside it.
  const status = bill.status === 'completed' ? 'completed' : count === 0 ? 'open' : 'loading';
  await bills.deleteBillParent(tx, parent.id);
  await bills.patchBill(tx, bill.id, { parent_count: count, status });
  const after = await loadBill(tx, bill.id);

  const weightKg = parentActualWeightKg(parent.child_count);
  const format = parent.format ?? '';
  await q.insertTicketBag(tx, {
    ticketId: ticket.id, parentId: parent.id, parentCode: parent.code, format, childCount: parent.child_count, weightKg,
    billId: bill.id, billNumber: bill.bill_number, returnedBy: actor.id,
  });
  const event = {
    parentsBefore: before.summary.parentCount, parentsAfter: after.summary.parentCount,
    childrenBefore: before.summary.childCount, childrenAfter: after.summary.childCount,
    weightBeforeKg: before.summary.actualWeightKg, weightAfterKg: after.summary.actualWeightKg,
  };
  await q.insertBillReturnEvent(tx, { billId: bill.id, billNumber: bill.bill_number, ticketId: ticket.id, parentId: parent.id, parentCode: parent.code, returnedBy: actor.id, ...event });
  const totals = { parent_count: ticket.parent_count + 1, child_count: ticket.child_count + parent.child_count, weight_kg: Number(ticket.weight_kg) + weightKg };
  await q.patchTicket(tx, ticket.id, totals);

  const deltas: CounterDelta[] = [{ name: 'billed_parents', scope: scopeOf(parent.area), delta: -1 }];
  if (status !== bill.status) {
    deltas.push({ name: counterOf(bill.status), scope: NO_AREA_SCOPE, delta: -1 }, { name: counterOf(status), scope: NO_AREA_SCOPE, delta: 1 });
  }
  await bumpCounters(tx, deltas);

  const message = `${parent.code} returned from bill ${bill.bill_number} (${after.summary.parentCount} parents left); ticket ${ticket.number}: ${plural(totals.parent_count, 'bag')}.`;
  const output = await ticketOutput(tx, ticket.id, 'applied', message);
  const [bag] = await q.listTicketBags(tx, ticket.id, 1);
  output.bag = bag ? toReturnedBag(bag) : undefined;
  output.event = {
    parentCode: parent.code, ticketId: input.ticketId, ticketNumber: ticket.number, ...event, returnedBy: actor.username, returnedAt: bag?.returned_at ?? new Date().toISOString(),
  };
  const audits: AuditEntry[] = [
    { action: 'return.scan', entityType: 'return_ticket', entityId: ticket.number, before: ticketSnapshot(ticket), after: { ...ticketSnapshot({ ...ticket, ...totals }), returnedParent: parent.code, fromBill: bill.bill_number } },
    { action: 'bill.return_parent', entityType: 'bill', entityId: bill.id, before: billSnapshot(bill), after: { ...billSnapshot(after.row), returnedParent: parent.code, ticketNumber: ticket.number } },
  ];
  return { output, refs: { ...refs, billId: bill.id }, audits };
};

/** Location and notes, while the ticket is open. */
export const updateReturnTicket: ReturnWrite<ReturnUpdateInput> = async (tx, actor, input) => {
  const ticket = await lockTicket(tx, input.ticketId);
  refuseIfClosed(ticket, 'editing');
  const patch: q.TicketPatch = {};
  if (input.area !== undefined && input.area !== ticket.area) {
    await refuseUnknownArea(tx, input.area);
    patch.area = input.area;
  }
  if (input.notes !== undefined && blankToNull(input.notes) !== ticket.notes) patch.notes = blankToNull(input.notes);
  if (Object.keys(patch).length === 0) return { output: await ticketOutput(tx, ticket.id, 'unchanged', `Return ticket ${ticket.number} is unchanged.`), refs: {}, audits: [] };
  await q.patchTicket(tx, ticket.id, patch);
  const output = await ticketOutput(tx, ticket.id, 'applied', `Updated return ticket ${ticket.number}.`);
  const audit: AuditEntry = { action: 'return.update', entityType: 'return_ticket', entityId: ticket.number, before: ticketSnapshot(ticket), after: ticketSnapshot({ ...ticket, ...patch }) };
  return { output, refs: {}, audits: [audit] };
};

/** Finalising needs at least one bag; the ticket is committed and takes no more scans. */
export const finalizeReturnTicket: ReturnWrite<ReturnTicketRefInput> = async (tx, actor, input) => {
  const ticket = await lockTicket(tx, input.ticketId);
  if (ticket.status === 'committed') return { output: await ticketOutput(tx, ticket.id, 'unchanged', `Return ticket ${ticket.number} is already finalised.`), refs: {}, audits: [] };
  refuseIfClosed(ticket, 'finalising');
  if (ticket.parent_count === 0) {
    throw new AppError('TICKET_EMPTY', `Return ticket ${ticket.number} has no bags; scan at least one before finalising, or cancel it.`, { ticketNumber: ticket.number });
  }
  await q.patchTicket(tx, ticket.id, { status: 'committed', closed_by: actor.id });
  const message = `Finalised return ticket ${ticket.number}: ${plural(ticket.parent_count, 'bag')}, ${Number(ticket.weight_kg)} kg.`;
  const audit: AuditEntry = { action: 'return.finalize', entityType: 'return_ticket', entityId: ticket.number, before: ticketSnapshot(ticket), after: ticketSnapshot({ ...ticket, status: 'committed' }) };
  return { output: await ticketOutput(tx, ticket.id, 'applied', message), refs: {}, audits: [audit] };
};

/** Cancelling closes the ticket; bags already returned stay off their bills (they can go on new ones). */
export const cancelReturnTicket: ReturnWrite<ReturnTicketRefInput> = async (tx, actor, input) => {
  const ticket = await lockTicket(tx, input.ticketId);
  if (ticket.status === 'cancelled') return { output: await ticketOutput(tx, ticket.id, 'unchanged', `Return ticket ${ticket.number} is already cancelled.`), refs: {}, audits: [] };
  refuseIfClosed(ticket, 'cancelling');
  await q.patchTicket(tx, ticket.id, { status: 'cancelled', closed_by: actor.id });
  const kept = ticket.parent_count === 0 ? '' : ` Its ${plural(ticket.parent_count, 'returned bag')} stay off their bills and can go on new bills.`;
  const audit: AuditEntry = { action: 'return.cancel', entityType: 'return_ticket', entityId: ticket.number, before: ticketSnapshot(ticket), after: ticketSnapshot({ ...ticket, status: 'cancelled' }) };
  return { output: await ticketOutput(tx, ticket.id, 'applied', `Cancelled return ticket ${ticket.number}.${kept}`), refs: {}, audits: [audit] };
};

export async function getReturnTicket(deps: Pick<Deps, 'db'>, input: ReturnTicketRefInput): Promise<ReturnTicketDetail> {
  const row = await q.findTicketViewByRef(deps.db, input.ticketId);
  if (!row) throw new AppError('TICKET_NOT_FOUND', 'There is no such return ticket.', { ticketId: input.ticketId });
  const bags = await q.listTicketBags(deps.db, row.id, RETURN_DETAIL_BAGS);
  return { ticket: toReturnTicket(row), bags: bags.map(toReturnedBag) };
}

/** One keyset page of tickets, newest first, and the last row's id (where the next starts); the list and the export share it. */
export async function ticketPage(db: Executor, filter: q.TicketFilters, beforeId: number | null, limit: number) {
  const rows = await q.listTickets(db, { ...filter, beforeId, limit });
  const { page, nextCursor } = idKeysetPage(rows, limit);
  return { items: page.map(toReturnTicket), nextCursor, lastId: page.at(-1)?.id ?? null };
}

export async function listReturnTickets(deps: Pick<Deps, 'db'>, input: ReturnListInput) {
  const { items, nextCursor } = await ticketPage(deps.db, input, decodeIdCursor(input.cursor), input.limit);
  return { items, nextCursor };
}
