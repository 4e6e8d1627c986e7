import { createDb, migrateToLatest, type Db } from '@tracetrack/db';
import { Redis } from 'ioredis';
import type { AppConfig, Deps } from './deps';
import { createGatherer } from './infra/cluster-gather';
import { createMemoryStore, createRedisStore } from './infra/kv';
import { createLiveBus } from './infra/live-bus';
import { openLiveStreams } from './modules/live/stream';
import type { Logger } from './infra/logger';
import { createMailer, type Mailer } from './infra/mailer';
import { createMetrics } from './infra/metrics';
import { createRateLimiter } from './infra/rate-limit';
import { createRecentErrors } from './infra/recent-errors';
import { createSessionStore } from './infra/sessions';

export interface BuildDepsOptions {
  databaseUrl: string;
  redisUrl?: string | undefined;
  redisPrefix?: string;
  poolSize?: number;
  /** How long a query waits for a free pool connection (DB_POOL_WAIT_MS). */
  poolWaitMs?: number;
  /** How long an idle pool connection stays open (DB_POOL_IDLE_MS). */
  poolIdleMs?: number;
  logger: Logger;
  config: AppConfig;
  clock?: () => Date;
  /** Defaults to SMTP when smtpUrl is set, else to logging the message. */
  mailer?: Mailer;
  smtpUrl?: string | undefined;
  mailFrom?: string;
  /** Prometheus instruments (default on); off: no per-call cost, /metrics is a 404. */
  metrics?: boolean;
}

/** Wires the real dependencies; used by main.ts, the tests and the benchmarks alike. */
export async function buildDeps(opts: BuildDepsOptions): Promise<Deps & { close: () => Promise<void> }> {
  const poolSize = opts.poolSize ?? 20;
  const { db, pool } = createDb({ url: opts.databaseUrl, poolSize, connectionTimeoutMs: opts.poolWaitMs, idleTimeoutMs: opts.poolIdleMs });
  await migrateToLatest(db);
  const redis = opts.redisUrl ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false, enableAutoPipelining: true }) : null;
  redis?.on('error', (e) => opts.logger.warn('redis error', { error: String(e) }));
  const kv = redis ? createRedisStore(redis, opts.redisPrefix ?? 'tt:') : createMemoryStore();
  const live = createLiveBus({ redis, prefix: opts.redisPrefix ?? 'tt:', logger: opts.logger });
  const clock = opts.clock ?? (() => new Date());
  const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize });
  const sessions = createSessionStore(kv, { idleMs: opts.config.sessionIdleMs, absoluteMs: opts.config.sessionAbsoluteMs }, () => clock().getTime());
  const metrics = opts.metrics === false ? null : createMetrics({
    poolStats,
    redisUp: redis ? () => redis.ping().then(() => 1, () => 0) : null,
    activeSessions: () => kv.countKeys('sess:'),
    liveStreams: openLiveStreams,
  });
  const mailer = opts.mailer ?? createMailer({ smtpUrl: opts.smtpUrl, from: opts.mailFrom ?? 'TraceTrack <tracetrack@localhost>', logger: opts.logger });
  return {
    db: db as Db,
    redis,
    logger: opts.logger,
    clock,
    kv,
    sessions,
    rateLimiter: createRateLimiter(kv),
    mailer,
    live,
    config: opts.config,
    metrics,
    gatherWorkers: createGatherer(metrics, poolStats),
    recentErrors: createRecentErrors(redis, opts.redisPrefix ?? 'tt:', clock),
    poolStats,
    close: async () => {
      mailer.close();
      await live.close();
      await db.destroy();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
