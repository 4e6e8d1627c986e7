import type { BillDetail, BillStatus, BillSummary } from '@tracetrack/shared';
import { formatSpec, normalizeCode, parseBagCode } from '@tracetrack/shared/codes';
import { computeBillWeights } from '@tracetrack/shared/weights';
import type { BillRow, OutboxRow } from '../../local-db/db';

/** The row a bill list shows: what the server sends, or what the device stored for offline use. */
export type BillListRow = Pick<BillSummary, 'billNumber' | 'status' | 'isShort' | 'parentCount' | 'capacity' | 'actualWeightKg' | 'expectedWeightKg' | 'destination'>;

export interface BillListPage {
  items: BillListRow[];
  nextCursor: string | null;
  /** Set when the page comes from the device, not the server. */
  note?: string;
}

export interface BillViewParent {
  code: string;
  format: string;
  /** Unknown for a parent queued offline that the device holds no copy of. */
  childCount: number | null;
  capacity: number | null;
  actualWeightKg: number | null;
  expectedWeightKg: number | null;
  addedAt: string | null;
  /** A queued add, removal or return scan of this parent, not answered by the server yet. */
  waiting: 'add' | 'remove' | 'return' | null;
}

/** What a bill page shows, from the server or, offline, from the device's pulled copy. */
export interface BillView {
  billNumber: string;
  status: BillStatus;
  isShort: boolean;
  capacity: number;
  parentCount: number;
  actualWeightKg: number;
  expectedWeightKg: number;
  varianceKg: number;
  destination: string | null;
  vehicleNumber: string | null;
  description: string | null;
  /** Only the server knows these; null on the device's copy. */
  createdBy: string | null;
  createdAt: string | null;
  completedBy: string | null;
  completedAt: string | null;
  source: 'server' | 'device';
  /** A queued "complete" not answered yet. */
  isCompletionWaiting: boolean;
  parents: BillViewParent[];
}

export function viewFromServer(d: BillDetail): BillView {
  const b = d.bill;
  return {
    billNumber: b.billNumber, status: b.status, isShort: b.isShort, capacity: b.capacity, parentCount: b.parentCount,
    actualWeightKg: b.actualWeightKg, expectedWeightKg: b.expectedWeightKg, varianceKg: b.varianceKg,
    destination: b.destination, vehicleNumber: b.vehicleNumber, description: b.description,
    createdBy: b.createdBy, createdAt: b.createdAt, completedBy: b.completedBy, completedAt: b.completedAt,
    source: 'server', isCompletionWaiting: false,
    parents: d.parents.map((p) => ({
      code: p.code, format: p.format, childCount: p.childCount, capacity: p.capacity, actualWeightKg: p.actualWeightKg,
      expectedWeightKg: p.expectedWeightKg, addedAt: p.addedAt, waiting: null,
    })),
  };
}

/** The same page from the pulled copy: weights by the one shared formula, from the parents' counts. */
export function viewFromDevice(row: BillRow): BillView {
  const total = computeBillWeights(row.parents.map((p) => ({ format: p.format, parents: 1, children: p.childCount })));
  return {
    billNumber: row.billNumber, status: row.status, isShort: false, capacity: row.capacity, parentCount: row.parentCount,
    actualWeightKg: total.actualWeightKg, expectedWeightKg: total.expectedWeightKg, varianceKg: total.varianceKg,
    destination: row.destination ?? null, vehicleNumber: row.vehicleNumber ?? null, description: row.description ?? null,
    createdBy: null, createdAt: null, completedBy: null, completedAt: null, source: 'device', isCompletionWaiting: false,
    parents: row.parents.map((p) => parentOf(p.code, p.format, p.childCount, null)),
  };
}

function parentOf(code: string, format: string, childCount: number | null, waiting: BillViewParent['waiting']): BillViewParent {
  const w = childCount === null ? null : computeBillWeights([{ format, parents: 1, children: childCount }]);
  return {
    code, format, childCount, capacity: formatSpec(format)?.maxChildren ?? null,
    actualWeightKg: w?.actualWeightKg ?? null, expectedWeightKg: w?.expectedWeightKg ?? null, addedAt: null, waiting,
  };
}

/** What a queued bill write is about and what it does, for the page that follows it. */
export function describeBillWrite(row: OutboxRow): { subject: string; what: string } {
  const bill = normalizeCode(String(row.args.billNumber ?? ''));
  const parent = normalizeCode(String(row.args.parentCode ?? ''));
  if (row.name === 'bill.addParent') return { subject: parent, what: `adding ${parent} to ${bill}` };
  if (row.name === 'bill.removeParent') return { subject: parent, what: `removing ${parent} from ${bill}` };
  if (row.name === 'bill.complete') return { subject: bill, what: `completing ${bill}` };
  return { subject: bill, what: `creating bill ${bill}` };
}

/** Queued bill writes of this bill, in the order they will be sent. */
export function pendingForBill(rows: OutboxRow[], billNumber: string): OutboxRow[] {
  return rows
    .filter((r) => r.name.startsWith('bill.') && normalizeCode(String(r.args.billNumber ?? '')) === billNumber)
    .sort((a, b) => a.seq - b.seq);
}

/**
 * The parent codes of queued return scans. A return scan names the parent, not its bill (the
 * server finds the bill), so the page marks those of its own parents.
 */
export function pendingReturnCodes(rows: OutboxRow[]): Set<string> {
  return new Set(rows.filter((r) => r.name === 'return.scan').map((r) => normalizeCode(String(r.args.code ?? ''))));
}

/**
 * The page with this device's queued writes laid over it, so what was done offline shows at once:
 * a queued add as a waiting row, a queued removal or return scan marked on its row. Totals stay
 * the server's (or the pulled copy's): they change when the server has applied the write.
 */
export function withPending(
  view: BillView,
  pending: OutboxRow[],
  childCountOf: (code: string) => number | null,
  returning: ReadonlySet<string> = new Set(),
): BillView {
  const parents = view.parents.map((p) => ({ ...p }));
  let isCompletionWaiting = false;
  for (const r of pending) {
    if (r.name === 'bill.complete') {
      isCompletionWaiting = true;
      continue;
    }
    const code = normalizeCode(String(r.args.parentCode ?? ''));
    const existing = parents.find((p) => p.code === code);
    if (r.name === 'bill.addParent') {
      if (existing) {
        if (existing.waiting === 'remove') existing.waiting = null;
        continue;
      }
      const parsed = parseBagCode(code);
      parents.push(parentOf(code, parsed.kind === 'parent' ? parsed.format : '', childCountOf(code), 'add'));
    } else if (r.name === 'bill.removeParent' && existing) {
      // A queued add and a queued removal of the same parent cancel out.
      if (existing.waiting === 'add') parents.splice(parents.indexOf(existing), 1);
      else existing.waiting = 'remove';
    }
  }
  // A parent on its way back from a return ticket leaves the bill when the server applies it.
  for (const p of parents) if (p.waiting === null && returning.has(p.code)) p.waiting = 'return';
  return { ...view, isCompletionWaiting, parents };
}
