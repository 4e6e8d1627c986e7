import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { embeddedUrls, startEmbeddedPostgres } from '../embedded';
import type { DatabaseEnv } from '../env';
import { BackupError } from './pg-tools';

export interface MaintenanceDb {
  url: string;
  /** Which database this is, for messages (never with the password). */
  label: string;
  stop: () => Promise<void>;
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The database a backup or restore works on: DATABASE_URL; otherwise the embedded cluster in
 * DATA_DIR/pg — the running one when the server already started it (its data directory cannot be
 * opened twice), else started here and stopped afterwards. `mayCreate`: a restore onto a new
 * machine initialises an empty embedded cluster; a backup refuses to.
 */
export async function openMaintenanceDb(
  env: Pick<DatabaseEnv, 'DATABASE_URL' | 'DATA_DIR' | 'EMBEDDED_PG_PORT'>,
  mayCreate: boolean,
): Promise<MaintenanceDb> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, label: `DATABASE_URL ${describeUrl(env.DATABASE_URL)}`, stop: async () => {} };
  const dataDir = path.resolve(env.DATA_DIR, 'pg');
  const { url } = embeddedUrls(env.EMBEDDED_PG_PORT);
  const label = `the embedded Postgres in ${dataDir} (port ${env.EMBEDDED_PG_PORT})`;
  if (existsSync(path.join(dataDir, 'postmaster.pid')) && (await answers(url))) {
    return { url, label: `${label}, already running`, stop: async () => {} };
  }
  if (!mayCreate && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new BackupError(`DATABASE_URL is unset and there is no embedded database in ${dataDir} (DATA_DIR=${env.DATA_DIR}): nothing to back up.`);
  }
  try {
    const embedded = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT });
    return { url: embedded.url, label, stop: () => embedded.stop() };
  } catch (e) {
    throw new BackupError(`The embedded Postgres in ${dataDir} could not be started on port ${env.EMBEDDED_PG_PORT}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface DatabaseInfo {
  database: string;
  serverVersion: string;
  serverMajor: number;
  /** The newest migration applied, or null when the database has no TraceTrack schema. */
  migration: string | null;
  bills: number | null;
  /** Other sessions on this database (a running server holds some). */
  otherConnections: number;
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new BackupError(`Cannot connect to the database: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function databaseInfo(url: string): Promise<DatabaseInfo> {
  return withClient(url, async (c) => {
    const server = await c.query<{ database: string; version: string; num: string }>(
      `select current_database() as database, current_setting('server_version') as version, current_setting('server_version_num') as num`,
    );
    const row = server.rows[0]!;
    const hasSchema = await c.query<{ m: string | null; b: string | null }>(
      `select to_regclass('public.kysely_migration')::text as m, to_regclass('public.bills')::text as b`,
    );
    const migration = hasSchema.rows[0]?.m
      ? ((await c.query<{ name: string }>('select name from kysely_migration order by name desc limit 1')).rows[0]?.name ?? null)
      : null;
    const bills = hasSchema.rows[0]?.b ? Number((await c.query<{ n: string }>('select count(*) as n from bills')).rows[0]!.n) : null;
    const others = await c.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return {
      database: row.database,
      serverVersion: row.version,
      serverMajor: Math.floor(Number(row.num) / 10_000),
      migration,
      bills,
      otherConnections: Number(others.rows[0]!.n),
    };
  });
}

export function terminateOtherConnections(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return r.rowCount ?? 0;
  });
}

/**
 * libpq reads the URL; the password goes in PGPASSWORD so it never shows in the process list.
 */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: password ? { PGPASSWORD: password } : {} };
}
