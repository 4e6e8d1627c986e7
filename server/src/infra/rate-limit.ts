import { AppError } from '@tracetrack/shared';
import type { KeyValueStore } from './kv';

export interface RateLimitRule {
  name: string;
  limit: number;
  windowMs: number;
}

export const RATE_LIMITS = {
  loginByIp: { name: 'login-ip', limit: 10, windowMs: 60_000 },
  loginByUser: { name: 'login-user', limit: 10, windowMs: 60_000 },
  passwordReset: { name: 'pw-reset', limit: 5, windowMs: 3_600_000 },
  twoFactor: { name: '2fa', limit: 5, windowMs: 60_000 },
  // Generous: a whole warehouse of handhelds may share one NAT address (200 devices × a scan a second).
  globalByIp: { name: 'global-ip', limit: 20_000, windowMs: 60_000 },
} satisfies Record<string, RateLimitRule>;

export interface RateLimiter {
  /**
   * Counts one hit; throws RATE_LIMITED (with retryAfterSeconds) once the window's limit is passed,
   * and TRANSIENT (the original error as `cause`) when the store cannot count. The caller chooses
   * to fail open (the global limit) or closed (sign-in). `cost` counts several hits at once (the
   * calls of a batched request).
   */
  hit(rule: RateLimitRule, subject: string, cost?: number): Promise<void>;
}

/** Fixed windows in the shared key-value store, so every server process counts together. */
export function createRateLimiter(kv: KeyValueStore): RateLimiter {
  return {
    async hit(rule, subject, cost = 1) {
      // A store that cannot count fails TRANSIENT itself (see KeyValueStore).
      const { count, ttlMs } = await kv.incr(`rl:${rule.name}:${subject.toLowerCase()}`, rule.windowMs, cost);
      if (count > rule.limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
        throw new AppError('RATE_LIMITED', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
      }
    },
  };
}
