import { createHash } from 'node:crypto';
import { AppError, type ImportKind, type MutationName, type ParsedMutationArgs } from '@tracetrack/shared';
import type { Actor } from '../actor';
import { findBillViewByNumber } from '../bills/queries';
import { NO_AREA_SCOPE } from '../counters/deltas';
import type { ScanItem, ScanWork } from '../scans/types';
import { commandWork } from '../scans/work';
import type { PendingRow } from './queries';
import type { BillFields } from './types';

/** One scan of a unit and the file row it came from. */
export interface UnitOp {
  rowSeq: number;
  name: MutationName;
  item: ScanItem;
}

/** What applies whole or not at all: a label-sheet batch, a parent with its child rows, a bill row. */
export interface Unit {
  unit: number;
  /** The area new parents of this unit are registered in. */
  area: string | null;
  rows: PendingRow[];
  ops: UnitOp[];
}

/**
 * The same row of the same import always gets the same mutation id (a name-based UUID from the
 * import id, the row and the scan's place in it), so its scan event can only ever be stored once.
 */
export function mutationIdOf(importId: string, rowSeq: number, index: number): string {
  const hex = createHash('sha1').update(`tracetrack-import:${importId}:${rowSeq}:${index}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function op<N extends MutationName>(importId: string, actor: Actor, rowSeq: number, index: number, name: N, args: ParsedMutationArgs<N>, work?: ScanWork): UnitOp {
  return {
    rowSeq,
    name,
    item: {
      envelope: { mutationId: mutationIdOf(importId, rowSeq, index), deviceId: null, seq: null, clientTime: null, name, args },
      work: work ?? commandWork(actor, name, args),
    },
  };
}

/**
 * A bill row whose bill exists already with the same details is present, not refused: importing
 * the same bills file twice changes nothing the second time. Different details are refused
 * (BILL_EXISTS), never overwritten. A new bill is created by the same write as bill.create.
 */
function createOrMatchBill(actor: Actor, args: ParsedMutationArgs<'bill.create'>): ScanWork {
  const create = commandWork(actor, 'bill.create', args);
  return {
    kind: 'effect',
    run: async (tx, at) => {
      const existing = await findBillViewByNumber(tx, args.billNumber);
      if (!existing) {
        if (create.kind !== 'effect') throw new AppError('INTERNAL', 'bill.create is not an effect.');
        return create.run(tx, at);
      }
      const fields = [
        ['capacity', existing.capacity, args.capacity],
        ['destination', existing.destination, args.destination || null],
        ['vehicle', existing.vehicle_number, args.vehicleNumber || null],
        ['description', existing.description, args.description || null],
      ] as const;
      const differing = fields.filter(([, was, now]) => was !== now).map(([name, was]) => `${name} ${was ?? '(empty)'}`);
      if (differing.length > 0) {
        throw new AppError('BILL_EXISTS', `Bill ${args.billNumber} already exists with ${differing.join(', ')}; this row differs, so it was not imported.`, { billNumber: args.billNumber });
      }
      const message = `Bill ${args.billNumber} already exists with these details.`;
      return { status: 'unchanged', message, data: { outcome: 'unchanged', message }, refs: { billId: existing.id }, scope: NO_AREA_SCOPE };
    },
  };
}

/** The scans of one unit's rows, in the order they apply: the parent first, then its children. */
function opsOf(kind: ImportKind, importId: string, actor: Actor, rows: PendingRow[]): UnitOp[] {
  if (kind === 'bills') {
    return rows.flatMap((row) => {
      const bill = row.bill as BillFields;
      const billNumber = row.code!;
      const create = {
        billNumber, capacity: bill.capacity,
        ...(bill.description ? { description: bill.description } : {}),
        ...(bill.destination ? { destination: bill.destination } : {}),
        ...(bill.vehicleNumber ? { vehicleNumber: bill.vehicleNumber } : {}),
      };
      return [
        op(importId, actor, row.seq, 0, 'bill.create', create, createOrMatchBill(actor, create)),
        ...bill.parentCodes.map((parentCode, i) => op(importId, actor, row.seq, i + 1, 'bill.addParent', { billNumber, parentCode })),
      ];
    });
  }
  const parents = rows.filter((r) => r.op === 'parent');
  const children = rows.filter((r) => r.op === 'child');
  return [
    ...parents.map((r) => op(importId, actor, r.seq, 0, 'parent.scan', { code: r.code! })),
    ...children.map((r) => op(importId, actor, r.seq, 0, 'child.link', { parentCode: r.parent_code!, childCode: r.code! })),
  ];
}

/** Groups pending rows (in unit order) into units with their scans. */
export function unitsOf(kind: ImportKind, importId: string, importArea: string | null, actor: Actor, rows: PendingRow[]): Unit[] {
  const byUnit = new Map<number, PendingRow[]>();
  for (const row of rows) {
    const list = byUnit.get(row.unit!) ?? [];
    list.push(row);
    byUnit.set(row.unit!, list);
  }
  return [...byUnit].map(([unit, unitRows]) => {
    const area = kind === 'bills' ? null : (unitRows.find((r) => r.op === 'parent')?.area ?? importArea);
    return { unit, area, rows: unitRows, ops: opsOf(kind, importId, { ...actor, area }, unitRows) };
  });
}
