import { IMPORT_CHUNK_ROWS, type ImportKind } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { applyScanBatch } from '../scans/service';
import type { ScanOutcome } from '../scans/types';
import * as q from './queries';
import { UNIT_NAME } from './stage';
import { placeOf } from './types';
import { type Unit, unitsOf } from './unit-work';

export type ApplyMode = 'dry-run' | 'commit';

export interface ApplyRun {
  importId: string;
  kind: ImportKind;
  area: string | null;
  actor: Actor;
  meta: RequestMeta;
  mode: ApplyMode;
}

/** Thrown inside a chunk's transaction to roll it back: a dry run writes nothing. */
class DryRunDone extends Error {
  constructor(readonly results: q.RowResult[]) {
    super('dry run rolled back');
  }
}

/** Thrown inside a commit's transaction when units were refused: the chunk runs again without them. */
class UnitsRefused extends Error {
  constructor(readonly refused: Set<number>, readonly results: q.RowResult[]) {
    super('units refused');
  }
}

/**
 * Applies every pending unit after `afterUnit`, chunk by chunk (whole units of one area, about
 * IMPORT_CHUNK_ROWS rows a chunk), through the scan pipeline. A commit writes each chunk in one
 * transaction with its rows' results and the import's progress; a dry run runs the very same
 * transaction and rolls it back, so it reports what the commit would do.
 */
export async function applyUnits(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>, run: ApplyRun, afterUnit: number): Promise<void> {
  let after = afterUnit;
  for (;;) {
    const rows = await q.nextRows(deps.db, run.importId, after, IMPORT_CHUNK_ROWS);
    if (rows.length === 0) return;
    let units = unitsOf(run.kind, run.importId, run.area, run.actor, rows);
    // The last unit may be cut short by the page: leave it for the next chunk, or read it whole
    // when it is the only one.
    if (rows.length === IMPORT_CHUNK_ROWS) {
      if (units.length > 1) units = units.slice(0, -1);
      else units = unitsOf(run.kind, run.importId, run.area, run.actor, await q.rowsOfUnit(deps.db, run.importId, units[0]!.unit));
    }
    // One area a chunk (its new parents take the actor's area), and about a chunk's worth of
    // scans: a bills row may carry up to 500 of them.
    const area = units[0]!.area;
    let scans = 0;
    const end = units.findIndex((u, i) => {
      scans += u.ops.length;
      return i > 0 && (u.area !== area || scans > IMPORT_CHUNK_ROWS);
    });
    if (end > 0) units = units.slice(0, end);
    await applyChunk(deps, run, units);
    // Its progress is committed: the import screen's live stream looks again.
    deps.live.publish([`import:${run.importId}`]);
    after = units.at(-1)!.unit;
  }
}

async function applyChunk(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>, run: ApplyRun, units: Unit[]): Promise<void> {
  const actor = { ...run.actor, area: units[0]!.area };
  const lastUnit = units.at(-1)!.unit;
  const rowCount = units.reduce((n, u) => n + u.rows.length, 0);
  const settled: q.RowResult[] = [];
  let live = run.mode === 'commit' ? await withoutAppliedUnits(deps, units, settled) : units;
  for (;;) {
    if (live.length === 0) {
      await inTransaction(deps.db, async (tx) => {
        await q.saveRowResults(tx, run.importId, settled);
        await q.advanceImport(tx, run.importId, run.mode === 'commit' ? lastUnit : null, rowCount);
      });
      return;
    }
    const items = live.flatMap((u) => u.ops.map((o) => o.item));
    try {
      await applyScanBatch(deps, actor, run.meta, items, async (tx, outcomes) => {
        const judged = judgeUnits(run.kind, live, outcomes);
        const refused = new Set(judged.filter((j) => j.isRefused).map((j) => j.unit));
        if (run.mode === 'commit' && refused.size > 0) throw new UnitsRefused(refused, judged.filter((j) => j.isRefused).flatMap((j) => j.results));
        const bagCodeOf = new Map(live.flatMap((u) => u.rows.filter((r) => r.op !== 'bill' && r.code).map((r) => [r.seq, r.code!] as const)));
        const created = await q.codesCreatedNow(tx, [...bagCodeOf.values()]);
        const isCreated = (r: q.RowResult) => r.status === 'created' && created.has(bagCodeOf.get(r.seq) ?? '');
        const results = [...settled, ...judged.flatMap((j) => j.results.map((r) => ({ ...r, isNew: r.isNew || isCreated(r) })))];
        if (run.mode === 'dry-run') throw new DryRunDone(results);
        await q.saveRowResults(tx, run.importId, results);
        await q.advanceImport(tx, run.importId, lastUnit, rowCount);
      });
      return;
    } catch (e) {
      if (e instanceof DryRunDone) {
        await inTransaction(deps.db, async (tx) => {
          await q.saveRowResults(tx, run.importId, e.results);
          await q.advanceImport(tx, run.importId, null, rowCount);
        });
        return;
      }
      if (!(e instanceof UnitsRefused)) throw e;
      settled.push(...e.results);
      live = live.filter((u) => !e.refused.has(u.unit));
    }
  }
}

