import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, type ImportKind, isAppError } from '@tracetrack/shared';
import { sql } from 'kysely';
import type { Deps } from '../../deps';
import type { Executor } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { applyUnits } from './apply';
import * as q from './queries';
import { stageUpload } from './stage';

type JobDeps = Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>;

/** Advisory-lock key space of import jobs (two-int keys: this, and the import's key). */
export const IMPORT_LOCK_SPACE = 7547;

export function lockKeyOf(importId: string): number {
  return createHash('sha1').update(importId).digest().readUInt32BE(0) & 0x7fffffff;
}

/** Where an import's upload is kept until its rows are read. */
export function uploadPathOf(deps: Pick<Deps, 'config'>, importId: string): string {
  return path.join(deps.config.uploadDir, `${importId}.upload`);
}

/**
 * Runs `fn` holding the import's session-level advisory lock on one connection: one job per import
 * across every server process, and a job that dies with its process (a crash, a SIGKILL) lets go
 * of the lock with its connection, so the import can be resumed at once.
 */
async function withImportLock(db: Executor, importId: string, fn: () => Promise<void>): Promise<void> {
  const key = lockKeyOf(importId);
  await db.connection().execute(async (conn) => {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${IMPORT_LOCK_SPACE}::int, ${key}::int) as ok`.execute(conn);
    if (!got.rows[0]?.ok) throw new AppError('IMPORT_RUNNING', 'This import is being read, checked or imported right now. Wait for it to finish.');
    try {
      await fn();
    } finally {
      await sql`select pg_advisory_unlock(${IMPORT_LOCK_SPACE}::int, ${key}::int)`.execute(conn).catch(() => {});
    }
  });
}

/**
 * Starts the import's job under its lock: `prepare` runs first (checks and status changes that
 * must not race another job) and its refusal is the caller's; then the job goes on in the
 * background. Returns the job's end wrapped in an object, which the upload route waits for and
 * the procedures do not (an async function returning a bare promise would adopt it, and the
 * caller would wait for the whole job).
 */
export async function launchJob(
  deps: JobDeps,
  importId: string,
  actor: Actor,
  meta: RequestMeta,
  prepare: () => Promise<void> = async () => {},
): Promise<{ done: Promise<void> }> {
  let isStarted = false;
  let started!: () => void;
  let refused!: (e: unknown) => void;
  const start = new Promise<void>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  const done = withImportLock(deps.db, importId, async () => {
    await prepare();
    isStarted = true;
    started();
    await runJob(deps, importId, actor, meta);
  }).catch(async (e: unknown) => {
    if (!isStarted) return refused(e);
    // The import keeps its status: it shows as interrupted and can be resumed.
    deps.logger.error('import job stopped', { importId, requestId: meta.requestId, error: String(e) });
    const failure = isAppError(e) ? e.message : 'The server stopped this import by an error (it has been logged).';
    await q.patchImport(deps.db, importId, { failure: `${failure} Resume it to go on.` }).catch(() => {});
  }).finally(() => deps.live.publish([`import:${importId}`]));
  await start;
  return { done };
}

async function finishUnreadable(deps: JobDeps, importId: string, reason: string) {
  await q.patchImport(deps.db, importId, { status: 'failed', failure: reason, finished_at: deps.clock() });
  await rm(uploadPathOf(deps, importId), { force: true });
}

/** Reads the upload (again, on a resume), then checks or commits; each step picks up where the import stands. */
async function runJob(deps: JobDeps, importId: string, actor: Actor, meta: RequestMeta): Promise<void> {
  const patch = async (p: q.ImportPatch) => {
    await q.patchImport(deps.db, importId, p);
    deps.live.publish([`import:${importId}`]);
  };
  let imp = await q.findImport(deps.db, importId);
  if (!imp) return;
  const kind = imp.kind as ImportKind;
  if (imp.status === 'reading') {
    try {
      await stageUpload(deps, { id: imp.id, kind, area: imp.area }, uploadPathOf(deps, importId), (n) => patch({ rows_total: n }));
    } catch (e) {
      if (isAppError(e) && e.code === 'FILE_UNREADABLE') return finishUnreadable(deps, importId, e.message);
      throw e;
    }
    const { total } = await q.countRows(deps.db, importId);
    if (total === 0) return finishUnreadable(deps, importId, 'The file holds no rows to import.');
    await patch({ rows_total: total, status: imp.is_dry_run ? 'checking' : 'committing', committed_through: 0 });
    // The rows are the import's copy of the file from here on: checks, commits and resumes read them.
    await rm(uploadPathOf(deps, importId), { force: true });
    imp = (await q.findImport(deps.db, importId))!;
  }
  if (imp.status !== 'checking' && imp.status !== 'committing') return;
  const mode = imp.status === 'checking' ? 'dry-run' : 'commit';
  const from = mode === 'commit' ? imp.committed_through : 0;
  await q.resetRowsAfter(deps.db, importId, from);
  await patch({ rows_done: await q.rowsDoneThrough(deps.db, importId, from), failure: null });
  await applyUnits(deps, { importId, kind, area: imp.area, actor, meta, mode }, from);

  const counts = await q.countsOf(deps.db, importId);
  const finishedAt = deps.clock();
  if (mode === 'dry-run') await patch({ status: 'checked', dry_run_counts: JSON.stringify(counts), finished_at: finishedAt });
  else await patch({ status: 'committed', commit_counts: JSON.stringify(counts), finished_at: finishedAt });
  await insertAudit(deps.db, { actor, meta }, {
    action: mode === 'dry-run' ? 'import.check' : 'import.commit',
    entityType: 'import',
    entityId: importId,
    after: { fileName: imp.file_name, kind, area: imp.area, isDryRun: mode === 'dry-run', counts, reportId: importId },
  });
}
