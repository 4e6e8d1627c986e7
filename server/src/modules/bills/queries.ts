import type { BillStatus } from '@tracetrack/shared';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { returnEventsOfBillQuery } from '../returns/queries';
import { isoText } from '../../infra/iso-text';
import { precompiled } from '../../infra/precompiled';
import type { Executor, Tx } from '../../infra/transaction';

const billColumns = [
  'bl.id', 'bl.bill_number', 'bl.capacity', 'bl.description', 'bl.destination', 'bl.vehicle_number', 'bl.status',
  'bl.parent_count', 'bl.is_short', 'bl.created_at', 'bl.updated_at', 'bl.completed_at',
] as const;

export type LockedBill = NonNullable<Awaited<ReturnType<typeof lockBillByNumber>>>;
export type BillViewRow = NonNullable<Awaited<ReturnType<typeof findBillViewById>>>;

/** The bill with the names of who created and who completed it, as the API shows it. */
function billView(db: Executor) {
  return db
    .selectFrom('bills as bl')
    .leftJoin('users as u', 'u.id', 'bl.created_by')
    .leftJoin('users as cu', 'cu.id', 'bl.completed_by')
    .select([...billColumns, 'u.username as created_by_username', 'cu.username as completed_by_username']);
}

export async function findBillViewById(db: Executor, id: number) {
  return billView(db).where('bl.id', '=', id).executeTakeFirst();
}

export async function findBillViewByNumber(db: Executor, billNumber: string) {
  return billView(db).where('bl.bill_number', '=', billNumber).executeTakeFirst();
}

/** Row-locks a bill: capacity, status and completion rules are checked under this lock. */
export async function lockBillByNumber(tx: Tx, billNumber: string) {
  return tx.selectFrom('bills as bl').select(billColumns).where('bl.bill_number', '=', billNumber).forUpdate().executeTakeFirst();
}

export async function findBagTypeByCode(db: Executor, code: string) {
  return db.selectFrom('bags').select(['id', 'type']).where('code', '=', code).executeTakeFirst();
}

/** Inserts a bill; undefined when bills_number_unique already holds the number (the transaction stays usable). */
export async function insertBill(
  tx: Tx,
  values: { billNumber: string; capacity: number; description: string | null; destination: string | null; vehicleNumber: string | null; createdBy: number },
) {
  return tx
    .insertInto('bills')
    .values({
      bill_number: values.billNumber,
      capacity: values.capacity,
      description: values.description,
      destination: values.destination,
      vehicle_number: values.vehicleNumber,
      created_by: values.createdBy,
    })
    .onConflict((oc) => oc.constraint('bills_number_unique').doNothing())
    .returning('id')
    .executeTakeFirst();
}

export interface BillPatch {
  capacity?: number;
  description?: string | null;
  destination?: string | null;
  vehicle_number?: string | null;
  status?: BillStatus;
  parent_count?: number;
  is_short?: boolean;
  completed_at?: Date | null;
  completed_by?: number | null;
}

