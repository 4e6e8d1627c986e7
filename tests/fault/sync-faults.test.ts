import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import type { Mutation } from '@tracetrack/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyToModel, emptyModel, modelBilledParents, modelLinks, type ModelOutcome, modelReturns } from '../helpers/bag-model';
import { createApp } from '../../server/src/app';
import { fillingWorkload, mutationQueue } from '../factories/mutations';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { countersAndRecount } from '../helpers/recount';
import { startServerProcess, waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const eventsOf = async (deviceId: string) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from scan_events where device_id = ${deviceId}`.execute(t.deps.db)).rows[0]?.n);

async function dbLinks(prefix: string): Promise<string[]> {
  const rows = await sql<{ link: string }>`
    select c.code || '>' || p.code as link from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id
    where p.code like ${prefix + '%'}`.execute(t.deps.db);
  return rows.rows.map((r) => r.link).sort();
}

/** Billed parents ("PARENT@BILL") and returned ones ("PARENT<BILL") of parents whose code starts with the prefix. */
async function dbBillsAndReturns(prefix: string) {
  const billed = await sql<{ x: string }>`
    select p.code || '@' || bl.bill_number as x from bill_parents bp join bags p on p.id = bp.parent_id join bills bl on bl.id = bp.bill_id
    where p.code like ${prefix + '%'}`.execute(t.deps.db);
  const returned = await sql<{ x: string }>`
    select parent_code || '<' || bill_number as x from return_ticket_bags where parent_code like ${prefix + '%'}`.execute(t.deps.db);
  return { billed: billed.rows.map((r) => r.x).sort(), returned: returned.rows.map((r) => r.x).sort() };
}

/** Every mutation has exactly one stored outcome, equal to the model's. */
async function expectOutcomes(mutations: Mutation[], expected: Map<string, ModelOutcome>) {
  const rows = await sql<{ mutation_id: string; status: string; error_code: string | null }>`
    select mutation_id, status, error_code from scan_events where mutation_id = any(${mutations.map((m) => m.id)}::uuid[])`.execute(t.deps.db);
  expect(rows.rows).toHaveLength(mutations.length);
  for (const row of rows.rows) {
    const want = expected.get(row.mutation_id)!;
    expect({ status: row.status, code: row.error_code }).toEqual({ status: want.status, code: want.status === 'rejected' ? want.code : null });
  }
}

function modelOf(actor: Actor, mutations: Mutation[]) {
  const model = emptyModel();
  const now = Date.now();
  const expected = new Map(mutations.map((m) => [m.id, applyToModel(model, actor, m.name, m.args as Record<string, unknown>, now, Date.parse(m.clientTime))]));
  return { model, expected };
}

describe('fault injection', () => {
  it('a response lost after commit: resending the batch applies nothing twice', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'raipur' });
    const server = serve({ fetch: createApp(t.deps).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const http = trpcHttp(fetch, url, await sessionCookieFor(t.deps, user.id));
      const deviceId = randomUUID();
      await http.mutate('device.register', { deviceId });
      const q = mutationQueue();
      const mutations = fillingWorkload(q, { prefix: '80', parents: 16, links: 480, childPrefix: 'L80001C' });

      // The connection drops while the server is still applying (after its first committed chunk):
      // the client never sees a response.
      const abort = new AbortController();
      const lost = http.mutate('sync.push', { deviceId, mutations }, abort.signal).catch((e: Error) => e);
      await waitFor(async () => (await eventsOf(deviceId)) > 0, 30_000, 'first commits');
      abort.abort();
      expect(await lost).toBeInstanceOf(Error);
      await waitFor(async () => (await eventsOf(deviceId)) === mutations.length, 30_000, 'server to finish the lost push');

      const again = await http.mutate('sync.push', { deviceId, mutations });
      expect(again.status).toBe(200);
      expect(again.data.results.every((r: { replay: boolean }) => r.replay)).toBe(true);
      const { model, expected } = modelOf(user, mutations);
      await expectOutcomes(mutations, expected);
      expect(await dbLinks('SB80')).toEqual(modelLinks(model));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the server is SIGKILLed mid-push of 3,000 scans with bills and returns among them: after restart and a full resend, each applied exactly once', async () => {
    // A biller: parents, links, bills and return tickets from one desk, all through the outbox.
    const user = await createUser(t.deps.db, { role: 'biller' });
    const env = { DATABASE_URL: t.databaseUrl, ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) };
    const login = async (url: string) => {
      const res = await fetch(`${url}/trpc/auth.login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: TEST_PASSWORD }),
      });
      expect(res.status).toBe(200);
      return trpcHttp(fetch, url, res.headers.getSetCookie().find((c) => c.startsWith('tt_session='))!.split(';')[0]);
    };

    const q = mutationQueue();
    const mutations: Mutation[] = [];
    const parent = (n: number) => `SB81${String(n).padStart(3, '0')}`;
    for (let p = 0; p < 100; p++) mutations.push(q.next('parent.scan', { code: parent(p) }));
    /**
     * A bill of three parents completed short, then two return tickets: returns off the completed
     * bill, and every refusal of a return scan in between (already on this ticket, on another open
     * ticket, on no bill, a child, a closed ticket). Spread through the links, so the kill lands
     * among them and links meet parents on completed bills (BILL_COMPLETED) and returned ones.
     */
    const returnBlock = (k: number) => {
      const [a, b, c] = [parent(3 * k), parent(3 * k + 1), parent(3 * k + 2)];
      const billNumber = `FK81-${k}`;
      const [ticket, other] = [randomUUID(), randomUUID()];
      return [
        q.next('bill.create', { billNumber, capacity: 4 }),
        ...[a, b, c, a].map((code) => q.next('bill.addParent', { billNumber, parentCode: code })),
        q.next('bill.complete', { billNumber, allowShort: true }),
        q.next('return.create', { ticketId: ticket, area: 'ranchi', notes: `truck ${k}` }),
        q.next('return.create', { ticketId: other, area: 'ranchi' }),
        q.next('return.scan', { ticketId: ticket, code: a }),
        q.next('return.scan', { ticketId: ticket, code: a }),
        q.next('return.scan', { ticketId: other, code: b }),
        q.next('return.scan', { ticketId: ticket, code: b }),
        q.next('return.scan', { ticketId: ticket, code: parent(99) }),
        q.next('return.scan', { ticketId: ticket, code: `K81C${k}` }),
        q.next(k % 2 ? 'return.cancel' : 'return.finalize', { ticketId: ticket }),
        q.next('return.scan', { ticketId: ticket, code: c }),
      ];
    };
    // 2,900 links; every tenth child is sent to a second parent too (a conflict), and parents overfill.
    for (let i = 0; i < 2900; i++) {
      const child = i % 10 === 9 ? `K81C${i - 1}` : `K81C${i}`;
      mutations.push(q.next('child.link', { parentCode: parent(i % 97), childCode: child }));
      if (i % 250 === 125) mutations.push(...returnBlock(Math.floor(i / 250)));
    }
    const batches = Array.from({ length: Math.ceil(mutations.length / 500) }, (_, b) => mutations.slice(b * 500, b * 500 + 500));

    // The bundle `npm start` runs: it starts in a second where tsx takes several under load.
    let server = await startServerProcess(env, undefined, [], { bundle: true });
    const deviceId = randomUUID();
    try {
      let http = await login(server.url);
      await http.mutate('device.register', { deviceId });
      const pushing = (async () => {
        for (const batch of batches) {
          const res = await http.mutate('sync.push', { deviceId, mutations: batch }).catch((e: Error) => e);
          if (res instanceof Error) return res;
        }
        return null;
      })();
      await waitFor(async () => (await eventsOf(deviceId)) >= 1200, 120_000, '1,200 applied mutations');
      await server.kill('SIGKILL');
      expect(await pushing).toBeInstanceOf(Error);
      const beforeRestart = await eventsOf(deviceId);
      expect(beforeRestart).toBeLessThan(mutations.length);

      server = await startServerProcess(env, undefined, [], { bundle: true });
      http = await login(server.url);
      for (const batch of batches) {
        const res = await http.mutate('sync.push', { deviceId, mutations: batch });
        expect(res.status).toBe(200);
      }
      const { model, expected } = modelOf(user, mutations);
      await expectOutcomes(mutations, expected);
      expect(await dbLinks('SB81')).toEqual(modelLinks(model));
      expect(await dbBillsAndReturns('SB81')).toEqual({ billed: modelBilledParents(model), returned: modelReturns(model) });
      expect(modelReturns(model)).toHaveLength(24);
      expect(await eventsOf(deviceId)).toBe(mutations.length);
      const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
      expect(parentsWithWrongCount).toEqual([]);
      expect(counters).toEqual(recount);
    } finally {
      await server.kill('SIGKILL');
    }
  }, 180_000); // two server starts and 3,000 mutations: generous on a loaded machine

  it('Postgres connections terminated mid-push: a retryable error, nothing half-applied, the resend completes', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'akola' });
    const app = createApp(t.deps);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, user.id));
    const deviceId = randomUUID();
    await http.mutate('device.register', { deviceId });
    const q = mutationQueue();
    const mutations = fillingWorkload(q, { prefix: '82', parents: 20, links: 480, childPrefix: 'T82C' });

    // Another transaction inserts a child of the push's second chunk (T82C300) and holds it
    // uncommitted: the push commits its first chunk of 200, then waits on that row. The connections
    // are terminated only once the push waits there, so it is always cut off mid-way, whatever
    // the machine's speed (terminating after a fixed number of events raced the push's end).
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`insert into bags (code, type, area) values ('T82C300', 'child', 'akola')`);
      const push = http.mutate('sync.push', { deviceId, mutations });
      await waitFor(async () => {
        const waiting = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into bags%'`.execute(t.deps.db);
        return waiting.rows[0]!.n > 0;
      }, 30_000, 'the push to wait on the held row');
      expect(await eventsOf(deviceId)).toBe(200);
      await holder.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      await holder.query('rollback');
      const failed = await push;
      expect(failed.status).toBe(503);
      expect(failed.error?.data.appCode).toBe('TRANSIENT');
    } finally {
      await holder.end();
    }
    expect(await eventsOf(deviceId)).toBe(200);

    // Nothing half-applied: every link has its event and every parent's count matches its links.
    const { parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(parentsWithWrongCount).toEqual([]);

    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.status).toBe(200);
    const { model, expected } = modelOf(user, mutations);
    await expectOutcomes(mutations, expected);
    expect(await dbLinks('SB82')).toEqual(modelLinks(model));
  });

  it('20 devices pushing overlapping child codes into different parents concurrently', async () => {
    const app = createApp(t.deps);
    const devices = await Promise.all(
      Array.from({ length: 20 }, async (_, d) => {
        const user = await createUser(t.deps.db, { role: 'dispatcher', area: d % 2 ? 'bathinda' : 'sangaria' });
        const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, user.id));
        const deviceId = randomUUID();
        await http.mutate('device.register', { deviceId });
        const queue = mutationQueue();
        const parent = `M444-83${String(d).padStart(3, '0')}`;
        const mutations = [queue.next('parent.scan', { code: parent })];
        // 25 children each from a shared pool of 120 codes: overlaps between devices and overfill (M444 holds 15).
        for (let i = 0; i < 25; i++) mutations.push(queue.next('child.link', { parentCode: parent, childCode: `V83C${(d * 7 + i * 3) % 120}` }));
        return { http, deviceId, mutations };
      }),
    );
    const results = await Promise.all(devices.map((d) => d.http.mutate('sync.push', { deviceId: d.deviceId, mutations: d.mutations })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const allCodes = results.flatMap((r) => r.data.results.map((x: { code?: string; status: string }) => x.code ?? x.status));
    expect(allCodes.every((c: string) => ['applied', 'unchanged', 'CHILD_IN_OTHER_PARENT', 'PARENT_FULL'].includes(c))).toBe(true);
    expect(allCodes).toContain('CHILD_IN_OTHER_PARENT');

    const dupes = await sql<{ n: number }>`select count(*)::int as n from (select child_id from links group by child_id having count(*) > 1) d`.execute(t.deps.db);
    expect(dupes.rows[0]?.n).toBe(0);
    const over = await sql<{ n: number }>`select count(*)::int as n from bags where child_count > capacity`.execute(t.deps.db);
    expect(over.rows[0]?.n).toBe(0);
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(parentsWithWrongCount).toEqual([]);
    expect(counters).toEqual(recount);
    for (const d of devices) expect(await eventsOf(d.deviceId)).toBe(d.mutations.length);
  });
});
