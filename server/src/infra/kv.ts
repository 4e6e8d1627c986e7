import { AppError } from '@tracetrack/shared';
import type { Redis } from 'ioredis';

/**
 * The small key-value surface that sessions and rate limits need. Backed by Redis when
 * REDIS_URL is set (shared by every server process), by process memory otherwise. A store that
 * cannot answer fails with a retryable TRANSIENT AppError (the store's error as `cause`).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value only if the key still exists (a deleted key stays deleted). */
  replace(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Adds `by` (default 1) to a counter, setting its expiry when it is created; returns the new value and ms to expiry. */
  incr(key: string, windowMs: number, by?: number): Promise<{ count: number; ttlMs: number }>;
  /** Adds a member to a set that expires with its last addition. */
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  membersOf(key: string): Promise<string[]>;
  removeFromSet(key: string, member: string): Promise<void>;
  /** How many live keys start with `keyPrefix` (a SCAN with Redis: for metrics, not request paths). */
  countKeys(keyPrefix: string): Promise<number>;
}

/**
 * INCRBY, then give the key the window as expiry if it has none (new, or left without one), in one
 * atomic script. Plain commands from Redis 2.6 on; `PEXPIRE … NX` would need Redis 7.
 */
const INCR_IN_WINDOW = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }`;

type WithIncrInWindow = Redis & { incrInWindow(key: string, windowMs: number, by: number): Promise<[number, number]> };

/** Redis unreachable (or refusing) is a retryable TRANSIENT for the caller, never a 500. */
function unavailable<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw Object.assign(new AppError('TRANSIENT', 'Sessions and limits are unavailable right now. Try again in a moment.'), { cause: e });
    }
  };
}

export function createRedisStore(redis: Redis, prefix = 'tt:'): KeyValueStore {
  // EVALSHA with the script's hash (ioredis loads it once per connection), not the text each call.
  if (!('incrInWindow' in redis)) redis.defineCommand('incrInWindow', { numberOfKeys: 1, lua: INCR_IN_WINDOW });
  const store: KeyValueStore = {
    get: (key) => redis.get(prefix + key),
    set: async (key, value, ttlMs) => {
      await redis.set(prefix + key, value, 'PX', ttlMs);
    },
    replace: async (key, value, ttlMs) => {
      await redis.set(prefix + key, value, 'PX', ttlMs, 'XX');
    },
    del: async (key) => {
      await redis.del(prefix + key);
    },
    incr: async (key, windowMs, by = 1) => {
      const [count, ttl] = await (redis as WithIncrInWindow).incrInWindow(prefix + key, windowMs, by);
      return { count: Number(count), ttlMs: ttl > 0 ? Number(ttl) : windowMs };
    },
    addToSet: async (key, member, ttlMs) => {
      await redis.multi().sadd(prefix + key, member).pexpire(prefix + key, ttlMs).exec();
    },
    membersOf: (key) => redis.smembers(prefix + key),
    removeFromSet: async (key, member) => {
      await redis.srem(prefix + key, member);
    },
    countKeys: async (keyPrefix) => {
      let n = 0;
      let cursor = '0';
      // The prefix may hold glob characters; escape them so MATCH takes it literally.
      const pattern = `${(prefix + keyPrefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        n += keys.length;
        cursor = next;
      } while (cursor !== '0');
      return n;
    },
  };
  return {
    get: unavailable(store.get),
    set: unavailable(store.set),
    replace: unavailable(store.replace),
    del: unavailable(store.del),
    incr: unavailable(store.incr),
    addToSet: unavailable(store.addToSet),
    membersOf: unavailable(store.membersOf),
    removeFromSet: unavailable(store.removeFromSet),
    countKeys: unavailable(store.countKeys),
  };
}

export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const values = new Map<string, { value: string; expiresAt: number }>();
  const sets = new Map<string, { members: Set<string>; expiresAt: number }>();
  const live = <T extends { expiresAt: number }>(map: Map<string, T>, key: string): T | undefined => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };
  // Expired entries are dropped on read and by a periodic sweep, so memory stays bounded.
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, v] of values) if (v.expiresAt <= t) values.delete(k);
    for (const [k, v] of sets) if (v.expiresAt <= t) sets.delete(k);
  }, 60_000);
  sweep.unref();
  return {
    get: async (key) => live(values, key)?.value ?? null,
    set: async (key, value, ttlMs) => {
      values.set(key, { value, expiresAt: now() + ttlMs });
    },
    replace: async (key, value, ttlMs) => {
      if (live(values, key)) values.set(key, { value, expiresAt: now() + ttlMs });
    },
    del: async (key) => {
      values.delete(key);
    },
    incr: async (key, windowMs, by = 1) => {
      const entry = live(values, key);
      const count = (entry ? Number(entry.value) : 0) + by;
      const expiresAt = entry?.expiresAt ?? now() + windowMs;
      values.set(key, { value: String(count), expiresAt });
      return { count, ttlMs: expiresAt - now() };
    },
    addToSet: async (key, member, ttlMs) => {
      const entry = live(sets, key) ?? { members: new Set<string>(), expiresAt: 0 };
      entry.members.add(member);
      entry.expiresAt = now() + ttlMs;
      sets.set(key, entry);
    },
    membersOf: async (key) => [...(live(sets, key)?.members ?? [])],
    removeFromSet: async (key, member) => {
      live(sets, key)?.members.delete(member);
    },
    countKeys: async (keyPrefix) => {
      let n = 0;
      for (const key of values.keys()) if (key.startsWith(keyPrefix) && live(values, key)) n += 1;
      return n;
    },
  };
}
