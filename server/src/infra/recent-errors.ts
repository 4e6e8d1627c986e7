import type { Redis } from 'ioredis';

export interface RecentError {
  at: string;
  message: string;
  /** The tRPC path, HTTP route or background job it happened in. */
  where: string;
  requestId: string | null;
  status: number | null;
  pid: number;
}

export interface RecentErrors {
  record(e: Omit<RecentError, 'at' | 'pid'>): void;
  /** Newest first, at most RECENT_ERRORS_KEPT. */
  list(): Promise<RecentError[]>;
}

export const RECENT_ERRORS_KEPT = 100;
const MESSAGE_CHARS = 500;

/**
 * A bounded ring of the latest server errors for the system-health screen: one Redis list shared
 * by every worker and server process (LPUSH + LTRIM) when Redis is configured, process memory
 * otherwise. Recording never waits and never throws: an error path must not fail twice.
 */
export function createRecentErrors(redis: Redis | null, prefix: string, now: () => Date): RecentErrors {
  const key = `${prefix}recent-errors`;
  const local: RecentError[] = [];
  return {
    record(e) {
      const entry: RecentError = { ...e, message: e.message.slice(0, MESSAGE_CHARS), at: now().toISOString(), pid: process.pid };
      if (redis) {
        void redis.multi().lpush(key, JSON.stringify(entry)).ltrim(key, 0, RECENT_ERRORS_KEPT - 1).exec().catch(() => {});
        return;
      }
      local.unshift(entry);
      local.length = Math.min(local.length, RECENT_ERRORS_KEPT);
    },
    async list() {
      if (!redis) return [...local];
      const raw = await redis.lrange(key, 0, RECENT_ERRORS_KEPT - 1);
      return raw.flatMap((r) => {
        try {
          return [JSON.parse(r) as RecentError];
        } catch {
          return [];
        }
      });
    },
  };
}
