import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParentBag, nextBillNumber } from '../factories/bills';
import { mutationQueue } from '../factories/mutations';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { trpcHttp } from '../helpers/http';
import { type ServerProcess, startServerProcess } from '../helpers/server-process';
import { openSse } from '../helpers/sse';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Two server instances (two processes on different ports, as behind a load balancer) on one
 * database and one Redis with one key prefix: a live screen open on one follows changes made
 * through the other. (The exactly-once part of running two instances has its own test.)
 */
describe.runIf(process.env.REDIS_URL)('live updates across two server instances', () => {
  let t: TestApp;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    t = await createTestApp();
    const shared = { DATABASE_URL: t.databaseUrl, REDIS_PREFIX: `tt-test:${randomUUID()}:`, WORKERS: '1' };
    [a, b] = await Promise.all([startServerProcess(shared, undefined, [], { bundle: true }), startServerProcess(shared, undefined, [], { bundle: true })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await t?.close();
  });

  /** Signs in on one instance; the session (in the shared Redis) is good on both. */
  async function signIn(on: ServerProcess, username: string): Promise<string> {
    const res = await trpcHttp(fetch, on.url).mutate('auth.login', { username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }

  it('a bill page streamed by one instance shows a parent added through the other; a dashboard streamed by the second shows a push made to the first', async () => {
    expect(a.url).not.toBe(b.url);
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const billerCookie = await signIn(a, biller.username);
    const dispatcherCookie = await signIn(b, dispatcher.username);
    const billNumber = nextBillNumber('XS');
    const parent = await createParentBag(t.deps.db, { children: 4 });
    expect((await trpcHttp(fetch, b.url, billerCookie).mutate('bill.create', { billNumber, capacity: 3 })).status).toBe(200);

    // Streamed by A, changed through B.
    const bill = await openSse(a.url, 'live.bill', { billNumber }, billerCookie);
    expect((await bill.next()).bill.parentCount).toBe(0);
    expect((await trpcHttp(fetch, b.url, billerCookie).mutate('bill.addParent', { billNumber, parentCode: parent.code })).status).toBe(200);
    const seen = await bill.until((v) => v.bill.parentCount === 1);
    expect(seen.parents[0].code).toBe(parent.code);

    // Streamed by B, pushed to A.
    const dashboard = await openSse(b.url, 'live.dashboard', undefined, dispatcherCookie);
    const before = await dashboard.next();
    const deviceId = randomUUID();
    const onA = trpcHttp(fetch, a.url, dispatcherCookie);
    expect((await onA.mutate('device.register', { deviceId })).status).toBe(200);
    const q = mutationQueue();
    const code = `SB9${String(Date.now() % 10_000).padStart(4, '0')}`;
    const pushed = await onA.mutate('sync.push', { deviceId, mutations: [q.next('parent.scan', { code }), q.next('child.link', { parentCode: code, childCode: 'XS0001' })] });
    expect(pushed.status).toBe(200);
    const after = await dashboard.until((v) => v.parents === before.parents + 1);
    expect(after.linkedChildren).toBe(before.linkedChildren + 1);

    await Promise.all([bill.close(), dashboard.close()]);
  }, 60_000);
});
