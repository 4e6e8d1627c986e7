import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseEnv } from '../env';
import { migrations } from '../migrations';
import { readArchiveHeader } from './archive-header';
import { databaseInfo, libpqConnection, openMaintenanceDb, terminateOtherConnections } from './maintenance-db';
import { BackupError, type FoundTool, findTool, searchDirs } from './pg-tools';

export type BackupEnv = Pick<DatabaseEnv, 'DATABASE_URL' | 'DATA_DIR' | 'EMBEDDED_PG_PORT'> & { PG_BIN_DIR?: string | undefined };

/** Runs a PostgreSQL tool; a non-zero exit becomes a BackupError carrying its own messages. */
function runTool(tool: FoundTool, args: string[], env: Record<string, string>, failure: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', (e) => reject(new BackupError(`${failure}: ${tool.path} could not run (${e.message}).`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new BackupError(`${failure}: ${path.basename(tool.path)} ${tool.version} exited with ${code}:\n${err.trim().split('\n').slice(0, 12).join('\n')}`));
    });
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export interface BackupResult {
  file: string;
  bytes: number;
  message: string;
}

/**
 * `npm run backup -- --out FILE`: pg_dump in custom format, written beside FILE and renamed onto
 * it when complete, so a failed run never leaves a cut-short file under the name a schedule keeps.
 */
export async function backupDatabase(env: BackupEnv, out: string, log: (line: string) => void = () => {}): Promise<BackupResult> {
  const file = path.resolve(out);
  if (!existsSync(path.dirname(file))) throw new BackupError(`The folder ${path.dirname(file)} does not exist.`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new BackupError(`${file} is a folder; --out takes a file name.`);
  const db = await openMaintenanceDb(env, false);
  try {
    const info = await databaseInfo(db.url);
    if (!info.migration) log(`Warning: ${info.database} has no TraceTrack schema (no kysely_migration table); backing it up anyway.`);
    const pgDump = await findTool('pg_dump', info.serverMajor, searchDirs(env.PG_BIN_DIR), `Backing up PostgreSQL ${info.serverVersion} (${db.label})`);
    const partial = `${file}.partial-${process.pid}`;
    const { dbname, env: pgEnv } = libpqConnection(db.url);
    try {
      await runTool(pgDump, ['--format=custom', '--compress=6', `--file=${partial}`, `--dbname=${dbname}`], pgEnv, 'The backup failed');
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
    const bytes = statSync(file).size;
    return {
      file,
      bytes,
      message:
        `Backup written to ${file} (${mb(bytes)}): database ${info.database} from ${db.label}, PostgreSQL ${info.serverVersion}, ` +
        `migration ${info.migration ?? 'none'}, ${info.bills ?? 0} bills; pg_dump ${pgDump.version} (${pgDump.path}).`,
    };
  } finally {
    await db.stop();
  }
}

/** The migrations an archive's kysely_migration table lists (its COPY data, read by pg_restore). */
export async function archiveMigrations(pgRestore: FoundTool, file: string): Promise<string[]> {
  const data = await runTool(pgRestore, ['--data-only', '--table=kysely_migration', '--file=-', file], {}, `${file} cannot be read as a backup`);
  const lines = data.split('\n');
  const start = lines.findIndex((l) => /^COPY \S*kysely_migration /.test(l));
  if (start < 0) return [];
  const end = lines.indexOf('\\.', start);
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.split('\t')[0]!).filter(Boolean);
}

/**
 * A backup from a newer release holds migrations this code does not know: the server would refuse
 * to start on it. Say so before replacing anything.
 */
async function refuseNewerSchema(pgRestore: FoundTool, file: string): Promise<void> {
  const known = new Set(Object.keys(migrations));
  const unknown = (await archiveMigrations(pgRestore, file)).filter((name) => !known.has(name));
  if (unknown.length) {
    throw new BackupError(
      `${file} comes from a newer TraceTrack (migrations ${unknown.join(', ')}; this one knows up to ${Object.keys(migrations).sort().at(-1)}): ` +
        'install that release (or a newer one) here first, then restore.',
    );
  }
}

export interface RestoreOptions {
  /** Terminate other sessions on the database (a running server) instead of refusing. */
  force?: boolean;
}

/**
 * `npm run restore -- --in FILE`: replaces the database's TraceTrack objects with the archive's
 * (pg_restore --clean --if-exists in one transaction: on any error nothing changes). Refuses while
 * other sessions use the database, which a running server does, unless `force`.
 */
export async function restoreDatabase(env: BackupEnv, input: string, opts: RestoreOptions = {}, log: (line: string) => void = () => {}): Promise<string> {
  const file = path.resolve(input);
  const header = await readArchiveHeader(file);
  const pgRestore = await findTool('pg_restore', header.dumpMajor, searchDirs(env.PG_BIN_DIR), `Reading ${file} (written by pg_dump ${header.dumpVersion})`);
  const listing = await runTool(pgRestore, ['--list', file], {}, `${file} cannot be read as a backup`);
  if (!/\bTABLE public kysely_migration\b/.test(listing)) {
    throw new BackupError(`${file} is a PostgreSQL archive of database ${header.database}, but not a TraceTrack backup (it has no kysely_migration table).`);
  }
  await refuseNewerSchema(pgRestore, file);
  const db = await openMaintenanceDb(env, true);
  try {
    const before = await databaseInfo(db.url);
    if (before.otherConnections > 0) {
      if (!opts.force) {
        throw new BackupError(
          `${before.otherConnections} other session(s) are using database ${before.database} (${db.label}): is the TraceTrack server running? ` +
            'Stop it (every instance) before restoring, or pass --force to disconnect them.',
        );
      }
      log(`Warning: --force: disconnecting ${await terminateOtherConnections(db.url)} other session(s) from ${before.database}.`);
    }
    const { dbname, env: pgEnv } = libpqConnection(db.url);
    await runTool(
      pgRestore,
      ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file],
      pgEnv,
      `The restore failed and ${before.database} is unchanged`,
    );
    const after = await databaseInfo(db.url);
    return (
      `Restored ${file} (taken from ${header.database} on PostgreSQL ${header.serverVersion}) into database ${after.database} (${db.label}): ` +
      `migration ${after.migration ?? 'none'}, ${after.bills ?? 0} bills. Start the server: it migrates to its own level at start-up.`
    );
  } finally {
    await db.stop();
  }
}
