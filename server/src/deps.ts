import type { Db } from '@tracetrack/db';
import type { Redis } from 'ioredis';
import type { KeyValueStore } from './infra/kv';
import type { WorkerPart } from './infra/cluster-gather';
import type { LiveBus } from './infra/live-bus';
import type { Logger } from './infra/logger';
import type { Metrics, PoolStats } from './infra/metrics';
import type { Mailer } from './infra/mailer';
import type { RateLimiter } from './infra/rate-limit';
import type { RecentErrors } from './infra/recent-errors';
import type { SessionStore } from './infra/sessions';

export interface AppConfig {
  isProduction: boolean;
  anonymizeIps: boolean;
  trustProxy: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  clientDist: string | null;
  /** Day boundaries for the daily scan chart (the warehouses' local time). */
  timeZone: string;
  /** Where users reach the app, for links in mail; null: unknown (links are relative). */
  publicUrl: string | null;
  /** Where uploaded import files are kept until their rows are read (a resume of the read reads them again). */
  uploadDir: string;
  /** `HH:MM` in timeZone when the end-of-day summary is mailed (with a mail transport); null: never. */
  eodSendAt: string | null;
  /** A device that has not synced for this long while its user is scanning is flagged on the device health screen. */
  deviceSyncWarnMs: number;
  /** required: admins must turn on two-factor sign-in before using anything but auth.* and account.*. */
  adminTwoFactor: 'required' | 'optional';
  /** AES-256-GCM key for TOTP secrets at rest; null: stored as they are. */
  twoFactorKey: Buffer | null;
  /** One JSON access line per request at info level (ACCESS_LOG, default on). */
  accessLog: boolean;
  /** Bearer token for GET /metrics; null: /metrics is a 404. */
  metricsToken: string | null;
  /** sync.push calls running at once per process (PUSH_CONCURRENCY); unset: half the pool. */
  pushConcurrency?: number;
  /** sync.push calls that may wait for their turn per process (PUSH_QUEUE_SIZE); more are refused (503). */
  pushQueueSize?: number;
}

/** Everything the app needs, passed in (never imported), so tests build their own. */
export interface Deps {
  db: Db;
  redis: Redis | null;
  logger: Logger;
  clock: () => Date;
  /** Shared key-value store (Redis when configured): sessions, rate limits, login failures. */
  kv: KeyValueStore;
  sessions: SessionStore;
  rateLimiter: RateLimiter;
  mailer: Mailer;
  /** Change notices for live screens (subscriptions), across processes through Redis when configured. */
  live: LiveBus;
  config: AppConfig;
  /** Prometheus instruments; null with instrumentation off (METRICS=off, the bench's baseline). */
  metrics: Metrics | null;
  /** Every worker's metrics and memory, whichever worker asks (see infra/cluster-gather.ts). */
  gatherWorkers: () => Promise<WorkerPart[]>;
  recentErrors: RecentErrors;
  poolStats: () => PoolStats;
}
