import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRYABLE_ERROR_CODES } from '@tracetrack/shared';
import { createApp } from '../../server/src/app';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { countersAndRecount } from '../helpers/recount';
import { waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
let scanners: Actor[];
beforeAll(async () => {
  t = await createTestApp();
  // Several dispatchers in two areas, each call on its own pooled connection.
  scanners = [];
  for (let i = 0; i < 8; i++) scanners.push(await createUser(t.deps.db, { role: 'dispatcher', area: i % 2 ? 'indore' : 'lucknow' }));
});
afterAll(() => t.close());

const settle = <T>(calls: Promise<T>[]) => Promise.allSettled(calls);
const appCodeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' ? ((r.reason as { cause?: { code?: string } }).cause?.code ?? 'unknown') : 'ok';

describe('concurrent scanners', () => {
  it('40 simultaneous links into one SB parent leave exactly 30', async () => {
    await t.as(scanners[0]!).bag.scanParent({ code: 'SB50001' });
    // The parent's area's dispatchers (others may not scan into it).
    const sameArea = scanners.filter((s) => s.area === scanners[0]!.area);
    const results = await settle(
      Array.from({ length: 40 }, (_, i) => t.as(sameArea[i % sameArea.length]!).bag.linkChild({ parentCode: 'SB50001', childCode: `CC50001${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    expect(results.filter((r) => appCodeOf(r) === 'PARENT_FULL')).toHaveLength(10);
    const row = await sql<{ links: number; count: number }>`
      select (select count(*)::int from links l join bags p on p.id = l.parent_id where p.code = 'SB50001') as links,
             (select child_count from bags where code = 'SB50001') as count`.execute(t.deps.db);
    expect(row.rows[0]).toEqual({ links: 30, count: 30 });
  });

  it('one child linked into two parents at once lands in exactly one', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = [`SB5010${round}`, `SB5020${round}`];
      await t.as(scanners[0]!).bag.scanParent({ code: a });
      await t.as(scanners[1]!).bag.scanParent({ code: b });
      const child = `DUP5000${round}`;
      const results = await settle([
        t.as(scanners[2]!).bag.linkChild({ parentCode: a, childCode: child }),
        t.as(scanners[3]!).bag.linkChild({ parentCode: b, childCode: child }),
      ]);
      expect(results.map(appCodeOf).sort()).toEqual(['CHILD_IN_OTHER_PARENT', 'ok']);
      const links = await sql<{ n: number }>`select count(*)::int as n from links l join bags c on c.id = l.child_id where c.code = ${child}`.execute(t.deps.db);
      expect(links.rows[0]?.n).toBe(1);
    }
  });

  it('the same new parent registered by many scanners at once exists once', async () => {
    const results = await settle(scanners.map((s) => t.as(s).bag.scanParent({ code: 'M444-50001' })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'x'));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
  });

  it('mixed concurrent links and unlinks keep counters equal to a recount', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    for (let p = 0; p < 4; p++) await t.as(scanners[p]!).bag.scanParent({ code: `M444-5100${p}` });
    // 60 links over 4 M444 parents (capacity 15 each = 60), with overlapping child codes.
    await settle(
      Array.from({ length: 80 }, (_, i) =>
        t.as(scanners[i % scanners.length]!).bag.linkChild({ parentCode: `M444-5100${i % 4}`, childCode: `MX${i % 50}` }),
      ),
    );
    await settle(Array.from({ length: 20 }, (_, i) => t.as(admin).bag.unlinkChild({ childCode: `MX${i}` })));
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(parentsWithWrongCount).toEqual([]);
    expect(counters).toEqual(recount);
    const over = await sql<{ n: number }>`select count(*)::int as n from bags where child_count > capacity`.execute(t.deps.db);
    expect(over.rows[0]?.n).toBe(0);
  });
});

describe('unlinks racing links over the same parents', () => {
  it('moves children between parents in crossing directions from many handhelds at once without a deadlock', async () => {
    const app = createApp(t.deps);
    const httpAs = async (actor: Actor) => trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, actor.id));
    const parents = ['SB52001', 'SB52002', 'SB52003', 'SB52004'];
    const owner = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    for (const code of parents) await t.as(owner).bag.scanParent({ code });

    // Each handheld moves its two children from one parent to another per push (unlink both, link
    // both), some forwards, some backwards, some across: every push links into a parent whose
    // children another push is unlinking at the same moment. 12 × 2 + 4 children never fill an SB.
    const ROUNDS = 10;
    const STEPS = [1, 3, 2];
    const handhelds = await Promise.all(
      Array.from({ length: 12 }, async (_, d) => {
        const actor = await createUser(t.deps.db, d % 2 ? { role: 'biller' } : { role: 'dispatcher', area: 'jaipur' });
        const http = await httpAs(actor);
        const deviceId = randomUUID();
        expect((await http.mutate('device.register', { deviceId })).status).toBe(200);
        return { d, http, deviceId, queue: mutationQueue(), children: [`UL52D${d}A`, `UL52D${d}B`], at: d % parents.length };
      }),
    );
    const failures: unknown[] = [];
    const pushes = handhelds.map(async (h) => {
      const push = async (mutations: ReturnType<typeof h.queue.next>[]) => {
        const res = await h.http.mutate('sync.push', { deviceId: h.deviceId, mutations });
        const notApplied = res.data?.results.filter((r: { status: string }) => r.status !== 'applied') ?? [];
        if (res.status !== 200 || notApplied.length) failures.push({ device: h.d, status: res.status, error: res.error, notApplied });
      };
      await push(h.children.map((childCode) => h.queue.next('child.link', { parentCode: parents[h.at]!, childCode })));
      for (let round = 0; round < ROUNDS; round++) {
        const to = (h.at + STEPS[h.d % STEPS.length]!) % parents.length;
        await push([
          ...h.children.map((childCode) => h.queue.next('child.unlink', { childCode })),
          ...h.children.map((childCode) => h.queue.next('child.link', { parentCode: parents[to]!, childCode })),
        ]);
        h.at = to;
      }
    });
    // Online calls (batches of one) unlink and relink into the same parents meanwhile.
    const admin = await httpAs(await createUser(t.deps.db, { role: 'admin' }));
    const online = Array.from({ length: 4 }, async (_, k) => {
      const childCode = `UL52X${k}`;
      for (let round = 0; round <= ROUNDS; round++) {
        if (round > 0) {
          const res = await admin.mutate('bag.unlinkChild', { childCode });
          if (res.status !== 200) failures.push({ online: childCode, status: res.status, error: res.error });
        }
        const res = await admin.mutate('bag.linkChild', { parentCode: parents[(k + round) % parents.length], childCode });
        if (res.status !== 200) failures.push({ online: childCode, status: res.status, error: res.error });
      }
    });
    await Promise.all([...pushes, ...online]);

    expect(failures).toEqual([]);
    const links = await sql<{ child: string; parent: string }>`
      select c.code as child, p.code as parent from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id
      where c.code like 'UL52%'`.execute(t.deps.db);
    const expected = [
      ...handhelds.flatMap((h) => h.children.map((child) => ({ child, parent: parents[h.at]! }))),
      ...Array.from({ length: 4 }, (_, k) => ({ child: `UL52X${k}`, parent: parents[(k + ROUNDS) % parents.length]! })),
    ].sort((a, b) => a.child.localeCompare(b.child));
    expect([...links.rows].sort((a, b) => a.child.localeCompare(b.child))).toEqual(expected);
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(parentsWithWrongCount).toEqual([]);
    expect(counters).toEqual(recount);
    const over = await sql<{ n: number }>`select count(*)::int as n from bags where child_count > capacity`.execute(t.deps.db);
    expect(over.rows[0]?.n).toBe(0);
  });

  it('re-reads a child moved to another parent between the read and the lock, and unlinks it where it is', async () => {
    const admin = t.as(await createUser(t.deps.db, { role: 'admin' }));
    await admin.bag.scanParent({ code: 'SB53001' });
    await admin.bag.scanParent({ code: 'SB53002' });
    await admin.bag.linkChild({ parentCode: 'SB53001', childCode: 'MOVED53' });
    const waitingOnLocks = async () =>
      Number((await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(t.deps.db)).rows[0]?.n) > 0;

    // Another writer holds both parents and the child (in id order, as a batch does) while the
    // unlink reads the child's parent (SB53001) and queues for its locks; it then moves the child.
    const unlinked = await t.deps.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`select id from bags where code in ('SB53001', 'SB53002', 'MOVED53') order by id for update`.execute(conn);
      const unlink = admin.bag.unlinkChild({ childCode: 'MOVED53' }).then((ok) => ({ ok }), (error: unknown) => ({ error }));
      await waitFor(waitingOnLocks, 10_000, 'the unlink to wait for the locks');
      await sql`update links set parent_id = (select id from bags where code = 'SB53002')
        where child_id = (select id from bags where code = 'MOVED53')`.execute(conn);
      await sql`update bags set child_count = child_count + (case code when 'SB53002' then 1 else -1 end)
        where code in ('SB53001', 'SB53002')`.execute(conn);
      await sql`commit`.execute(conn);
      return unlink;
    });

    expect(unlinked).toMatchObject({ ok: { outcome: 'applied', parent: { code: 'SB53002', childCount: 0 } } });
    const counts = await sql<{ code: string; child_count: number }>`
      select code, child_count from bags where code in ('SB53001', 'SB53002') order by code`.execute(t.deps.db);
    expect(counts.rows).toEqual([{ code: 'SB53001', child_count: 0 }, { code: 'SB53002', child_count: 0 }]);
    expect((await countersAndRecount(t.deps.db)).parentsWithWrongCount).toEqual([]);
  });

  it('answers a conflict that outlasts every retry with a retryable 503 TRANSIENT that says to try again', async () => {
    // A trigger makes every attempt at this one scan fail the way a deadlock victim does.
    await sql`create function fail_as_deadlock() returns trigger language plpgsql as $$
      begin
        if new.args->>'childCode' = 'DEADLOCK53' then raise exception 'simulated deadlock' using errcode = 'deadlock_detected'; end if;
        return new;
      end $$`.execute(t.deps.db);
    await sql`create trigger fail_as_deadlock before insert on scan_events for each row execute function fail_as_deadlock()`.execute(t.deps.db);
    try {
      const app = createApp(t.deps);
      const actor = await createUser(t.deps.db, { role: 'biller' });
      const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, actor.id));
      const deviceId = randomUUID();
      await http.mutate('device.register', { deviceId });
      const mutation = mutationQueue().next('child.unlink', { childCode: 'DEADLOCK53' });

      for (const res of [await http.mutate('bag.unlinkChild', { childCode: 'DEADLOCK53' }), await http.mutate('sync.push', { deviceId, mutations: [mutation] })]) {
        expect(res.status).toBe(503);
        expect(res.error?.data.appCode).toBe('TRANSIENT');
        expect(RETRYABLE_ERROR_CODES).toContain(res.error?.data.appCode);
        expect(res.error?.message).toMatch(/nothing was saved\. Try again\./);
      }
      const events = await sql<{ n: number }>`select count(*)::int as n from scan_events where args->>'childCode' = 'DEADLOCK53'`.execute(t.deps.db);
      expect(events.rows[0]?.n).toBe(0);
    } finally {
      await sql`drop trigger fail_as_deadlock on scan_events`.execute(t.deps.db);
      await sql`drop function fail_as_deadlock()`.execute(t.deps.db);
    }
  });
});
