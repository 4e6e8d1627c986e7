import { isAppError } from '@tracetrack/shared';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps';
import { type AdmissionQueue, createAdmissionQueue } from '../infra/admission';
import type { AppEnv } from './app-env';
import { jsonError } from './json-error';
import { proceduresOf } from './observe';

/** Pushes running at once per process when PUSH_CONCURRENCY is unset: half the pool (the rest serves reads). */
export const defaultPushConcurrency = (poolSize: number) => Math.max(1, Math.floor(poolSize / 2));
export const DEFAULT_PUSH_QUEUE_SIZE = 2_000;

/** Whether a /trpc request calls sync.push (alone or in a batch: `/trpc/a,b?batch=1`). */
export function callsPush(pathname: string): boolean {
  return proceduresOf(pathname)?.some((p) => p === 'sync.push' || p === 'sync.push/') ?? false;
}

/**
 * Admits sync.push calls through a bounded FIFO queue per process (infra/admission.ts) before
 * their body is read: a reconnect storm of 500-scan pushes waits its turn instead of every push
 * grabbing a pool connection and the rest timing out; reads never enter the queue.
 */
export function pushAdmission(deps: Deps): { middleware: MiddlewareHandler<AppEnv>; queue: AdmissionQueue } {
  const queue = createAdmissionQueue({
    // Set from PUSH_CONCURRENCY or the pool's size at start (http-server.ts); apps built in tests may leave it out.
    concurrency: deps.config.pushConcurrency ?? defaultPushConcurrency(deps.poolStats().max),
    maxWaiting: deps.config.pushQueueSize ?? DEFAULT_PUSH_QUEUE_SIZE,
    busyMessage: 'The server is busy with other devices\u2019 uploads. Your scans are kept; they are sent again in a moment.',
  });
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.method !== 'POST' || !callsPush(c.req.path)) return next();
    try {
      await queue.run(() => next(), c.req.raw.signal);
    } catch (e) {
      if (!isAppError(e)) throw e;
      const retry = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) c.header('retry-after', String(retry));
      return jsonError(c, e);
    }
  };
  return { middleware, queue };
}
