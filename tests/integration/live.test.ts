import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/src/app';
import { COALESCE_MS, createLiveBus, type LiveBus } from '../../server/src/infra/live-bus';
import { createLogger } from '../../server/src/infra/logger';
import { liveView, openLiveStreams } from '../../server/src/modules/live/stream';
import type { Context } from '../../server/src/trpc/context';
import { createParentBag, nextBillNumber } from '../factories/bills';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { sessionCookieFor, sessionFor } from '../helpers/http';
import { importReport } from '../helpers/imports';
import { waitFor } from '../helpers/server-process';
import { openSse } from '../helpers/sse';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let base: string;
let server: ReturnType<typeof serve>;
beforeAll(async () => {
  t = await createTestApp();
  const app = createApp(t.deps);
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  (server as import('node:http').Server).closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

/** Counts how often each topic is heard. */
function listen(bus: LiveBus, topics: Parameters<LiveBus['subscribe']>[0][]) {
  const heard = new Map<string, number>();
  for (const topic of topics) bus.subscribe(topic, () => heard.set(topic, (heard.get(topic) ?? 0) + 1));
  return heard;
}

/** Redis subscriber connections are up once a `devices` ping published through `from` is heard. */
async function untilSubscribed(from: LiveBus, heard: Map<string, number>, what: string) {
  await waitFor(async () => {
    from.publish(['devices']);
    await from.flush();
    await new Promise((r) => setTimeout(r, 20));
    return (heard.get('devices') ?? 0) > 0;
  }, 10_000, what);
}

describe('live bus', () => {
  it('in process: a burst of publishes is heard once per topic; after a quiet window at once, within one at its end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const bus = createLiveBus({ redis: null, prefix: 'x:', logger: createLogger('silent') });
      const heard = listen(bus, ['dashboard', 'bill:1', 'bill:2']);
      for (let i = 0; i < 500; i++) bus.publish(['dashboard', 'bill:1']);
      bus.publish(['bill:2']);
      expect(heard.size).toBe(0);
      // After a quiet window: on the next timer tick, the whole burst once.
      await vi.advanceTimersByTimeAsync(1);
      expect(Object.fromEntries(heard)).toEqual({ dashboard: 1, 'bill:1': 1, 'bill:2': 1 });

      // Within the window: held until its end, then once for the whole burst.
      for (let i = 0; i < 50; i++) bus.publish(['bill:1']);
      await vi.advanceTimersByTimeAsync(COALESCE_MS - 10);
      expect(heard.get('bill:1')).toBe(1);
      await vi.advanceTimersByTimeAsync(10);
      expect(heard.get('bill:1')).toBe(2);
      await vi.advanceTimersByTimeAsync(5 * COALESCE_MS);
      expect(Object.fromEntries(heard)).toEqual({ dashboard: 1, 'bill:1': 2, 'bill:2': 1 });

      // Quiet again: the next change goes at once.
      bus.publish(['dashboard']);
      await vi.advanceTimersByTimeAsync(1);
      expect(heard.get('dashboard')).toBe(2);
      await bus.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it.runIf(process.env.REDIS_URL)('through Redis: a change published by one process is heard by every other (and itself), once, under its prefix only', async () => {
    const prefix = `tt-test:${randomUUID()}:`;
    const logger = createLogger('silent');
    const redisA = new Redis(process.env.REDIS_URL!);
    const redisB = new Redis(process.env.REDIS_URL!);
    const a = createLiveBus({ redis: redisA, prefix, logger });
    const b = createLiveBus({ redis: redisB, prefix, logger });
    const other = createLiveBus({ redis: redisB, prefix: `${prefix}other:`, logger });
    const heardA = listen(a, ['bill:7']);
    const heardB = listen(b, ['bill:7', 'devices']);
    const heardOther = listen(other, ['bill:7']);
    await untilSubscribed(a, heardB, 'the subscribers');
    for (let i = 0; i < 200; i++) a.publish(['bill:7']);
    await a.flush();
    await waitFor(async () => heardA.get('bill:7') === 1 && heardB.get('bill:7') === 1, 5_000, 'both processes');
    expect(heardOther.get('bill:7')).toBeUndefined();
    await Promise.all([a.close(), b.close(), other.close()]);
    redisA.disconnect();
    redisB.disconnect();
  });
});

describe.runIf(process.env.REDIS_URL)('live bus when Redis fails', () => {
  it('a subscriber that loses its connection wakes every open stream of its process once it is back', async () => {
    const prefix = `tt-test:${randomUUID()}:`;
    const redis = new Redis(process.env.REDIS_URL!);
    const admin = new Redis(process.env.REDIS_URL!);
    const bus = createLiveBus({ redis, prefix, logger: createLogger('silent') });
    const heard = listen(bus, ['bill:5', 'dashboard', 'devices']);
    await untilSubscribed(bus, heard, 'the subscriber');
    heard.clear();
    // Its connection is dropped (a Redis restart, a network blip): nothing was published, but
    // whatever was published meanwhile is lost, so its streams load again once it is back.
    const clients = String(await admin.client('LIST')).split('\n');
    const mine = clients.find((line) => line.includes(`name=${prefix}live-subscriber`));
    expect(mine).toBeDefined();
    await admin.client('KILL', 'ID', mine!.match(/\bid=(\d+)/)![1]!);
    await waitFor(async () => heard.get('bill:5') === 1 && heard.get('dashboard') === 1, 10_000, 'the streams to reload');
    await bus.close();
    redis.disconnect();
    admin.disconnect();
  });

  it('a change it cannot publish still reaches the streams of its own process', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    const bus = createLiveBus({ redis, prefix: `tt-test:${randomUUID()}:`, logger: createLogger('silent') });
    const heard = listen(bus, ['bill:6']);
    redis.disconnect();
    bus.publish(['bill:6']);
    await bus.flush();
    expect(heard.get('bill:6')).toBe(1);
    await bus.close();
  });
});

describe('live views sharing loads', () => {
  it('a stream woken by a change does not take the answer of a load another stream started before it', async () => {
    const bus = createLiveBus({ redis: null, prefix: 'x:', logger: createLogger('silent') });
    const ctx = { deps: { live: bus } } as unknown as Context;
    // The view's "database": each load reads it when it starts and answers when the test says.
    let state = 'before';
    const answers: (() => void)[] = [];
    const load = () => {
      const read = state;
      return new Promise<string>((resolve) => answers.push(() => resolve(read)));
    };
    const open = () => liveView<string>({ ctx, path: 'live.bill', signal: undefined, topics: ['bill:1'], key: 'bill:1', load });
    const watching = open();
    const first = watching.next();
    answers.shift()!();
    expect((await first).value).toBe('before');
    const next = watching.next();

    // Another page opens the bill: its first load starts and is slow; meanwhile the bill changes.
    const opening = open();
    const opened = opening.next();
    state = 'after';
    bus.publish(['bill:1']);
    await bus.flush();
    // The woken stream's load, if it did not join the slow one, has started by now.
    await waitFor(async () => answers.length === 2, 5_000, 'the woken stream to load');
    for (const answer of answers.splice(0)) answer();
    expect((await next).value).toBe('after');
    expect((await opened).value).toBe('before');
    await Promise.all([watching.return(), opening.return()]);
    await bus.close();
  });
});

describe('what changes announce', () => {
  it('every change to a bill announces its topic, online and synced; a child linked into one of its parents announces the parent', async () => {
    const published: string[] = [];
    const bus = t.deps.live;
    const publish = bus.publish.bind(bus);
    bus.publish = (topics) => {
      published.push(...topics);
      publish(topics);
    };
    try {
      const biller = await createUser(t.deps.db, { role: 'biller' });
      const admin = await createUser(t.deps.db, { role: 'admin' });
      const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
      /** The topics one call announced. */
      const announced = async (call: () => Promise<unknown>) => {
        published.length = 0;
        await call();
        return new Set(published);
      };
      const billNumber = nextBillNumber('ANN');
      const created = await announced(() => t.as(biller).bill.create({ billNumber, capacity: 4 }));
      const billId = (await t.as(biller).bill.get({ billNumber })).bill.id;
      const topic = `bill:${billId}`;
      expect(created).toContain(topic);
      const [p1, p2, p3] = [await createParentBag(t.deps.db, { children: 2 }), await createParentBag(t.deps.db, { children: 1 }), await createParentBag(t.deps.db, { children: 3 })];

      expect(await announced(() => t.as(biller).bill.update({ billNumber, description: 'to Raipur' }))).toContain(topic);
      expect(await announced(() => t.as(biller).bill.addParent({ billNumber, parentCode: p1.code }))).toContain(topic);
      expect(await announced(() => t.as(biller).bill.addParent({ billNumber, parentCode: p2.code }))).toContain(topic);
      // Synced from a handheld: the same change through sync.push.
      const deviceId = randomUUID();
      await t.as(biller).device.register({ deviceId });
      const queue = mutationQueue();
      expect(await announced(() => t.as(biller).sync.push({ deviceId, mutations: [queue.next('bill.addParent', { billNumber, parentCode: p3.code })] }))).toContain(topic);
      expect(await announced(() => t.as(biller).bill.removeParent({ billNumber, parentCode: p2.code }))).toContain(topic);
      // The bill's weights are its parents' children: its page follows the parent's topic.
      expect(await announced(() => t.as(dispatcher).bag.linkChild({ parentCode: p1.code, childCode: `AN${Date.now() % 1e6}` }))).toContain(`parent:${p1.id}`);
      expect(await announced(() => t.as(biller).bill.complete({ billNumber, allowShort: true }))).toContain(topic);
      expect(await announced(() => t.as(biller).bill.reopen({ billNumber }))).toContain(topic);
      await t.as(biller).bill.complete({ billNumber, allowShort: true });
      const ticketId = randomUUID();
      await t.as(biller).return.create({ ticketId, area: 'lucknow' });
      expect(await announced(() => t.as(biller).return.scan({ ticketId, code: p3.code }))).toContain(topic);

      const doomed = nextBillNumber('ANN');
      await t.as(biller).bill.create({ billNumber: doomed, capacity: 1 });
      const doomedTopic = `bill:${(await t.as(biller).bill.get({ billNumber: doomed })).bill.id}`;
      expect(await announced(() => t.as(admin).bill.delete({ billNumber: doomed }))).toContain(doomedTopic);
    } finally {
      bus.publish = publish;
    }
  });
});

describe('live subscriptions over SSE', () => {
  it('a bill page stream sends the bill at once, then again after a parent is added, coalesced per push', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const billNumber = nextBillNumber('LIVE');
    await t.as(biller).bill.create({ billNumber, capacity: 5 });
    const parent = await createParentBag(t.deps.db, { children: 3 });
    const stream = await openSse(base, 'live.bill', { billNumber }, await sessionCookieFor(t.deps, biller.id));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('content-length')).toBeNull();
    expect(stream.headers.get('content-encoding')).toBeNull();
    const first = await stream.next();
    expect(first.bill.parentCount).toBe(0);

    await t.as(biller).bill.addParent({ billNumber, parentCode: parent.code });
    const added = await stream.until((v) => v.bill.parentCount === 1);
    expect(added.parents.map((p: { code: string }) => p.code)).toEqual([parent.code]);

    // A child linked into a parent on the bill changes its weights: the page hears it.
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: parent.area ?? 'lucknow' });
    await t.as(dispatcher).bag.linkChild({ parentCode: parent.code, childCode: `LV${Date.now() % 1e6}` });
    const heavier = await stream.until((v) => v.parents[0].childCount === 4);
    expect(heavier.bill.actualWeightKg).toBeGreaterThan(added.bill.actualWeightKg);
    await stream.close();
  });

  it('a 300-scan push announces the dashboard once: its stream sends one new value, not one per scan', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const deviceId = randomUUID();
    await t.as(dispatcher).device.register({ deviceId });
    const stream = await openSse(base, 'live.dashboard', undefined, await sessionCookieFor(t.deps, dispatcher.id));
    const before = await stream.next();
    const queue = mutationQueue();
    const batch = [];
    for (let p = 0; p < 10; p++) {
      const parentCode = `SB77${String(p).padStart(3, '0')}`;
      batch.push(queue.next('parent.scan', { code: parentCode }));
      for (let c = 0; c < 29; c++) batch.push(queue.next('child.link', { parentCode, childCode: `LD${p}X${c}` }));
    }
    await t.as(dispatcher).sync.push({ deviceId, mutations: batch });
    const after = await stream.until((v) => v.parents === before.parents + 10);
    expect(after.linkedChildren).toBe(before.linkedChildren + 290);
    // Nothing else was published: no further value arrives within a few coalescing windows.
    await expect(stream.next(1_000)).rejects.toThrow(/no event/);
    await stream.close();
  });

  it("an import's progress stream follows its job to the end: checked, then committing and committed", async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const cookie = await sessionCookieFor(t.deps, admin.id);
    const rows = Array.from({ length: 30 }, (_, i) => `SB7${String(6000 + i)},parent,lucknow`).join('\n');
    const report = await importReport(fetch, base, cookie, { kind: 'bags', file: { text: `code,type,area\n${rows}\n` }, fileName: 'live.csv', area: 'lucknow' });
    expect(report.status).toBe('checked');
    const stream = await openSse(base, 'live.import', { id: report.id }, cookie);
    expect((await stream.next()).status).toBe('checked');
    await t.as(admin).import.commit({ id: report.id });
    const committed = await stream.until((r) => r.status === 'committed' && !r.isRunning);
    expect(committed.commitCounts.parentsCreated).toBe(30);
    await stream.close();
  });

  it('refuses without a session and to a role its permission row does not allow, as typed errors', async () => {
    const anonymous = await openSse(base, 'live.dashboard', undefined, null);
    const refused = await anonymous.nextEvent();
    expect(refused?.event).toBe('serialized-error');
    expect(JSON.parse(refused!.data).data.appCode).toBe('UNAUTHENTICATED');
    await anonymous.close();
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const devices = await openSse(base, 'live.devices', {}, await sessionCookieFor(t.deps, dispatcher.id));
    const forbidden = await devices.nextEvent();
    expect(JSON.parse(forbidden!.data).data.appCode).toBe('FORBIDDEN');
    await devices.close();
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const missing = await openSse(base, 'live.bill', { billNumber: 'NO-SUCH-LIVE' }, await sessionCookieFor(t.deps, biller.id));
    expect(JSON.parse((await missing.nextEvent())!.data).data.appCode).toBe('BILL_NOT_FOUND');
    await missing.close();
  });

  it('leaves no stream open after clients go away: the open-stream gauge returns to where it was', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const cookie = await sessionCookieFor(t.deps, admin.id);
    const baseline = openLiveStreams();
    const streams = await Promise.all([
      ...Array.from({ length: 4 }, () => openSse(base, 'live.dashboard', undefined, cookie)),
      ...Array.from({ length: 4 }, () => openSse(base, 'live.devices', {}, cookie)),
    ]);
    await Promise.all(streams.map((s) => s.next()));
    expect(openLiveStreams()).toBe(baseline + 8);
    // Half wait for a change (parked), half are mid-stream: all go away.
    t.deps.live.publish(['dashboard']);
    await Promise.all(streams.map((s) => s.close()));
    await waitFor(async () => openLiveStreams() === baseline, 10_000, 'streams to close');
    expect(openLiveStreams()).toBe(baseline);
  });

  it('ends every open stream when the process stops serving (endStreams), so a closing server is not held open', async () => {
    const bus = createLiveBus({ redis: null, prefix: 'stop:', logger: createLogger('silent') });
    const app = createApp({ ...t.deps, live: bus });
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const controller = new AbortController();
    const res = await app.request('/trpc/live.devices?input=%7B%7D', { headers: { cookie: await sessionCookieFor(t.deps, admin.id), accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"items"')) text += decoder.decode((await reader.read()).value);
    const baseline = openLiveStreams();
    bus.endStreams();
    // The response ends (tRPC's `return` event, then the end of the body).
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('event: return');
    expect(openLiveStreams()).toBe(baseline - 1);
    controller.abort();
  });

  it("ends a dispatcher's dashboard stream when their area changes: it never goes on showing the old area", async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const stream = await openSse(base, 'live.dashboard', undefined, await sessionCookieFor(t.deps, dispatcher.id));
    expect((await stream.next()).scope).toBe('lucknow');
    await t.as(admin).user.update({ id: dispatcher.id, area: 'raipur' });
    let ended = await stream.nextEvent(30_000);
    while (ended?.event === 'message') ended = await stream.nextEvent(30_000);
    // Ended: an area change also ends the user's sessions (UNAUTHENTICATED); where the session
    // survives a new scope, the stream returns and the client opens one for the new area.
    expect(['return', 'serialized-error'], ended?.data).toContain(ended?.event);
    expect(await stream.nextEvent(5_000)).toBeNull();
    await stream.close();
  }, 40_000);

  it('ends the stream when its session ends', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const token = await sessionFor(t.deps, biller.id);
    const stream = await openSse(base, 'live.dashboard', undefined, `tt_session=${token}`);
    await stream.next();
    await t.deps.sessions.destroy(token);
    // Values announced by the other tests' changes may come first; then the refusal.
    let ended = await stream.nextEvent(30_000);
    while (ended?.event === 'message') ended = await stream.nextEvent(30_000);
    expect(ended?.event).toBe('serialized-error');
    expect(JSON.parse(ended!.data).data.appCode).toBe('UNAUTHENTICATED');
    // …and the response ends: nothing more, not a dangling stream.
    expect(await stream.nextEvent(5_000)).toBeNull();
    await stream.close();
  }, 40_000);
});
