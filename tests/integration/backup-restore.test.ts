import { spawn } from 'node:child_process';
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, migrateToLatest, startEmbeddedPostgres } from '@tracetrack/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, searchDirs } from '../../db/src/backup/pg-tools';
import { createParentBag, nextBillNumber } from '../factories/bills';
import { createUser } from '../factories/users';
import { freePort } from '../helpers/server-process';
import { createTestDatabase } from '../helpers/test-db';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs `npm run backup` / `npm run restore` as the operator would (the same tsx entry points). */
function cli(script: 'backup' | 'restore', args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `db/src/${script}-cli.ts`, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: undefined, PG_BIN_DIR: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** A loading bill holding one parent; the test's pool is closed again so nothing stays connected. */
async function createBillWithParent(url: string) {
  const { db } = createDb({ url, poolSize: 1 });
  try {
    const user = await createUser(db, { role: 'biller' });
    const parent = await createParentBag(db, { children: 3 });
    const bill = await db
      .insertInto('bills')
      .values({ bill_number: nextBillNumber(), capacity: 5, status: 'loading', parent_count: 1, created_by: user.id })
      .returning(['id', 'bill_number'])
      .executeTakeFirstOrThrow();
    await db.insertInto('bill_parents').values({ parent_id: parent.id, bill_id: bill.id, added_by: user.id }).execute();
    return { billId: bill.id, billNumber: bill.bill_number, parentId: parent.id };
  } finally {
    await db.destroy();
  }
}

async function dropBill(url: string, billId: number) {
  await query(url, 'delete from bill_parents where bill_id = $1', [billId]);
  await query(url, 'delete from bills where id = $1', [billId]);
}

const billRows = (url: string, billNumber: string) =>
  query<{ bill_number: string; parent_count: number; parent_id: string }>(
    url,
    'select b.bill_number, b.parent_count, bp.parent_id from bills b join bill_parents bp on bp.bill_id = b.id where b.bill_number = $1',
    [billNumber],
  );

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tt-backup-'));
  // The embedded cluster runs as the `postgres` user when this runs as root: it must reach DATA_DIR.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('backup and restore with DATABASE_URL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('backs up, a bill is dropped, the restore brings it back with its parent', async () => {
    const bill = await createBillWithParent(database.url);
    const file = path.join(dir, 'url.dump');
    const backup = await cli('backup', ['--out', file], { DATABASE_URL: database.url });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backup written to .*url\.dump .*1 bills/);

    await dropBill(database.url, bill.billId);
    expect(await billRows(database.url, bill.billNumber)).toEqual([]);

    const restore = await cli('restore', ['--in', file], { DATABASE_URL: database.url });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/Restored .* 1 bills/);
    expect(await billRows(database.url, bill.billNumber)).toEqual([{ bill_number: bill.billNumber, parent_count: 1, parent_id: String(bill.parentId) }]);
    // Restoring again onto the now-identical database is the "existing database" case: still one bill.
    expect((await cli('restore', ['--in', file], { DATABASE_URL: database.url })).code).toBe(0);
    expect(await query(database.url, 'select count(*)::int as n from bills')).toEqual([{ n: 1 }]);
  }, 180_000); // each step starts the CLI through tsx: seconds apiece on a loaded machine

  it('refuses while another session (a running server) uses the database, and --force disconnects it', async () => {
    const file = path.join(dir, 'busy.dump');
    expect((await cli('backup', ['--out', file], { DATABASE_URL: database.url })).code).toBe(0);
    await query(database.url, 'delete from bill_parents');
    const server = new pg.Client({ connectionString: database.url });
    server.on('error', () => {});
    await server.connect();
    try {
      const refused = await cli('restore', ['--in', file], { DATABASE_URL: database.url });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/restore failed: 1 other session\(s\) are using database .*is the TraceTrack server running\?.*--force/s);
      noStackTrace(refused.stderr);
      expect(await query(database.url, 'select count(*)::int as n from bill_parents')).toEqual([{ n: 0 }]);

      const forced = await cli('restore', ['--in', file, '--force'], { DATABASE_URL: database.url });
      expect(forced.code).toBe(0);
      expect(forced.stderr).toMatch(/disconnecting 1 other session/);
      expect(await query(database.url, 'select count(*)::int as n from bill_parents')).toEqual([{ n: 1 }]);
    } finally {
      await server.end().catch(() => {});
    }
  }, 180_000); // each step starts the CLI through tsx: seconds apiece on a loaded machine

  it('refuses bad files and missing tools with one clear message and changes nothing', async () => {
    const env = { DATABASE_URL: database.url };
    const junk = path.join(dir, 'junk.dump');
    await writeFile(junk, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)));
    const plain = path.join(dir, 'plain.sql');
    await writeFile(plain, '-- PostgreSQL database dump\nselect 1;\n');
    const truncated = path.join(dir, 'truncated.dump');
    await writeFile(truncated, 'PGDMP\x01');
    const cases: [string[], RegExp][] = [
      [['--in', path.join(dir, 'missing.dump')], /missing\.dump does not exist/],
      [['--in', junk], /junk\.dump is not a TraceTrack backup .*does not start with PGDMP/],
      [['--in', plain], /plain\.sql is not a TraceTrack backup .*plain SQL dump/],
      [['--in', truncated], /truncated\.dump is not a TraceTrack backup .*cut short/],
      [['--in', dir], /cannot be read/],
      [[], /Usage: npm run restore -- --in FILE/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('restore', args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      noStackTrace(r.stderr);
    }

    // A real archive that is not TraceTrack's: a dump of an empty database.
    const other = `${database.url}_other`;
    const otherName = new URL(other).pathname.slice(1);
    await query(database.url, `create database ${otherName}`);
    try {
      const foreign = path.join(dir, 'foreign.dump');
      expect((await cli('backup', ['--out', foreign], { DATABASE_URL: other })).code).toBe(0);
      const r = await cli('restore', ['--in', foreign], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is a PostgreSQL archive of database .* but not a TraceTrack backup/);
    } finally {
      await query(database.url, `drop database ${otherName} with (force)`);
    }

    // A backup from a newer release: its migrations are unknown here, and nothing is replaced.
    const future = path.join(dir, 'future.dump');
    await query(database.url, `insert into kysely_migration (name, timestamp) values ('9999-from-the-future', now())`);
    try {
      expect((await cli('backup', ['--out', future], env)).code).toBe(0);
    } finally {
      await query(database.url, `delete from kysely_migration where name = '9999-from-the-future'`);
    }
    const newer = await cli('restore', ['--in', future], env);
    expect(newer.code).toBe(1);
    expect(newer.stderr).toMatch(/future\.dump comes from a newer TraceTrack \(migrations 9999-from-the-future; this one knows up to \d{4}-[a-z-]+\): install that release/);
    expect(await query(database.url, `select count(*)::int as n from kysely_migration where name = '9999-from-the-future'`)).toEqual([{ n: 0 }]);

    const emptyBin = path.join(dir, 'empty-bin');
    await mkdir(emptyBin);
    const noTool = await cli('backup', ['--out', path.join(dir, 'x.dump')], { ...env, PG_BIN_DIR: emptyBin });
    expect(noTool.code).toBe(1);
    expect(noTool.stderr).toMatch(/needs pg_dump \d+ or newer: no pg_dump was found \(looked in .*empty-bin\).*PG_BIN_DIR/s);
    noStackTrace(noTool.stderr);
    const noFolder = await cli('backup', ['--out', path.join(dir, 'nowhere', 'x.dump')], env);
    expect(noFolder.stderr).toMatch(/The folder .*nowhere does not exist/);
    const badUrl = await cli('backup', ['--out', path.join(dir, 'y.dump')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/Cannot connect to the database/);
    noStackTrace(badUrl.stderr);
  }, 180_000); // each step starts the CLI through tsx: seconds apiece on a loaded machine
});

