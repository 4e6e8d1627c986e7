import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore, createRedisStore, type KeyValueStore } from '../../server/src/infra/kv';
import { createSessionStore } from '../../server/src/infra/sessions';

const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : null;
afterAll(() => redis?.disconnect());

const stores: [string, (now: () => number) => KeyValueStore][] = [
  ['in-process store', (now) => createMemoryStore(now)],
  ...(redis ? [['Redis', () => createRedisStore(redis, `tt-test:${randomUUID()}:`)] as [string, () => KeyValueStore]] : []),
];

describe.each(stores)('sessions in the %s', (_name, makeStore) => {
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
