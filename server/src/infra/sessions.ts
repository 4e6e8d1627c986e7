import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from './kv';

export interface SessionData {
  userId: number;
  /** The user's session epoch when it was created: a later epoch on the users row ends it. */
  epoch: number;
  createdAt: number;
  lastSeenAt: number;
  /** What account.sessions shows: the browser and (anonymised) address it signed in from. */
  userAgent: string | null;
  ip: string | null;
}

/** A session as read back: its data and its id (the hash of its token, never the token). */
export interface LiveSession extends SessionData {
  id: string;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface SessionStore {
  create(userId: number, info: { epoch: number; userAgent: string | null; ip: string | null }): Promise<string>;
  /** Returns the live session and extends its idle window, or null when expired or unknown. */
  touch(token: string): Promise<LiveSession | null>;
  /** The live session without extending it (an open live screen is not activity), or null. */
  peek(token: string): Promise<LiveSession | null>;
  destroy(token: string): Promise<void>;
  /** Ends one of the user's sessions by id; false when it is not theirs or already over. */
  destroyById(userId: number, id: string): Promise<boolean>;
  /** The user's live sessions, most recently active first. */
  listForUser(userId: number): Promise<LiveSession[]>;
  /** Store cleanup; the epoch on the users row is what ends sessions for certain. */
  destroyAllForUser(userId: number, opts?: { exceptId?: string }): Promise<void>;
  /** Moves a live session to a new epoch, so it outlives the bump that ends the user's others. */
  setEpoch(token: string, epoch: number): Promise<void>;
  idOf(token: string): string;
}

// Only a hash of the token is stored, so a leaked store does not leak usable cookies.
const idOf = (token: string) => createHash('sha256').update(token).digest('base64url');
const keyOfId = (id: string) => `sess:${id}`;
const userKey = (userId: number) => `usess:${userId}`;

/**
 * Rewriting the session on every request would double Redis traffic, so activity is written at
 * most every tenth of the idle timeout (at most a minute): a 1-minute timeout ends 54–60 s after
 * the last request, a 30-minute one 27–30 minutes after.
 */
export function touchIntervalMs(idleMs: number): number {
  return Math.min(60_000, Math.max(1_000, Math.floor(idleMs / 10)));
}

function parse(raw: string): SessionData {
  const data = JSON.parse(raw) as Partial<SessionData> & Pick<SessionData, 'userId' | 'createdAt' | 'lastSeenAt'>;
  return { epoch: 0, userAgent: null, ip: null, ...data };
}

export function createSessionStore(kv: KeyValueStore, policy: SessionPolicy, now: () => number = Date.now): SessionStore {
  const ttlFor = (s: SessionData, t: number) => Math.max(1, Math.min(policy.idleMs, s.createdAt + policy.absoluteMs - t));
  const isExpired = (s: SessionData, t: number) => t - s.lastSeenAt >= policy.idleMs || t - s.createdAt >= policy.absoluteMs;
  const touchEveryMs = touchIntervalMs(policy.idleMs);

  const read = async (id: string): Promise<LiveSession | null> => {
    const raw = await kv.get(keyOfId(id));
    return raw ? { ...parse(raw), id } : null;
  };
  // Only if it still exists: a sign-out or an admin's change may have ended it since the read.
  const rewrite = (s: LiveSession, t: number) => {
    const { id, ...data } = s;
    return kv.replace(keyOfId(id), JSON.stringify(data), ttlFor(data, t));
  };
  const destroyId = async (id: string, userId: number | null) => {
    await kv.del(keyOfId(id));
    if (userId !== null) await kv.removeFromSet(userKey(userId), keyOfId(id));
  };

  return {
    idOf,
    async create(userId, info) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      const data: SessionData = { userId, epoch: info.epoch, createdAt: t, lastSeenAt: t, userAgent: info.userAgent, ip: info.ip };
      await kv.set(keyOfId(idOf(token)), JSON.stringify(data), ttlFor(data, t));
      await kv.addToSet(userKey(userId), keyOfId(idOf(token)), policy.absoluteMs);
      return token;
    },
    async touch(token) {
      const session = await read(idOf(token));
      if (!session) return null;
      const t = now();
      if (isExpired(session, t)) {
        await destroyId(session.id, session.userId);
        return null;
      }
      if (t - session.lastSeenAt >= touchEveryMs) {
        session.lastSeenAt = t;
        await rewrite(session, t);
      }
      return session;
    },
    async peek(token) {
      const session = await read(idOf(token));
      return session && !isExpired(session, now()) ? session : null;
    },
    async destroy(token) {
      const session = await read(idOf(token));
      await destroyId(idOf(token), session?.userId ?? null);
    },
    async destroyById(userId, id) {
      const session = await read(id);
      if (!session || session.userId !== userId) return false;
      await destroyId(id, userId);
      return !isExpired(session, now());
    },
    async listForUser(userId) {
      const t = now();
      const live: LiveSession[] = [];
      for (const key of await kv.membersOf(userKey(userId))) {
        const session = await read(key.slice('sess:'.length));
        if (session && session.userId === userId && !isExpired(session, t)) live.push(session);
        else await kv.removeFromSet(userKey(userId), key);
      }
      return live.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    },
    async destroyAllForUser(userId, opts = {}) {
      const keep = opts.exceptId === undefined ? null : keyOfId(opts.exceptId);
      for (const key of await kv.membersOf(userKey(userId))) {
        if (key === keep) continue;
        await kv.del(key);
        await kv.removeFromSet(userKey(userId), key);
      }
    },
    async setEpoch(token, epoch) {
      const session = await read(idOf(token));
      if (!session) return;
      session.epoch = epoch;
      await rewrite(session, now());
    },
  };
}
