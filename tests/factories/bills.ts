import type { Db } from '@tracetrack/db';
import { formatSpec, type ParentFormat } from '@tracetrack/shared';
import { sql } from 'kysely';
import { type CounterDelta, scopeOf } from '../../server/src/modules/counters/deltas';
import { bumpCounters } from '../../server/src/modules/counters/queries';

let serial = 0;
const next = () => (serial += 1);
const digits = (n: number) => String(n % 100_000).padStart(5, '0');

/** A parent code of the format that no other factory call in this process has handed out. */
export function nextParentCode(format: ParentFormat = 'SB'): string {
  const n = 10_000 + next();
  return format === 'SB' ? `SB${digits(n)}` : `M444-${digits(n)}`;
}

/** A bill number unique within this process, with an optional prefix for list filters. */
export function nextBillNumber(prefix = 'BL'): string {
  return `${prefix}-${process.pid % 10_000}-${next()}`;
}

export interface ParentBagSpec {
  code?: string;
  format?: ParentFormat;
  area?: string | null;
  /** How many children to register and link into it (≤ the format's max). */
  children?: number;
}

/**
 * Registers a parent bag (capacity from PARENT_FORMATS) and links `children` new child bags into it,
 * straight in the tables, with the dashboard counters kept in step: bill tests need weighed
 * parents without going through the scanning module.
 */
export async function createParentBag(db: Db, spec: ParentBagSpec = {}) {
  const format = spec.format ?? 'SB';
  const code = spec.code ?? nextParentCode(format);
  const capacity = formatSpec(format)?.maxChildren ?? 0;
  const area = spec.area === undefined ? 'lucknow' : spec.area;
  const children = spec.children ?? 0;
  if (children > capacity) throw new Error(`${format} holds at most ${capacity} children`);
  return db.transaction().execute(async (tx) => {
    const parent = await tx
      .insertInto('bags')
      .values({ code, type: 'parent', format, capacity, area })
      .returning(['id', 'code', 'format', 'capacity', 'area'])
      .executeTakeFirstOrThrow();
    const childCodes = Array.from({ length: children }, (_, i) => `K${code.replace('-', '')}X${i}`);
    if (children > 0) {
      const rows = await tx
        .insertInto('bags')
        .values(childCodes.map((c) => ({ code: c, type: 'child' as const, area })))
        .returning('id')
        .execute();
      await tx.insertInto('links').values(rows.map((r) => ({ child_id: r.id, parent_id: parent.id }))).execute();
      await tx.updateTable('bags').set({ child_count: children, updated_at: sql`now()` }).where('id', '=', parent.id).execute();
    }
    const scope = scopeOf(area);
    const deltas: CounterDelta[] = [
      { name: 'parents', scope, delta: 1 },
      { name: 'children', scope, delta: children },
      { name: 'linked_children', scope, delta: children },
    ];
    if (children === capacity) deltas.push({ name: 'parents_full', scope, delta: 1 });
    await bumpCounters(tx, deltas);
    return { ...parent, childCount: children, childCodes };
  });
}

/** Registers a child bag that sits in no parent (for wrong-type checks). */
export async function createLooseChild(db: Db, code: string, area: string | null = 'lucknow') {
  return db.transaction().execute(async (tx) => {
    const row = await tx.insertInto('bags').values({ code, type: 'child', area }).returning(['id', 'code']).executeTakeFirstOrThrow();
    await bumpCounters(tx, [{ name: 'children', scope: scopeOf(area), delta: 1 }]);
    return row;
  });
}
