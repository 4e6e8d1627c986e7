import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from './kv';

export interface SessionData {
  userId: number;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface SessionStore {
  create(userId: number): Promise<string>;
  /** Returns the live session and extends its idle window, or null when expired or unknown. */
  touch(token: string): Promise<SessionData | null>;
  destroy(token: string): Promise<void>;
  destroyAllForUser(userId: number): Promise<void>;
}

// Only a hash of the token is stored, so a leaked store does not leak usable cookies.
const keyOf = (token: string) => `sess:${createHash('sha256').update(token).digest('base64url')}`;
const userKey = (userId: number) => `usess:${userId}`;
// Rewriting the session on every request would double Redis traffic; a minute of slack is invisible.
const TOUCH_GRANULARITY_MS = 60_000;

export function createSessionStore(kv: KeyValueStore, policy: SessionPolicy, now: () => number = Date.now): SessionStore {
  const ttlFor = (s: SessionData, t: number) => Math.max(1, Math.min(policy.idleMs, s.createdAt + policy.absoluteMs - t));
  return {
    async create(userId) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      const data: SessionData = { userId, createdAt: t, lastSeenAt: t };
      await kv.set(keyOf(token), JSON.stringify(data), ttlFor(data, t));
      await kv.addToSet(userKey(userId), keyOf(token), policy.absoluteMs);
      return token;
    },
    async touch(token) {
      const raw = await kv.get(keyOf(token));
      if (!raw) return null;
      const data = JSON.parse(raw) as SessionData;
      const t = now();
      if (t - data.lastSeenAt >= policy.idleMs || t - data.createdAt >= policy.absoluteMs) {
        await kv.del(keyOf(token));
        return null;
      }
      if (t - data.lastSeenAt >= TOUCH_GRANULARITY_MS) {
        data.lastSeenAt = t;
        // Only if it still exists: a sign-out or an admin's change may have ended it since the read.
        await kv.replace(keyOf(token), JSON.stringify(data), ttlFor(data, t));
      }
      return data;
    },
    async destroy(token) {
      const raw = await kv.get(keyOf(token));
      await kv.del(keyOf(token));
      if (raw) await kv.removeFromSet(userKey((JSON.parse(raw) as SessionData).userId), keyOf(token));
    },
    async destroyAllForUser(userId) {
      for (const key of await kv.membersOf(userKey(userId))) await kv.del(key);
      await kv.del(userKey(userId));
    },
  };
}
