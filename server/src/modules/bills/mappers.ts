import { type BillParent, type BillStatus, type BillSummary, computeBillWeights, type FormatTally, parentStatus } from '@tracetrack/shared';
import type { BillParentRow, BillViewRow, TallyRow } from './queries';

/** Groups grouped-query rows by bill, ready for computeBillWeights. */
export function talliesByBill(rows: readonly TallyRow[]): Map<number, FormatTally[]> {
  const out = new Map<number, FormatTally[]>();
  for (const r of rows) {
    const list = out.get(r.bill_id) ?? [];
    list.push({ format: r.format, parents: r.parents, children: r.children });
    out.set(r.bill_id, list);
  }
  return out;
}

/**
 * A bill's tallies by format (sorted by format), counted from its parents: the same figures as the
 * grouped query, for a caller that has every parent of the bill already (bill.get).
 */
export function talliesOfParents(parents: readonly { format: string | null; child_count: number }[]): FormatTally[] {
  const byFormat = new Map<string, FormatTally>();
  for (const p of parents) {
    const format = p.format ?? '';
    const tally = byFormat.get(format) ?? { format, parents: 0, children: 0 };
    tally.parents += 1;
    tally.children += Number(p.child_count);
    byFormat.set(format, tally);
  }
  return [...byFormat.values()].sort((a, b) => (a.format < b.format ? -1 : a.format > b.format ? 1 : 0));
}

/** The columns a bill row shares with every shape it is shown or audited in. */
interface BillRowFields {
  bill_number: string;
  capacity: number;
  description: string | null;
  destination: string | null;
  vehicle_number: string | null;
  status: BillStatus;
  is_short: boolean;
}

function billFields(row: BillRowFields) {
  return {
    billNumber: row.bill_number,
    capacity: row.capacity,
    description: row.description,
    destination: row.destination,
    vehicleNumber: row.vehicle_number,
    status: row.status,
    isShort: row.is_short,
  };
}

export function toBillSummary(row: BillViewRow, tallies: readonly FormatTally[]): BillSummary {
  const w = computeBillWeights(tallies);
  return {
    id: row.id,
    ...billFields(row),
    parentCount: w.parentCount,
    childCount: w.childCount,
    actualWeightKg: w.actualWeightKg,
    expectedWeightKg: w.expectedWeightKg,
    varianceKg: w.varianceKg,
    createdBy: row.created_by_username,
    completedBy: row.completed_by_username,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
  };
}

/** A parent's own weights are the bill formula applied to a one-parent tally: one formula, never two. */
export function toBillParent(row: BillParentRow): BillParent {
  const format = row.format ?? '';
  const capacity = row.capacity ?? 0;
  const w = computeBillWeights([{ format, parents: 1, children: row.child_count }]);
  return {
    code: row.code,
    format,
    childCount: row.child_count,
    capacity,
    status: parentStatus(row.child_count, capacity),
    actualWeightKg: w.actualWeightKg,
    expectedWeightKg: w.expectedWeightKg,
    addedAt: row.added_at,
  };
}

/** What the audit log keeps of a bill before and after a change (no secrets, no derived totals). */
export function billSnapshot(row: BillRowFields & { parent_count: number }) {
  return { ...billFields(row), parentCount: row.parent_count };
}
