import { isAppError } from '@tracetrack/shared';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../server/src/deps';
import { callsPush, pushAdmission } from '../../server/src/http/admission';
import { createAdmissionQueue } from '../../server/src/infra/admission';

/** A job that runs until released, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const released = new Promise<void>((r) => (open = r));
  return { job: async () => { log.push(`start ${name}`); await released; log.push(`end ${name}`); return name; }, open };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('admission queue', () => {
  it('runs at most `concurrency` jobs at once and the rest in arrival order', async () => {
    const q = createAdmissionQueue({ concurrency: 2, maxWaiting: 10 });
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd', 'e'].map((n) => gate(log, n));
    const results = gates.map((g) => q.run(g.job));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect(q.stats()).toEqual({ running: 2, waiting: 3 });
    gates[1]!.open();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    gates[0]!.open();
    await settle();
    expect(log.slice(4)).toEqual(['end a', 'start d']);
    for (const g of gates) g.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d', 'start e']);
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a job beyond the bound at once with a retryable TRANSIENT, and admits again once there is room', async () => {
    const q = createAdmissionQueue({ concurrency: 1, maxWaiting: 1 });
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => gate(log, n));
    const ra = q.run(a!.job);
    const rb = q.run(b!.job);
    const refused = await q.run(c!.job).then(() => null, (e: unknown) => e);
    expect(isAppError(refused) && refused.code).toBe('TRANSIENT');
    expect(isAppError(refused) && refused.details).toEqual({ retryAfterSeconds: 5 });
    expect(log).toEqual(['start a']);
    a!.open();
    await ra;
    const rc = q.run(c!.job);
    b!.open();
    c!.open();
    expect(await Promise.all([rb, rc])).toEqual(['b', 'c']);
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a job fails, and drops a waiting job whose caller gave up (no leak)', async () => {
    const q = createAdmissionQueue({ concurrency: 1, maxWaiting: 5 });
    const log: string[] = [];
    const a = gate(log, 'a');
    const ra = q.run(a.job);
    const abort = new AbortController();
    const gaveUp = q.run(async () => { log.push('never'); }, abort.signal).then(() => 'ran', (e: unknown) => (isAppError(e) ? e.code : 'other'));
    const failing = q.run(async () => { throw new Error('boom'); }).catch((e: Error) => e.message);
    expect(q.stats()).toEqual({ running: 1, waiting: 2 });
    abort.abort();
    expect(await gaveUp).toBe('TRANSIENT');
    expect(q.stats()).toEqual({ running: 1, waiting: 1 });
    a.open();
    await ra;
    expect(await failing).toBe('boom');
    expect(await q.run(async () => 'after')).toBe('after');
    expect(log).toEqual(['start a', 'end a']);
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });
});

describe('push admission middleware', () => {
  it('knows a push alone and in a batch, and nothing else', () => {
    expect(callsPush('/trpc/sync.push')).toBe(true);
    expect(callsPush('/trpc/bag.get,sync.push')).toBe(true);
    expect(callsPush('/trpc/sync.pull')).toBe(false);
    expect(callsPush('/trpc/sync.pushy')).toBe(false);
  });

  it('queues pushes in order while reads are answered at once, and refuses beyond the bound with 503 and retry-after', async () => {
    const deps = { config: { pushConcurrency: 1, pushQueueSize: 2 } } as unknown as Deps;
    const { middleware, queue } = pushAdmission(deps);
    const log: string[] = [];
    const pending = new Map<string, () => void>();
    const app = new Hono();
    app.use('/trpc/*', middleware);
    app.all('/trpc/*', async (c) => {
      const id = c.req.query('id') ?? c.req.path;
      log.push(`start ${id}`);
      if (c.req.method === 'POST') await new Promise<void>((r) => pending.set(id, r));
      return c.json({ id });
    });
    const push = (id: string) => app.request(`/trpc/sync.push?id=${id}`, { method: 'POST' });
    const p1 = push('p1');
    const p2 = push('p2');
    const p3 = push('p3');
    await settle();
    expect(log).toEqual(['start p1']);
    // A read is not held behind the pushes.
    const read = await app.request('/trpc/bag.get?id=r1');
    expect(read.status).toBe(200);
    expect(log).toEqual(['start p1', 'start r1']);
    // The queue holds two; a fourth push is refused at once.
    const p4 = await push('p4');
    expect(p4.status).toBe(503);
    expect(p4.headers.get('retry-after')).toBe('5');
    expect((await p4.json()).error.data.appCode).toBe('TRANSIENT');
    for (const id of ['p1', 'p2', 'p3']) {
      for (let i = 0; i < 20 && !pending.has(id); i++) await settle();
      pending.get(id)!();
    }
    expect((await Promise.all([p1, p2, p3])).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(log).toEqual(['start p1', 'start r1', 'start p2', 'start p3']);
    expect(queue.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
