import { randomUUID } from 'node:crypto';
import { access, rename } from 'node:fs/promises';
import {
  AppError,
  IMPORT_ERRORS_SHOWN,
  type ImportCounts,
  type ImportListInput,
  type ImportReport,
  type ImportSummary,
  importUploadFieldsSchema,
  type AppErrorCode,
} from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { keysetPage } from '../../infra/keyset-cursor';
import type { Actor, RequestMeta } from '../actor';
import { IMPORT_LOCK_SPACE, launchJob, lockKeyOf, uploadPathOf } from './job';
import * as q from './queries';
import { discard, type ReceivedUpload } from './upload';

type ServiceDeps = Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>;
const IN_PROGRESS = new Set(['reading', 'checking', 'committing']);

function toSummary(r: q.ImportRecord, running: Set<string>): ImportSummary {
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    fileBytes: Number(r.file_bytes),
    area: r.area,
    isDryRun: r.is_dry_run,
    status: r.status,
    isRunning: running.has(r.id),
    rowsTotal: r.rows_total,
    rowsDone: Math.min(r.rows_done, r.rows_total),
    dryRunCounts: (r.dry_run_counts as ImportCounts | null) ?? null,
    commitCounts: (r.commit_counts as ImportCounts | null) ?? null,
    failure: r.failure,
    createdBy: r.created_by_username,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
  };
}

async function runningOf(deps: Pick<Deps, 'db'>, rows: q.ImportRecord[]) {
  const keys = new Map(rows.filter((r) => IN_PROGRESS.has(r.status)).map((r) => [r.id, lockKeyOf(r.id)]));
  return q.runningImports(deps.db, keys, IMPORT_LOCK_SPACE);
}

async function mustFind(deps: Pick<Deps, 'db'>, id: string) {
  const imp = await q.findImport(deps.db, id);
  if (!imp) throw new AppError('IMPORT_NOT_FOUND', 'There is no such import.');
  return imp;
}

/** An import with its first errors (all of them are in the downloadable report). */
export async function getImport(deps: Pick<Deps, 'db'>, id: string): Promise<ImportReport> {
  const imp = await mustFind(deps, id);
  const [running, errors] = await Promise.all([runningOf(deps, [imp]), q.errorRows(deps.db, id, IMPORT_ERRORS_SHOWN)]);
  const summary = toSummary(imp, running);
  const counts = imp.status === 'committed' ? summary.commitCounts : summary.dryRunCounts;
  return {
    ...summary,
    errors: errors.map((e) => ({ sheet: e.sheet, row: e.row_number, code: e.code, errorCode: e.error_code as AppErrorCode, message: e.message ?? '' })),
    errorCount: counts?.rowsWithErrors ?? errors.length,
  };
}

const cursorOf = (r: q.ImportRecord) => Buffer.from(JSON.stringify({ at: r.created_at.toISOString(), id: r.id })).toString('base64url');

function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: string; id: string };
    const at = new Date(v.at);
    if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(v.id)) throw new Error('bad cursor');
    return { at, id: v.id };
  } catch {
    throw new AppError('VALIDATION', 'The page cursor is not valid; start from the first page.', { field: 'cursor' });
  }
}

/** Every admin's imports, newest first: the history screen. */
export async function listImports(deps: Pick<Deps, 'db'>, input: ImportListInput) {
  const rows = await q.listImports(deps.db, decodeCursor(input.cursor), input.limit);
  const { page, nextCursor } = keysetPage(rows, input.limit, cursorOf);
  const running = await runningOf(deps, page);
  return { items: page.map((r) => toSummary(r, running)), nextCursor };
}

/**
 * A received upload becomes an import: its fields are checked, the file is kept under the
 * import's id, and its job starts (read, then dry run or commit). Returns the import's id and
 * the job's end.
 */
export async function startImport(deps: ServiceDeps, actor: Actor, meta: RequestMeta, upload: ReceivedUpload) {
  const parsed = importUploadFieldsSchema.safeParse(upload.fields);
  if (!parsed.success) {
    await discard(upload.file);
    const issue = parsed.error.issues[0];
    throw new AppError('VALIDATION', `Invalid ${issue?.path.join('.') || 'field'}: ${issue?.message ?? 'invalid'}.`);
  }
  const fields = parsed.data;
  if (!upload.file || upload.file.bytes === 0) {
    await discard(upload.file);
    throw new AppError('VALIDATION', 'Choose a file to import (the form field named file is missing or empty).');
  }
  if (fields.kind === 'label-sheet' && !fields.area) {
    await discard(upload.file);
    throw new AppError('AREA_REQUIRED', 'Choose the dispatch area the label sheet\'s bags go to.');
  }
  const id = fields.id ?? randomUUID();
  const isNew = await q.insertImport(deps.db, {
    id, kind: fields.kind, fileName: upload.file.name, fileBytes: upload.file.bytes, area: fields.area ?? null, isDryRun: fields.dryRun, createdBy: actor.id,
  }).catch(async (e: unknown) => {
    await discard(upload.file);
    throw e;
  });
  if (!isNew) {
    await discard(upload.file);
    throw new AppError('VALIDATION', 'An import with this id exists already; send a new id.');
  }
  await rename(upload.file.path, uploadPathOf(deps, id));
  const { done } = await launchJob(deps, id, actor, meta);
  return { id, done };
}

/** Commits a checked dry run: its rows are judged again, now for real. Returns once the job is under way. */
export async function commitImport(deps: ServiceDeps, actor: Actor, meta: RequestMeta, id: string): Promise<ImportSummary> {
  await mustFind(deps, id);
  await launchJob(deps, id, actor, meta, async () => {
    const imp = await mustFind(deps, id);
    if (imp.status === 'committed') throw new AppError('IMPORT_FINISHED', 'This import was committed already.');
    if (imp.status === 'failed') throw new AppError('IMPORT_FINISHED', 'This file could not be read; upload a corrected file.');
    if (imp.status !== 'checked') throw new AppError('IMPORT_RUNNING', 'This import has not finished its dry run; resume it first.');
    await q.patchImport(deps.db, id, { status: 'committing', committed_through: 0, rows_done: 0, failure: null, finished_at: null });
  });
  return (await listOne(deps, id));
}

/** Goes on with an interrupted import (a crash, a restart) from where it stood. */
export async function resumeImport(deps: ServiceDeps, actor: Actor, meta: RequestMeta, id: string): Promise<ImportSummary> {
  await mustFind(deps, id);
  await launchJob(deps, id, actor, meta, async () => {
    const imp = await mustFind(deps, id);
    if (!IN_PROGRESS.has(imp.status)) throw new AppError('IMPORT_FINISHED', 'This import is not interrupted: there is nothing to resume.');
    if (imp.status === 'reading') {
      const isKept = await access(uploadPathOf(deps, id)).then(() => true, () => false);
      if (!isKept) {
        await q.patchImport(deps.db, id, { status: 'failed', failure: 'The uploaded file is no longer on the server; upload it again.', finished_at: deps.clock() });
        throw new AppError('IMPORT_FINISHED', 'The uploaded file is no longer on the server; upload it again.');
      }
    }
  });
  return listOne(deps, id);
}

async function listOne(deps: Pick<Deps, 'db'>, id: string): Promise<ImportSummary> {
  const imp = await mustFind(deps, id);
  return toSummary(imp, await runningOf(deps, [imp]));
}
