import { type BillFilter, type BillParent, type BillReturnEvent, type BillSummary, CHILD_WEIGHT_KG, computeBillWeights } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import type { Executor } from '../../infra/transaction';
import { listChildCodesOfBillParents } from '../bills/queries';
import { billPage, getBill } from '../bills/service';
import { countReturnsOfBills } from '../returns/queries';
import { EXPORT_PAGE_ROWS } from './bag-sheets';
import { localDateTime } from './local-time';
import { type Column, onePage, type Sheet } from './sheet';

export function billColumns(timeZone: string): Column<BillSummary>[] {
  return [
    { header: 'Bill number', value: (b) => b.billNumber, width: 18 },
    { header: 'Status', value: (b) => b.status },
    { header: 'Short', value: (b) => (b.isShort ? 'yes' : 'no') },
    { header: 'Capacity', value: (b) => b.capacity },
    { header: 'Parents', value: (b) => b.parentCount },
    { header: 'Children', value: (b) => b.childCount },
    { header: 'Actual (kg)', value: (b) => b.actualWeightKg },
    { header: 'Expected (kg)', value: (b) => b.expectedWeightKg },
    { header: 'Variance (kg)', value: (b) => b.varianceKg },
    { header: 'Destination', value: (b) => b.destination, width: 20 },
    { header: 'Vehicle', value: (b) => b.vehicleNumber, width: 14 },
    { header: 'Description', value: (b) => b.description, width: 30 },
    { header: 'Created by', value: (b) => b.createdBy, width: 16 },
    { header: `Created (${timeZone})`, value: (b) => localDateTime(b.createdAt, timeZone), width: 20 },
    { header: `Completed (${timeZone})`, value: (b) => localDateTime(b.completedAt, timeZone), width: 20 },
  ];
}

type BillWithReturns = BillSummary & { returnedParents: number };

/**
 * The bill list's rows for a filter, newest first, page by page (keyset on id) with their weights
 * and how many of their parents came back on return tickets (one grouped query per page).
 */
export function billSheet(deps: Pick<Deps, 'db' | 'config'>, filter: BillFilter): Sheet<BillWithReturns> {
  async function* rows() {
    let beforeId: number | null = null;
    for (;;) {
      const { items, nextCursor } = await billPage(deps.db, filter, beforeId, EXPORT_PAGE_ROWS);
      const returned = await countReturnsOfBills(deps.db, items.map((b) => b.id));
      if (items.length > 0) yield items.map((b) => ({ ...b, returnedParents: returned.get(b.id) ?? 0 }));
      if (nextCursor === null) return;
      beforeId = items.at(-1)!.id;
    }
  }
  const columns: Column<BillWithReturns>[] = [...billColumns(deps.config.timeZone), { header: 'Returned parents', value: (b) => b.returnedParents }];
  return { name: 'Bills', columns, rows: rows() };
}

function returnColumns(timeZone: string): Column<BillReturnEvent>[] {
  return [
    { header: 'Parent', value: (r) => r.parentCode, width: 14 },
    { header: 'Return ticket', value: (r) => r.ticketNumber, width: 20 },
    { header: 'Parents before', value: (r) => r.parentsBefore },
    { header: 'Parents after', value: (r) => r.parentsAfter },
    { header: 'Children before', value: (r) => r.childrenBefore },
    { header: 'Children after', value: (r) => r.childrenAfter },
    { header: 'Weight before (kg)', value: (r) => r.weightBeforeKg },
    { header: 'Weight after (kg)', value: (r) => r.weightAfterKg },
    { header: 'Returned by', value: (r) => r.returnedBy, width: 16 },
    { header: `Returned (${timeZone})`, value: (r) => localDateTime(r.returnedAt, timeZone), width: 20 },
  ];
}

interface ManifestChild {
  parentCode: string;
  childCode: string;
}

const parentColumns: Column<BillParent>[] = [
  { header: 'Parent', value: (p) => p.code, width: 14 },
  { header: 'Format', value: (p) => p.format },
  { header: 'Children', value: (p) => p.childCount },
  { header: 'Capacity', value: (p) => p.capacity },
  { header: 'Status', value: (p) => p.status },
  { header: 'Actual (kg)', value: (p) => p.actualWeightKg },
  { header: 'Expected (kg)', value: (p) => p.expectedWeightKg },
  { header: 'Variance (kg)', value: (p) => computeBillWeights([{ format: p.format, parents: 1, children: p.childCount }]).varianceKg },
];

const childColumns: Column<ManifestChild>[] = [
  { header: 'Parent', value: (c) => c.parentCode, width: 14 },
  { header: 'Child', value: (c) => c.childCode, width: 22 },
  { header: 'Weight (kg)', value: () => CHILD_WEIGHT_KG },
];

/** Parents per children query: a bill holds at most 500 parents of at most 30 children. */
const PARENTS_PER_PAGE = 50;

async function* childrenOf(db: Executor, billId: number, parentCodes: readonly string[]) {
  for (let i = 0; i < parentCodes.length; i += PARENTS_PER_PAGE) {
    const rows = await listChildCodesOfBillParents(db, billId, parentCodes.slice(i, i + PARENTS_PER_PAGE));
    if (rows.length > 0) yield rows.map((r) => ({ parentCode: r.parent_code, childCode: r.child_code }));
  }
}

/** One bill's manifest: the bill, its parents with their weights, every child in them, and the parents returned from it. */
export async function billManifestSheets(deps: Pick<Deps, 'db' | 'config'>, billNumber: string): Promise<{ bill: BillSummary; sheets: Sheet[] }> {
  const detail = await getBill(deps, { billNumber });
  const sheets: Sheet[] = [
    { name: 'Bill', columns: billColumns(deps.config.timeZone), rows: onePage([detail.bill]) },
    { name: 'Parents', columns: parentColumns, rows: onePage(detail.parents) },
    { name: 'Children', columns: childColumns, rows: childrenOf(deps.db, detail.bill.id, detail.parents.map((p) => p.code)) },
    { name: 'Returns', columns: returnColumns(deps.config.timeZone), rows: onePage(detail.returns) },
  ];
  return { bill: detail.bill, sheets };
}