export async function patchBill(tx: Tx, id: number, patch: BillPatch, markCompletedNow = false) {
  await tx
    .updateTable('bills')
    .set({ ...patch, updated_at: sql`now()`, ...(markCompletedNow ? { completed_at: sql`now()` } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function findBillOfParent(db: Executor, parentId: number) {
  return db
    .selectFrom('bill_parents as bp')
    .innerJoin('bills as bl', 'bl.id', 'bp.bill_id')
    .select(['bp.bill_id', 'bl.bill_number'])
    .where('bp.parent_id', '=', parentId)
    .executeTakeFirst();
}

export async function insertBillParent(tx: Tx, values: { parentId: number; billId: number; addedBy: number }) {
  await tx.insertInto('bill_parents').values({ parent_id: values.parentId, bill_id: values.billId, added_by: values.addedBy }).execute();
}

export async function deleteBillParent(tx: Tx, parentId: number) {
  await tx.deleteFrom('bill_parents').where('parent_id', '=', parentId).execute();
}

/** Locks a bill's parent rows (after the bill row); their codes go to the audit, their areas to the counters. */
export async function lockBillParents(tx: Tx, billId: number) {
  return tx
    .selectFrom('bill_parents as bp')
    .innerJoin('bags as b', 'b.id', 'bp.parent_id')
    .select(['bp.parent_id', 'b.code', 'b.area'])
    .where('bp.bill_id', '=', billId)
    .orderBy('bp.parent_id')
    .forUpdate('bp')
    .execute();
}

export async function deleteBillWithParents(tx: Tx, billId: number) {
  await tx.deleteFrom('bill_parents').where('bill_id', '=', billId).execute();
  await tx.deleteFrom('bills').where('id', '=', billId).execute();
}

export interface TallyRow {
  bill_id: number;
  format: string;
  parents: number;
  children: number;
}

/** Per-bill, per-format tallies of parents and their children: one grouped query for any number of bills. */
function talliesQuery(db: Executor) {
  return db
    .selectFrom('bill_parents as bp')
    .innerJoin('bags as b', 'b.id', 'bp.parent_id')
    .select([
      'bp.bill_id',
      'b.format',
      sql<number>`count(*)::int`.as('parents'),
      sql<number>`coalesce(sum(b.child_count), 0)::int`.as('children'),
    ])
    .groupBy(['bp.bill_id', 'b.format']);
}

export async function tallyBills(db: Executor, billIds: readonly number[]): Promise<TallyRow[]> {
  if (billIds.length === 0) return [];
  const rows = await talliesQuery(db).where('bp.bill_id', 'in', billIds).execute();
  return rows.map((r) => ({ bill_id: r.bill_id, format: r.format ?? '', parents: r.parents, children: r.children }));
}

/**
 * A bill's parents (up to 500). `added_at` comes as the ISO text the API sends (what
 * Date#toISOString gives: UTC, milliseconds), sparing 500 date parses and re-formats per call.
 */
function parentsOfBillQuery(db: Executor) {
  return db
    .selectFrom('bill_parents as bp')
    .innerJoin('bags as b', 'b.id', 'bp.parent_id')
    .select([
      'b.id', 'b.code', 'b.format', 'b.capacity', 'b.child_count',
      isoText('bp.added_at').as('added_at'),
    ])
    .orderBy('bp.added_at')
    .orderBy('b.id');
}

/**
 * bill.get (and a bill page's live stream) in one statement: the bill's view and, as JSON beside
 * it, its parents and its return events, instead of several round trips. Its tallies by format
 * are counted from those parents (talliesOfParents): the list has no limit (a bill holds at most
 * BILL_MAX_CAPACITY), so Postgres joins a bill's parents to their bags once, not twice.
 */
const billDetailQuery = (db: Executor, view: ReturnType<typeof billView>) => {
  const billId = sql.ref<number>('v.id');
  return db
    .selectFrom(view.as('v'))
    .selectAll('v')
    .select(() => [
      jsonArrayFrom(parentsOfBillQuery(db).where('bp.bill_id', '=', billId)).as('parents'),
      jsonArrayFrom(returnEventsOfBillQuery(db, billId)).as('returns'),
    ]);
};
// Its two shapes, compiled once (infra/precompiled.ts): by id and by bill number.
const billDetailById = precompiled(1, (db, id: number) => billDetailQuery(db, billView(db).where('bl.id', '=', id)));
const billDetailByNumber = precompiled(1, (db, billNumber: string) => billDetailQuery(db, billView(db).where('bl.bill_number', '=', billNumber)));

export async function findBillDetail(db: Executor, by: { billNumber: string } | { id: number }) {
  const [row] = 'id' in by ? await billDetailById(db, by.id) : await billDetailByNumber(db, by.billNumber);
  return row;
}

export type BillParentRow = Awaited<ReturnType<ReturnType<typeof parentsOfBillQuery>['execute']>>[number];

export interface BillFilters {
  status?: BillStatus | undefined;
  numberPrefix?: string | undefined;
  createdBy?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}
export interface BillListFilters extends BillFilters {
  beforeId: number | null;
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The bill view narrowed by a filter: the one WHERE behind the list, its count and its export. */
function filteredBills(db: Executor, f: BillFilters) {
  let q = billView(db);
  if (f.status) q = q.where('bl.status', '=', f.status);
  if (f.numberPrefix) q = q.where('bl.bill_number', 'like', `${escapeLike(f.numberPrefix)}%`);
  if (f.createdBy) {
    const username = f.createdBy.toLowerCase();
    q = q.where('bl.created_by', '=', (eb) => eb.selectFrom('users').select('id').where(sql`lower(username)`, '=', username));
  }
  if (f.from) q = q.where('bl.created_at', '>=', new Date(f.from));
  if (f.to) q = q.where('bl.created_at', '<=', new Date(f.to));
  return q;
}

/** Newest first, keyset on id; fetches one extra row to know whether another page exists. */
export async function listBills(db: Executor, f: BillListFilters) {
  let q = filteredBills(db, f);
  if (f.beforeId !== null) q = q.where('bl.id', '<', f.beforeId);
  return q.orderBy('bl.id', 'desc').limit(f.limit + 1).execute();
}

/** How many bills match, counting at most `cap + 1` (the caller says "more than cap"). */
export async function countBills(db: Executor, f: BillFilters, cap: number): Promise<number> {
  const matching = filteredBills(db, f).clearSelect().select('bl.id').limit(cap + 1);
  const row = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Children of some of a bill's parents, by parent then link order. */
export async function listChildCodesOfBillParents(db: Executor, billId: number, parentCodes: readonly string[]) {
  return db
    .selectFrom('bill_parents as bp')
    .innerJoin('bags as p', 'p.id', 'bp.parent_id')
    .innerJoin('links as l', 'l.parent_id', 'bp.parent_id')
    .innerJoin('bags as c', 'c.id', 'l.child_id')
    .select(['p.code as parent_code', 'c.code as child_code'])
    .where('bp.bill_id', '=', billId)
    .where('p.code', 'in', parentCodes)
    .orderBy('bp.added_at')
    .orderBy('p.id')
    .orderBy('l.linked_at')
    .orderBy('c.id')
    .execute();
}

/**
 * Bills created or completed within [start, end) (bills_created_at, bills_completed_at), with
 * who completed them and which of the two happened in the range. Bounded by a day's bills.
 */
export async function listBillsCreatedOrCompletedBetween(db: Executor, start: Date, end: Date) {
  return billView(db)
    .select([
      sql<boolean>`bl.created_at >= ${start} and bl.created_at < ${end}`.as('is_created_in_range'),
      sql<boolean>`coalesce(bl.completed_at >= ${start} and bl.completed_at < ${end}, false)`.as('is_completed_in_range'),
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('bl.created_at', '>=', start), eb('bl.created_at', '<', end)]),
        eb.and([eb('bl.completed_at', '>=', start), eb('bl.completed_at', '<', end)]),
      ]),
    )
    .orderBy('bl.id')
    .execute();
}
