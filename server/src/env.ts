import { databaseEnvShape, parseEnv } from '@tracetrack/db';
import { emailSchema, usernameSchema } from '@tracetrack/shared';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  ...databaseEnvShape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** How long a request waits for a free pool connection before it is answered TRANSIENT (503). */
  DB_POOL_WAIT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * How long an idle pool connection stays open. A new connection plans every statement again
   * (the bag view's first plan on a fresh backend takes ~20 ms), so a pool that closes its
   * connections in a quiet minute answers the next rush slowly; PgBouncer keeps its own 10 minutes.
   */
  DB_POOL_IDLE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
  /** sync.push calls running at once per process; unset: half of DB_POOL_SIZE (at least 1). */
  PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(200).optional(),
  /** sync.push calls waiting their turn per process; a push beyond it is refused at once (503, retried by the device). */
  PUSH_QUEUE_SIZE: z.coerce.number().int().min(0).max(100_000).default(2_000),
  /** Server processes (node:cluster); unset → 1 without Redis, the core count with it. */
  WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  REDIS_URL: z.url().optional(),
  /** Prefix of every Redis key, so several installations (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().max(100).default('tt:'),
  ADMIN_PASSWORD: z.string().optional(),
  /** The first admin's username and (optional) email, when no admin exists at start. */
  ADMIN_USERNAME: usernameSchema.default('admin'),
  ADMIN_EMAIL: emailSchema.optional(),
  /** required: an admin without two-factor sign-in can only use auth.* and account.* until enrolled. */
  ADMIN_TWO_FACTOR: z.enum(['required', 'optional']).default('required'),
  /**
   * 32 bytes as 64 hex digits: TOTP secrets are stored encrypted with it (AES-256-GCM); unset:
   * stored as they are. Losing or changing it turns off every user's two-factor sign-in.
   */
  TWO_FACTOR_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32 bytes)').optional(),
  // Bounded so a typo cannot make sessions live for months: a day idle, a week in all.
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  TRUST_PROXY: bool.default(false),
  ANONYMIZE_IPS: bool.default(true),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** on: one JSON access line per request at info level; off: none (errors are still logged). */
  ACCESS_LOG: z.enum(['on', 'off']).default('on'),
  /** Bearer token a Prometheus scraper sends to GET /metrics; unset: /metrics is a 404. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** off: no request or sync instrumentation at all (the bench's baseline); the health screen then has no call figures. */
  METRICS: z.enum(['on', 'off']).default('on'),
  CLIENT_DIST: z.string().default('client/dist'),
  /** Where users reach the app (e.g. https://tracetrack.example.com): links in mail, the Origin check. */
  PUBLIC_URL: z.url().optional(),
  /** smtp://user:pass@host:587 or smtps://…; unset: mail is logged, not sent. */
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().default('TraceTrack <tracetrack@localhost>'),
  /** Where uploaded import files are kept until their rows are read; unset: DATA_DIR/uploads. */
  UPLOAD_DIR: z.string().optional(),
  /** HH:MM (24-hour, in TIME_ZONE) to mail the end-of-day summary to admins and billers; needs SMTP_URL. */
  /**
   * Minutes without a push or pull after which the device health screen warns about a handheld
   * whose user is still scanning (scans stuck on it, or its user seen scanning since).
   */
  DEVICE_SYNC_WARN_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  EOD_SEND_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00 to 23:59').optional(),
});

export type Env = z.infer<typeof envSchema>;

/** The only place the server reads process.env. A variable set to the empty string is unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}