describe('backup and restore with the embedded Postgres (DATABASE_URL unset)', () => {
  it('round-trips a bill when a pg_dump as new as the embedded server exists, otherwise names what is missing; takes a DATABASE_URL backup in', async () => {
    // A backup of another installation (DATABASE_URL, the compose Postgres) to restore onto this "new machine".
    const source = await createTestDatabase();
    const moved = await createBillWithParent(source.url);
    const movedFile = path.join(dir, 'moved.dump');
    try {
      expect((await cli('backup', ['--out', movedFile], { DATABASE_URL: source.url })).code).toBe(0);
    } finally {
      await source.drop();
    }

    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) };
    let embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port });
    try {
      const { db } = createDb({ url: embedded.url, poolSize: 1 });
      await migrateToLatest(db);
      await db.destroy();
      const bill = await createBillWithParent(embedded.url);
      const [{ major }] = await query<{ major: number }>(embedded.url, `select current_setting('server_version_num')::int / 10000 as major`) as [{ major: number }];
      const tool = await findTool('pg_dump', major, searchDirs(undefined), 'probe').catch(() => null);
      const file = path.join(dir, 'embedded.dump');

      // Stopped: the CLI starts the cluster in DATA_DIR/pg itself (and stops it again).
      await embedded.stop();
      const whileStopped = await cli('backup', ['--out', file], env);
      embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port });
      // Running (as under `npm start`): the CLI uses the running cluster.
      const whileRunning = await cli('backup', ['--out', file], env);
      for (const r of [whileStopped, whileRunning]) noStackTrace(r.stderr);

      // Restoring onto the embedded cluster works whenever pg_restore can read the archive.
      const moveIn = await cli('restore', ['--in', movedFile], env);
      expect(moveIn.stderr).toBe('');
      expect(moveIn.code).toBe(0);
      expect(moveIn.stdout).toMatch(/into database tracetrack \(the embedded Postgres in .*already running\): migration \d{4}-/);
      expect(await billRows(embedded.url, moved.billNumber)).toHaveLength(1);
      expect(await billRows(embedded.url, bill.billNumber)).toEqual([]);

      // A new machine: no cluster in DATA_DIR yet; the restore initialises one, fills it, stops it.
      const freshDir = path.join(dir, 'fresh');
      const freshPort = await freePort();
      const fresh = await cli('restore', ['--in', movedFile], { DATA_DIR: freshDir, EMBEDDED_PG_PORT: String(freshPort) });
      expect(fresh.stderr).toBe('');
      expect(fresh.code).toBe(0);
      const started = await startEmbeddedPostgres({ dataDir: path.join(freshDir, 'pg'), port: freshPort });
      try {
        expect(await billRows(started.url, moved.billNumber)).toHaveLength(1);
      } finally {
        await started.stop();
      }

      if (!tool) {
        for (const r of [whileStopped, whileRunning]) {
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(new RegExp(`Backing up PostgreSQL ${major}\\.\\d+ \\(the embedded Postgres in .*\\) needs pg_dump ${major} or newer: found only pg_dump \\d+`));
          expect(r.stderr).toMatch(new RegExp(`postgresql-client-${major}.*PG_BIN_DIR`, 's'));
        }
        console.warn(`embedded round trip not possible here: no pg_dump ${major} or newer (${whileRunning.stderr.trim().split('\n')[0]})`);
        return;
      }
      expect(whileStopped.code).toBe(0);
      expect(whileRunning.code).toBe(0);
      await dropBill(embedded.url, moved.billId);
      const restore = await cli('restore', ['--in', file], env);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(await billRows(embedded.url, bill.billNumber)).toEqual([{ bill_number: bill.billNumber, parent_count: 1, parent_id: String(bill.parentId) }]);
      expect(await billRows(embedded.url, moved.billNumber)).toEqual([]);
    } finally {
      await embedded.stop();
    }
  }, 180_000); // each step starts the CLI through tsx: seconds apiece on a loaded machine
});
