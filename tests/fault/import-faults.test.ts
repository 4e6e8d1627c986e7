import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabelSheets, writeLabelSheetXlsx } from '../factories/label-sheets';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { trpcHttp } from '../helpers/http';
import { postImport } from '../helpers/imports';
import { countersAndRecount } from '../helpers/recount';
import { startServerProcess, waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const progressOf = async (id: string) =>
  (await sql<{ status: string; committed_through: number; rows_done: number; rows_total: number }>`
    select status, committed_through, rows_done, rows_total from imports where id = ${id}`.execute(t.deps.db)).rows[0];

describe('import faults', () => {
  it('the server is SIGKILLed mid-commit of a 50,000-row label sheet: after restart and resume, every bag and link exactly once', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-import-fault-'));
    const env = { DATABASE_URL: t.databaseUrl, UPLOAD_DIR: path.join(dir, 'uploads'), ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) };
    const login = async (url: string) => {
      const res = await fetch(`${url}/trpc/auth.login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin.username, password: TEST_PASSWORD }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      return { cookie, http: trpcHttp(fetch, url, cookie) };
    };

    // 1,620 batches of 30 children, each closed by its SB parent: 50,220 rows over 2 sheets.
    const gen = generateLabelSheets({ sheets: 2, children: 48_600, batchSize: 30, firstChild: 5_000_000, firstParent: 50_000 });
    const rows = gen.children.length + gen.parents.length;
    const file = path.join(dir, 'labels-50k.xlsx');
    await writeLabelSheetXlsx(file, gen.sheets);
    const id = randomUUID();

    // The bundle `npm start` runs: it starts in a second or two where tsx takes many under load.
    execFileSync(process.execPath, ['server/build.mjs'], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: 'pipe' });
    const start = () => startServerProcess(env, undefined, [], { bundle: true });
    let server = await start();
    try {
      const first = await login(server.url);
      const posting = postImport(fetch, server.url, first.cookie, { kind: 'label-sheet', file, fileName: 'labels-50k.xlsx', area: 'raipur', dryRun: false, id })
        .catch((e: Error) => e);
      await waitFor(async () => ((await progressOf(id))?.committed_through ?? 0) > 0, 180_000, 'the first committed chunks');
      await server.kill('SIGKILL');
      expect(await posting).toBeInstanceOf(Error);

      const cut = (await progressOf(id))!;
      expect(cut.status).toBe('committing');
      expect(cut.rows_done).toBeLessThan(rows);
      const linkedAtCut = Number((await sql<{ n: number }>`select count(*)::int as n from links l join bags p on p.id = l.parent_id where p.code like 'SB5%' and p.area = 'raipur'`.execute(t.deps.db)).rows[0]!.n);
      expect(linkedAtCut).toBeGreaterThan(0);
      expect(linkedAtCut).toBeLessThan(gen.children.length);

      server = await start();
      const second = await login(server.url);
      const interrupted = await second.http.query('import.get', { id });
      expect(interrupted.data).toMatchObject({ status: 'committing', isRunning: false });
      const resumed = await second.http.mutate('import.resume', { id });
      expect(resumed.status).toBe(200);
      await waitFor(async () => (await progressOf(id))?.status === 'committed', 300_000, 'the resumed commit');

      const done = await second.http.query('import.get', { id });
      expect(done.data.commitCounts).toEqual({
        rowsRead: rows, parentsCreated: gen.parents.length, childrenCreated: gen.children.length, linksCreated: gen.children.length,
        billsCreated: 0, parentsBilled: 0, rowsPresent: 0, rowsWithErrors: 0, rowsNotImported: 0,
      });
      const check = await sql<{ bags: number; children: number; links: number; full: number; events: number; distinct_events: number }>`
        select
          (select count(*)::int from bags where code = any(${[...gen.parents, ...gen.children]}::text[])) as bags,
          (select count(*)::int from bags where code = any(${gen.children}::text[]) and area = 'raipur') as children,
          (select count(*)::int from links l join bags c on c.id = l.child_id where c.code = any(${gen.children}::text[])) as links,
          (select count(*)::int from bags where code = any(${gen.parents}::text[]) and child_count = 30) as full,
          (select count(*)::int from scan_events where user_id = ${admin.id}) as events,
          (select count(distinct coalesce(child_id, parent_id))::int from scan_events where user_id = ${admin.id}) as distinct_events`.execute(t.deps.db);
      expect(check.rows[0]).toEqual({ bags: rows, children: gen.children.length, links: gen.children.length, full: gen.parents.length, events: rows, distinct_events: rows });
      // Each child sits in the parent that closed its batch.
      const misplaced = await sql<{ n: number }>`
        select count(*)::int as n from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id
        where c.code = any(${gen.children}::text[]) and p.code <> ('SB' || lpad((50000 + (c.code::int - 5000000) / 30)::text, 5, '0'))`.execute(t.deps.db);
      expect(misplaced.rows[0]!.n).toBe(0);
      const totals = await countersAndRecount(t.deps.db);
      expect(totals.counters).toEqual(totals.recount);
      expect(totals.parentsWithWrongCount).toEqual([]);
    } finally {
      await server.kill('SIGKILL');
    }
  }, 600_000);
});
