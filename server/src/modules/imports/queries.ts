import { PARENT_FORMATS } from '@tracetrack/shared';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';
import type { StagedRow } from './types';

const importColumns = [
  'i.id', 'i.kind', 'i.file_name', 'i.file_bytes', 'i.area', 'i.is_dry_run', 'i.status', 'i.rows_total', 'i.rows_done',
  'i.committed_through', 'i.dry_run_counts', 'i.commit_counts', 'i.failure', 'i.created_by', 'i.created_at', 'i.finished_at',
] as const;

export type ImportRecord = NonNullable<Awaited<ReturnType<typeof findImport>>>;

function importView(db: Executor) {
  return db.selectFrom('imports as i').leftJoin('users as u', 'u.id', 'i.created_by').select([...importColumns, 'u.username as created_by_username']);
}

export async function findImport(db: Executor, id: string) {
  return importView(db).where('i.id', '=', id).executeTakeFirst();
}

/** Newest first, keyset on (created_at, id). */
export async function listImports(db: Executor, after: { at: Date; id: string } | null, limit: number) {
  let q = importView(db);
  if (after) q = q.where(sql<boolean>`(i.created_at, i.id) < (${after.at}, ${after.id}::uuid)`);
  return q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit + 1).execute();
}

export async function insertImport(
  db: Executor,
  v: { id: string; kind: string; fileName: string; fileBytes: number; area: string | null; isDryRun: boolean; createdBy: number },
): Promise<boolean> {
  const row = await db
    .insertInto('imports')
    .values({
      id: v.id, kind: v.kind as 'bags', file_name: v.fileName, file_bytes: v.fileBytes, area: v.area, is_dry_run: v.isDryRun,
      status: 'reading', created_by: v.createdBy,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface ImportPatch {
  status?: 'reading' | 'checking' | 'checked' | 'committing' | 'committed' | 'failed';
  rows_total?: number;
  rows_done?: number;
  committed_through?: number;
  dry_run_counts?: string | null;
  commit_counts?: string | null;
  failure?: string | null;
  finished_at?: Date | null;
}

export async function patchImport(db: Executor, id: string, patch: ImportPatch) {
  await db.updateTable('imports').set({ ...patch, updated_at: sql`now()` }).where('id', '=', id).execute();
}

/** Progress of a committed chunk: moves in the same transaction as the chunk's writes. */
export async function advanceImport(db: Executor, id: string, committedThrough: number | null, rows: number) {
  await db
    .updateTable('imports')
    .set((eb) => ({
      rows_done: eb('rows_done', '+', rows),
      ...(committedThrough === null ? {} : { committed_through: committedThrough }),
      updated_at: sql`now()`,
    }))
    .where('id', '=', id)
    .execute();
}

export async function areaNames(db: Executor) {
  return db.selectFrom('dispatch_areas').select(['code', 'name']).execute();
}

export async function deleteRows(db: Executor, importId: string) {
  await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
}

/** A page of read rows, one statement with one array parameter per column. */
export async function insertRows(db: Executor, importId: string, rows: StagedRow[]) {
  if (rows.length === 0) return;
  const col = <T>(pick: (r: StagedRow) => T) => rows.map(pick);
  await sql`
    insert into import_rows (import_id, seq, sheet, row_number, unit, op, code, parent_code, area, bill, raw, is_blocked, status, error_code, message)
    select ${importId}::uuid, v.seq, v.sheet, v.row_number, v.unit, v.op, v.code, v.parent_code, v.area, v.bill, v.raw,
           v.error_code is not null, case when v.error_code is null then 'pending' else 'error' end, v.error_code, v.message
    from unnest(${col((r) => r.seq)}::int[], ${col((r) => r.sheet)}::text[], ${col((r) => r.rowNumber)}::int[], ${col((r) => r.unit)}::int[],
                ${col((r) => r.op)}::text[], ${col((r) => r.code)}::text[], ${col((r) => r.parentCode)}::text[], ${col((r) => r.area)}::text[],
                ${col((r) => (r.bill ? JSON.stringify(r.bill) : null))}::jsonb[], ${col((r) => r.raw)}::text[],
                ${col((r) => r.error?.code ?? null)}::text[], ${col((r) => r.error?.message ?? null)}::text[])
      as v(seq, sheet, row_number, unit, op, code, parent_code, area, bill, raw, error_code, message)`.execute(db);
}

const place = (alias: string) => sql.raw(`coalesce(${alias}.sheet || ' row ', 'row ') || ${alias}.row_number`);

/** Label-sheet children name the parent row that closed their batch. */
export async function linkLabelChildrenToParents(db: Executor, importId: string) {
  await sql`
    update import_rows c set parent_code = p.parent
    from (
      select seq, op, max(code) filter (where op = 'parent') over (partition by unit) as parent
      from import_rows where import_id = ${importId}
    ) p
    where c.import_id = ${importId} and c.seq = p.seq and p.op = 'child' and p.parent is not null`.execute(db);
}

/** Children of a batch no parent row closed. */
export async function markOrphanUnits(db: Executor, importId: string, units: number[]) {
  if (units.length === 0) return;
  await sql`
    update import_rows set is_blocked = true, status = 'error', error_code = 'BATCH_ORPHANED',
      message = 'No parent row closes this batch: its children are not imported.'
    where import_id = ${importId} and unit = any(${units}::int[]) and error_code is null`.execute(db);
}

/**
 * Bags: a unit is a parent code with its parent row and every child row naming it, ordered by
 * area (runs of one area apply together) and then by where the unit starts in the file. Rows
 * without a readable code are units of their own (blocked by their error).
 */
export async function groupBagUnits(db: Executor, importId: string, defaultArea: string | null) {
  await sql`
    with g as (
      select seq, coalesce(case op when 'parent' then code when 'child' then parent_code end, '#' || seq) as key, op, area
      from import_rows where import_id = ${importId}
    ), k as (
      select key, min(seq) as first, coalesce(max(area) filter (where op = 'parent'), ${defaultArea}::text, '') as area from g group by key
    ), ranked as (
      select g.seq, dense_rank() over (order by k.area, k.first) as unit from g join k using (key)
    )
    update import_rows r set unit = ranked.unit from ranked where r.import_id = ${importId} and r.seq = ranked.seq`.execute(db);
  // A parent's child rows must fit its format (the rules check the children it already has).
  const formats = PARENT_FORMATS.map((f) => sql`(${f.pattern.source}::text, ${f.maxChildren}::int, ${f.format}::text)`);
  await sql`
    with caps(pattern, max_children, format) as (values ${sql.join(formats)}),
    over as (
      select c.parent_code, count(*) as n, min(c.seq) as first_seq, min(caps.max_children) as max_children, min(caps.format) as format
      from import_rows c join caps on c.parent_code ~ caps.pattern
      where c.import_id = ${importId} and c.op = 'child'
      group by c.parent_code having count(*) > min(caps.max_children)
    )
    update import_rows r set is_blocked = true, status = 'error', error_code = 'BATCH_OVER_CAPACITY',
      message = 'The file puts ' || over.n || ' children in ' || over.parent_code || '; a ' || over.format || ' parent holds at most ' || over.max_children || '.'
    from over
    where r.import_id = ${importId} and r.seq = over.first_seq and r.error_code is null`.execute(db);
}

/** Bills: every row is its own unit. */
export async function unitPerRow(db: Executor, importId: string) {
  await sql`update import_rows set unit = seq where import_id = ${importId}`.execute(db);
}

/**
 * A code (or bill number) seen on an earlier row of the file: the later rows are refused, naming
 * the first. Bills also may not share a parent.
 */
export async function markDuplicates(db: Executor, importId: string, kind: string) {
  await sql`
    with d as (
      select seq, row_number() over w as n, first_value(sheet) over w as first_sheet, first_value(row_number) over w as first_row
      from import_rows where import_id = ${importId} and code is not null
      window w as (partition by code order by seq)
    )
    update import_rows r set is_blocked = true, status = 'error', error_code = 'ROW_DUPLICATE',
      message = r.code || ' is already on ' || coalesce(d.first_sheet || ' row ', 'row ') || d.first_row || ' of this file.'
    from d where r.import_id = ${importId} and r.seq = d.seq and d.n > 1 and r.error_code is null`.execute(db);
  if (kind !== 'bills') return;
  await sql`
    with p as (
      select seq, code, sheet, row_number, jsonb_array_elements_text(bill -> 'parentCodes') as parent
      from import_rows where import_id = ${importId} and op = 'bill'
    ), d as (
      select seq, parent, row_number() over w as n, first_value(code) over w as first_bill
      from p window w as (partition by parent order by seq)
    )
    update import_rows r set is_blocked = true, status = 'error', error_code = 'ROW_DUPLICATE',
      message = d.parent || ' is on bill ' || d.first_bill || ' earlier in this file; a parent goes on one bill.'
    from d where r.import_id = ${importId} and r.seq = d.seq and d.n > 1 and r.error_code is null`.execute(db);
}

/** Every row of a unit with an error is blocked; its good rows say which row stopped them. */
export async function blockUnitsWithErrors(db: Executor, importId: string, unitName: string) {
  await sql`
    with bad as (
      select distinct on (unit) unit, ${place('e')} as place
      from import_rows e where e.import_id = ${importId} and e.error_code is not null and e.unit is not null
      order by unit, seq
    )
    update import_rows r set is_blocked = true, status = 'skipped', error_code = 'BATCH_REFUSED',
      message = 'Not imported: ' || bad.place || ' of the same ' || ${unitName}::text || ' has an error.'
    from bad where r.import_id = ${importId} and r.unit = bad.unit and r.error_code is null`.execute(db);
}

export async function countRows(db: Executor, importId: string) {
  const row = await db
    .selectFrom('import_rows')
    .select([sql<number>`count(*)::int`.as('total'), sql<number>`(count(*) filter (where is_blocked))::int`.as('blocked')])
    .where('import_id', '=', importId)
    .executeTakeFirstOrThrow();
  return row;
}

/** Rows of units after `afterUnit` still to apply, in apply order: at least one whole unit. */
export async function nextRows(db: Executor, importId: string, afterUnit: number, limit: number) {
  return db
    .selectFrom('import_rows')
    .select(['seq', 'sheet', 'row_number', 'unit', 'op', 'code', 'parent_code', 'area', 'bill'])
    .where('import_id', '=', importId)
    .where('is_blocked', '=', false)
    .where('unit', '>', afterUnit)
    .orderBy('unit')
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export type PendingRow = Awaited<ReturnType<typeof nextRows>>[number];

export async function rowsOfUnit(db: Executor, importId: string, unit: number) {
  return db
    .selectFrom('import_rows')
    .select(['seq', 'sheet', 'row_number', 'unit', 'op', 'code', 'parent_code', 'area', 'bill'])
    .where('import_id', '=', importId)
    .where('is_blocked', '=', false)
    .where('unit', '=', unit)
    .orderBy('seq')
    .execute();
}

/** Rows to judge again from `afterUnit` on: a new dry run, a commit, or a resumed commit. */
export async function resetRowsAfter(db: Executor, importId: string, afterUnit: number) {
  await sql`
    update import_rows set status = 'pending', error_code = null, message = null, is_new = false, billed_count = 0
    where import_id = ${importId} and not is_blocked and unit > ${afterUnit}`.execute(db);
}

export async function rowsDoneThrough(db: Executor, importId: string, unit: number): Promise<number> {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from import_rows where import_id = ${importId} and (is_blocked or unit <= ${unit})`.execute(db);
  return row.rows[0]?.n ?? 0;
}

export interface RowResult {
  seq: number;
  status: 'created' | 'present' | 'error' | 'skipped';
  isNew: boolean;
  billedCount: number;
  errorCode: string | null;
  message: string;
}

export async function saveRowResults(db: Executor, importId: string, results: RowResult[]) {
  if (results.length === 0) return;
  const col = <T>(pick: (r: RowResult) => T) => results.map(pick);
  await sql`
    update import_rows r set status = v.status, is_new = v.is_new, billed_count = v.billed_count, error_code = v.error_code, message = v.message
    from unnest(${col((r) => r.seq)}::int[], ${col((r) => r.status)}::text[], ${col((r) => r.isNew)}::boolean[],
                ${col((r) => r.billedCount)}::int[], ${col((r) => r.errorCode)}::text[], ${col((r) => r.message)}::text[])
      as v(seq, status, is_new, billed_count, error_code, message)
    where r.import_id = ${importId} and r.seq = v.seq`.execute(db);
}

/** The codes of bags this transaction inserted (created_at is the transaction's start, now()). */
export async function codesCreatedNow(tx: Tx, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await sql<{ code: string }>`select code from bags where code = any(${codes}::text[]) and created_at = now()`.execute(tx);
  return new Set(rows.rows.map((r) => r.code));
}

/** Stored outcomes of scan events by mutation id: a unit applied before is answered from them. */
export async function storedOutcomes(db: Executor, mutationIds: string[]) {
  if (mutationIds.length === 0) return [];
  return db
    .selectFrom('scan_events')
    .select(['mutation_id', 'status', 'error_code', 'message'])
    .where(sql<boolean>`mutation_id = any(${mutationIds}::uuid[])`)
    .execute();
}

export async function countsOf(db: Executor, importId: string) {
  const row = await sql<Record<string, number>>`
    select count(*)::int as "rowsRead",
      (count(*) filter (where op = 'parent' and is_new))::int as "parentsCreated",
      (count(*) filter (where op = 'child' and is_new))::int as "childrenCreated",
      (count(*) filter (where op = 'child' and status = 'created'))::int as "linksCreated",
      (count(*) filter (where op = 'bill' and is_new))::int as "billsCreated",
      coalesce(sum(billed_count), 0)::int as "parentsBilled",
      (count(*) filter (where status = 'present'))::int as "rowsPresent",
      (count(*) filter (where status = 'error'))::int as "rowsWithErrors",
      (count(*) filter (where status = 'skipped'))::int as "rowsNotImported"
    from import_rows where import_id = ${importId}`.execute(db);
  return row.rows[0]!;
}

/** Error rows in file order (keyset on seq), for the answer and the report. */
export async function errorRows(db: Executor, importId: string, limit: number) {
  return db
    .selectFrom('import_rows')
    .select(['sheet', 'row_number', 'code', 'error_code', 'message'])
    .where('import_id', '=', importId)
    .where('status', '=', 'error')
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** A page of the report's rows, in file order. */
export async function reportRows(db: Executor, importId: string, afterSeq: number, limit: number) {
  return db
    .selectFrom('import_rows')
    .select(['seq', 'sheet', 'row_number', 'op', 'code', 'parent_code', 'raw', 'status', 'is_new', 'error_code', 'message'])
    .where('import_id', '=', importId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Whether a job holds the import's advisory lock right now (in any server process). */
export async function runningImports(db: Executor, lockKeys: Map<string, number>, space: number): Promise<Set<string>> {
  if (lockKeys.size === 0) return new Set();
  const rows = await sql<{ objid: number }>`
    select objid::text::bigint as objid from pg_locks
    where locktype = 'advisory' and classid = ${space}::int::oid and objsubid = 2 and granted
      and objid = any(${[...lockKeys.values()]}::bigint[]::oid[])`.execute(db);
  const held = new Set(rows.rows.map((r) => Number(r.objid)));
  return new Set([...lockKeys].filter(([, key]) => held.has(key)).map(([id]) => id));
}
