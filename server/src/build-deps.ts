import { createDb, migrateToLatest, type Db } from '@tracetrack/db';
import { Redis } from 'ioredis';
import type { AppConfig, Deps } from './deps';
import { createMemoryStore, createRedisStore } from './infra/kv';
import { createLiveBus } from './infra/live-bus';
import type { Logger } from './infra/logger';
import { createMailer, type Mailer } from './infra/mailer';
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
  /** Defaults to SMTP when smtpUrl is set, else to logging the message. */
  mailer?: Mailer;
  smtpUrl?: string | undefined;
  mailFrom?: string;
}

/** Wires the real dependencies; used by main.ts, the tests and the benchmarks alike. */
export async function buildDeps(opts: BuildDepsOptions): Promise<Deps & { close: () => Promise<void> }> {
  const { db } = createDb({ url: opts.databaseUrl, poolSize: opts.poolSize ?? 20 });
  await migrateToLatest(db);
  const redis = opts.redisUrl ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false, enableAutoPipelining: true }) : null;
  redis?.on('error', (e) => opts.logger.warn('redis error', { error: String(e) }));
  const kv = redis ? createRedisStore(redis, opts.redisPrefix ?? 'tt:') : createMemoryStore();
  const live = createLiveBus({ redis, prefix: opts.redisPrefix ?? 'tt:', logger: opts.logger });
  const clock = opts.clock ?? (() => new Date());
  const mailer = opts.mailer ?? createMailer({ smtpUrl: opts.smtpUrl, from: opts.mailFrom ?? 'TraceTrack <tracetrack@localhost>', logger: opts.logger });
  return {
    db: db as Db,
    redis,
    logger: opts.logger,
    clock,
    kv,
    sessions: createSessionStore(kv, { idleMs: opts.config.sessionIdleMs, absoluteMs: opts.config.sessionAbsoluteMs }, () => clock().getTime()),
    rateLimiter: createRateLimiter(kv),
    mailer,
    live,
    config: opts.config,
    close: async () => {
      mailer.close();
      await live.close();
      await db.destroy();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
