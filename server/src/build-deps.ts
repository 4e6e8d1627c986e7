import { createDb, migrateToLatest, type Db } from '@tracetrack/db';
import { Redis } from 'ioredis';
import type { AppConfig, Deps } from './deps';
import { createMemoryStore, createRedisStore } from './infra/kv';
import type { Logger } from './infra/logger';
import { createRateLimiter } from './infra/rate-limit';
import { createSessionStore } from './infra/sessions';

export interface BuildDepsOptions {
  databaseUrl: string;
  redisUrl?: string | undefined;
  redisPrefix?: string;
  poolSize?: number;
  logger: Logger;
  config: AppConfig;
  clock?: () => Date;
}

/** Wires the real dependencies; used by main.ts, the tests and the benchmarks alike. */
export async function buildDeps(opts: BuildDepsOptions): Promise<Deps & { close: () => Promise<void> }> {
  const { db } = createDb({ url: opts.databaseUrl, poolSize: opts.poolSize ?? 20 });
  await migrateToLatest(db);
  const redis = opts.redisUrl ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false, enableAutoPipelining: true }) : null;
  redis?.on('error', (e) => opts.logger.warn('redis error', { error: String(e) }));
  const kv = redis ? createRedisStore(redis, opts.redisPrefix ?? 'tt:') : createMemoryStore();
  const clock = opts.clock ?? (() => new Date());
  return {
    db: db as Db,
    redis,
    logger: opts.logger,
    clock,
    kv,
    sessions: createSessionStore(kv, { idleMs: opts.config.sessionIdleMs, absoluteMs: opts.config.sessionAbsoluteMs }, () => clock().getTime()),
    rateLimiter: createRateLimiter(kv),
    config: opts.config,
    close: async () => {
      await db.destroy();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
