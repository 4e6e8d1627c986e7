import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore, createRedisStore, type KeyValueStore } from '../../server/src/infra/kv';
import { createSessionStore, touchIntervalMs } from '../../server/src/infra/sessions';

const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : null;
afterAll(() => redis?.disconnect());

const stores: [string, (now: () => number) => KeyValueStore][] = [
  ['in-process store', (now) => createMemoryStore(now)],
  ...(redis ? [['Redis', () => createRedisStore(redis, `tt-test:${randomUUID()}:`)] as [string, () => KeyValueStore]] : []),
];

describe.each(stores)('sessions in the %s', (_name, makeStore) => {
  it('writes activity often enough that a 1-minute idle timeout ends a minute after the last request, not 70 s (finding 8)', async () => {
    let t = Date.now();
    const sessions = createSessionStore(makeStore(() => t), { idleMs: 60_000, absoluteMs: 12 * 3_600_000 }, () => t);
    const start = t;
    const token = await sessions.create(7, { epoch: 0, userAgent: null, ip: null });
    t = start + 50_000;
    expect(await sessions.touch(token)).not.toBeNull();
    t = start + 105_000; // 55 s after the last request
    expect(await sessions.touch(token)).not.toBeNull();
    t = start + 165_000; // 60 s after the last request
    expect(await sessions.touch(token)).toBeNull();
    expect(touchIntervalMs(60_000)).toBe(6_000);
    expect(touchIntervalMs(30 * 60_000)).toBe(60_000);
  });

  it('lists a user’s live sessions with their metadata, ends one by id, and only that user’s', async () => {
    let t = Date.now();
    const sessions = createSessionStore(makeStore(() => t), { idleMs: 60_000, absoluteMs: 3_600_000 }, () => t);
    const user = 1_000 + Math.floor(Math.random() * 1e6);
    const a = await sessions.create(user, { epoch: 3, userAgent: 'Firefox', ip: '10.1.2.0' });
    t += 1_000;
    const b = await sessions.create(user, { epoch: 3, userAgent: 'Chrome', ip: null });
    const other = await sessions.create(user + 1, { epoch: 0, userAgent: null, ip: null });
    expect((await sessions.listForUser(user)).map((s) => [s.userAgent, s.epoch])).toEqual([['Chrome', 3], ['Firefox', 3]]);
    expect(await sessions.destroyById(user, sessions.idOf(other))).toBe(false);
    expect(await sessions.touch(other)).not.toBeNull();
    expect(await sessions.destroyById(user, sessions.idOf(a))).toBe(true);
    expect(await sessions.touch(a)).toBeNull();
    await sessions.destroyAllForUser(user, { exceptId: sessions.idOf(b) });
    expect((await sessions.listForUser(user)).map((s) => s.id)).toEqual([sessions.idOf(b)]);
    t += 61_000;
    expect(await sessions.listForUser(user)).toEqual([]);
  });

  it('a session ended while a request was refreshing it stays ended', async () => {
    let t = Date.now();
    const kv = makeStore(() => t);
    // The admin's change ends the user's sessions between the request's read and its refresh.
    let between: (() => Promise<void>) | null = null;
    const racing: KeyValueStore = {
      ...kv,
      get: async (key) => {
        const value = await kv.get(key);
        const run = between;
        between = null;
        if (run) await run();
        return value;
      },
    };
    const sessions = createSessionStore(racing, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, () => t);
    const token = await sessions.create(7, { epoch: 0, userAgent: null, ip: null });
    t += 2 * 60_000; // past the refresh granularity, so this touch rewrites the session
    between = () => sessions.destroyAllForUser(7);
    expect(await sessions.touch(token)).not.toBeNull(); // the request in flight read it before the end
    expect(await sessions.touch(token)).toBeNull();
  });

  it('replace leaves a missing key missing and updates a live one', async () => {
    const kv = makeStore(() => Date.now());
    await kv.replace('gone', 'x', 60_000);
    expect(await kv.get('gone')).toBeNull();
    await kv.set('live', 'a', 60_000);
    await kv.replace('live', 'b', 60_000);
    expect(await kv.get('live')).toBe('b');
  });
});