/**
 * Units whose scans were stored already (their mutation ids are in scan_events) were applied by
 * an earlier run: they are answered from the stored outcomes and not applied again.
 */
async function withoutAppliedUnits(deps: Pick<Deps, 'db'>, units: Unit[], settled: q.RowResult[]): Promise<Unit[]> {
  const stored = new Map((await q.storedOutcomes(deps.db, units.flatMap((u) => u.ops.map((o) => o.item.envelope.mutationId)))).map((s) => [s.mutation_id, s]));
  if (stored.size === 0) return units;
  return units.filter((u) => {
    if (!u.ops.some((o) => stored.has(o.item.envelope.mutationId))) return true;
    for (const row of u.rows) {
      const outcomes = u.ops.filter((o) => o.rowSeq === row.seq).map((o) => stored.get(o.item.envelope.mutationId));
      const rejected = outcomes.find((s) => s?.status === 'rejected');
      settled.push({
        seq: row.seq,
        status: rejected ? 'error' : outcomes.some((s) => s?.status === 'applied') ? 'created' : 'present',
        isNew: false,
        billedCount: 0,
        errorCode: rejected?.error_code ?? null,
        message: `Applied by an earlier run of this import: ${(rejected ?? outcomes.at(-1))?.message ?? ''}`,
      });
    }
    return false;
  });
}

interface JudgedUnit {
  unit: number;
  isRefused: boolean;
  results: q.RowResult[];
}

/** Each unit's rows from its scans' outcomes: one refused scan refuses the whole unit. */
function judgeUnits(kind: ImportKind, units: Unit[], outcomes: ScanOutcome[]): JudgedUnit[] {
  let k = 0;
  return units.map((u) => {
    const byRow = new Map<number, { name: string; outcome: ScanOutcome }[]>();
    for (const o of u.ops) {
      const list = byRow.get(o.rowSeq) ?? [];
      list.push({ name: o.name, outcome: outcomes[k++]! });
      byRow.set(o.rowSeq, list);
    }
    const firstRefusal = u.rows.find((r) => byRow.get(r.seq)?.some((o) => o.outcome.status === 'rejected'));
    if (firstRefusal) {
      const where = placeOf({ sheet: firstRefusal.sheet, rowNumber: firstRefusal.row_number });
      const results = u.rows.map((r): q.RowResult => {
        const refusal = byRow.get(r.seq)?.find((o) => o.outcome.status === 'rejected')?.outcome;
        if (refusal) return { seq: r.seq, status: 'error', isNew: false, billedCount: 0, errorCode: refusal.code, message: refusal.message };
        return { seq: r.seq, status: 'skipped', isNew: false, billedCount: 0, errorCode: 'BATCH_REFUSED', message: `Not imported: ${where} of the same ${UNIT_NAME[kind]} was refused.` };
      });
      return { unit: u.unit, isRefused: true, results };
    }
    const results = u.rows.map((r): q.RowResult => {
      const ops = byRow.get(r.seq) ?? [];
      const isApplied = ops.some((o) => o.outcome.status === 'applied');
      const billed = ops.filter((o) => o.name === 'bill.addParent' && o.outcome.status === 'applied').length;
      const isNewBill = ops.some((o) => o.name === 'bill.create' && o.outcome.status === 'applied');
      const message = r.op === 'bill'
        ? `${ops[0]?.outcome.message ?? ''}${billed ? ` ${billed} parent${billed === 1 ? '' : 's'} added.` : ''}`
        : (ops.at(-1)?.outcome.message ?? '');
      return { seq: r.seq, status: isApplied ? 'created' : 'present', isNew: isNewBill, billedCount: billed, errorCode: null, message };
    });
    return { unit: u.unit, isRefused: false, results };
  });
}
