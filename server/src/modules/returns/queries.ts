import type { ReturnTicketStatus } from '@tracetrack/shared';
import { type RawBuilder, sql } from 'kysely';
import { isoText as iso } from '../../infra/iso-text';
import type { Executor, Tx } from '../../infra/transaction';


const ticketColumns = [
  'rt.id', 'rt.ref', 'rt.number', 'rt.area', 'rt.notes', 'rt.status', 'rt.parent_count', 'rt.child_count', 'rt.weight_kg',
] as const;

/** A ticket with the names of who opened and who closed it, as the API shows it. */
function ticketView(db: Executor) {
  return db
    .selectFrom('return_tickets as rt')
    .leftJoin('users as cu', 'cu.id', 'rt.created_by')
    .leftJoin('users as xu', 'xu.id', 'rt.closed_by')
    .select([
      ...ticketColumns, 'cu.username as created_by_username', 'xu.username as closed_by_username',
      iso('rt.created_at').as('created_at'), iso('rt.updated_at').as('updated_at'), iso('rt.closed_at').as('closed_at'),
    ]);
}
export type TicketViewRow = NonNullable<Awaited<ReturnType<typeof findTicketViewById>>>;

export async function findTicketViewById(db: Executor, id: number) {
  return ticketView(db).where('rt.id', '=', id).executeTakeFirst();
}

export async function findTicketViewByRef(db: Executor, ref: string) {
  return ticketView(db).where('rt.ref', '=', ref).executeTakeFirst();
}

export async function findTicketViewByNumber(db: Executor, number: string) {
  return ticketView(db).where('rt.number', '=', number).executeTakeFirst();
}

/** Row-locks a ticket: its status and totals change only under this lock (taken before any bag or bill). */
export async function lockTicketByRef(tx: Tx, ref: string) {
  return tx.selectFrom('return_tickets as rt').select(ticketColumns).where('rt.ref', '=', ref).forUpdate().executeTakeFirst();
}
export type LockedTicket = NonNullable<Awaited<ReturnType<typeof lockTicketByRef>>>;


/** Inserts a ticket; undefined when its ref or its number is taken (the transaction stays usable). */
export async function insertTicket(tx: Tx, values: { ref: string; number: string; area: string; notes: string | null; createdBy: number }) {
  return tx
    .insertInto('return_tickets')
    .values({ ref: values.ref, number: values.number, area: values.area, notes: values.notes, created_by: values.createdBy })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
}

export interface TicketPatch {
  area?: string;
  notes?: string | null;
  status?: ReturnTicketStatus;
  parent_count?: number;
  child_count?: number;
  weight_kg?: number;
  closed_by?: number;
}

export async function patchTicket(tx: Tx, id: number, patch: TicketPatch) {
  await tx
    .updateTable('return_tickets')
    .set({ ...patch, updated_at: sql`now()`, ...(patch.status && patch.status !== 'open' ? { closed_at: sql`now()` } : {}) })
    .where('id', '=', id)
    .execute();
}

/** The ticket this parent is on already: this one, or another still open (read under the parent's lock). */
export async function findOpenTicketsOfParent(db: Executor, parentId: number) {
  return db
    .selectFrom('return_ticket_bags as tb')
    .innerJoin('return_tickets as rt', 'rt.id', 'tb.ticket_id')
    .select(['rt.id', 'rt.number', 'rt.status'])
    .where('tb.parent_id', '=', parentId)
    .where('rt.status', '=', 'open')
    .execute();
}

export async function insertTicketBag(
  tx: Tx,
  values: { ticketId: number; parentId: number; parentCode: string; format: string; childCount: number; weightKg: number; billId: number; billNumber: string; returnedBy: number },
) {
  await tx
    .insertInto('return_ticket_bags')
    .values({
      ticket_id: values.ticketId, parent_id: values.parentId, parent_code: values.parentCode, format: values.format, child_count: values.childCount,
      weight_kg: values.weightKg, bill_id: values.billId, bill_number: values.billNumber, returned_by: values.returnedBy,
    })
    .execute();
}

export async function insertBillReturnEvent(
  tx: Tx,
  values: {
    billId: number; billNumber: string; ticketId: number; parentId: number; parentCode: string; returnedBy: number;
    parentsBefore: number; parentsAfter: number; childrenBefore: number; childrenAfter: number; weightBeforeKg: number; weightAfterKg: number;
  },
) {
  await tx
    .insertInto('bill_return_events')
    .values({
      bill_id: values.billId, bill_number: values.billNumber, ticket_id: values.ticketId, parent_id: values.parentId, parent_code: values.parentCode,
      parents_before: values.parentsBefore, parents_after: values.parentsAfter, children_before: values.childrenBefore, children_after: values.childrenAfter,
      weight_before_kg: values.weightBeforeKg, weight_after_kg: values.weightAfterKg, returned_by: values.returnedBy,
    })
    .execute();
}

/** A ticket's bags, newest first (`limit` of them; the export pages through all with `beforeId`). */
export async function listTicketBags(db: Executor, ticketId: number, limit: number, beforeId: number | null = null) {
  let q = db
    .selectFrom('return_ticket_bags as tb')
    .leftJoin('users as u', 'u.id', 'tb.returned_by')
    .select([
      'tb.id', 'tb.parent_code', 'tb.format', 'tb.child_count', 'tb.weight_kg', 'tb.bill_number', 'u.username as returned_by_username',
      iso('tb.returned_at').as('returned_at'),
    ])
    .where('tb.ticket_id', '=', ticketId);
  if (beforeId !== null) q = q.where('tb.id', '<', beforeId);
  return q.orderBy('tb.id', 'desc').limit(limit).execute();
}
export type TicketBagRow = Awaited<ReturnType<typeof listTicketBags>>[number];

/** The return events of a bill, newest first (at most a bill's capacity: 500). */
/** A bill's return events, newest first (at most 500); `billId` may be a reference to an outer query's column. */
export function returnEventsOfBillQuery(db: Executor, billId: number | RawBuilder<number>) {
  return returnEventView(db).where('e.bill_id', '=', billId).orderBy('e.id', 'desc').limit(500);
}

function returnEventView(db: Executor) {
  return db
    .selectFrom('bill_return_events as e')
    .innerJoin('return_tickets as rt', 'rt.id', 'e.ticket_id')
    .leftJoin('users as u', 'u.id', 'e.returned_by')
    .select([
      'e.id', 'e.bill_number', 'e.parent_code', 'rt.ref as ticket_ref', 'rt.number as ticket_number', 'e.parents_before', 'e.parents_after',
      'e.children_before', 'e.children_after', 'e.weight_before_kg', 'e.weight_after_kg', 'u.username as returned_by_username',
      iso('e.returned_at').as('returned_at'),
    ]);
}
export type ReturnEventRow = Awaited<ReturnType<ReturnType<typeof returnEventView>['execute']>>[number];

/** Return events within [start, end), for the end-of-day summary (returned_at index; bounded by a day's returns). */
export async function listReturnEventsBetween(db: Executor, start: Date, end: Date) {
  return returnEventView(db).where('e.returned_at', '>=', start).where('e.returned_at', '<', end).orderBy('e.id').execute();
}

export interface TicketFilters {
  status?: ReturnTicketStatus | undefined;
  area?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function filteredTickets(db: Executor, f: TicketFilters) {
  let q = ticketView(db);
  if (f.status) q = q.where('rt.status', '=', f.status);
  if (f.area) q = q.where('rt.area', '=', f.area);
  if (f.from) q = q.where('rt.created_at', '>=', new Date(f.from));
  if (f.to) q = q.where('rt.created_at', '<=', new Date(f.to));
  return q;
}

/** Newest first, keyset on id; one row more than the limit tells whether another page follows. */
export async function listTickets(db: Executor, f: TicketFilters & { beforeId: number | null; limit: number }) {
  let q = filteredTickets(db, f);
  if (f.beforeId !== null) q = q.where('rt.id', '<', f.beforeId);
  return q.orderBy('rt.id', 'desc').limit(f.limit + 1).execute();
}

/** How many parents came back from each of these bills (one grouped query; the bills export's column). */
export async function countReturnsOfBills(db: Executor, billIds: readonly number[]): Promise<Map<number, number>> {
  if (billIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('bill_return_events')
    .select(['bill_id', sql<number>`count(*)::int`.as('n')])
    .where('bill_id', 'in', billIds)
    .groupBy('bill_id')
    .execute();
  return new Map(rows.map((r) => [r.bill_id!, r.n]));
}
