import { emailSchema, usernameSchema } from '@tracetrack/shared';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5488),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Server processes (node:cluster); unset → 1 without Redis, the core count with it. */
  WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  REDIS_URL: z.string().url().optional(),
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
  TIME_ZONE: z.string().default('Asia/Kolkata'),
  CLIENT_DIST: z.string().default('client/dist'),
  /** Where users reach the app (e.g. https://tracetrack.example.com): links in mail, the Origin check. */
  PUBLIC_URL: z.string().url().optional(),
  /** smtp://user:pass@host:587 or smtps://…; unset: mail is logged, not sent. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('TraceTrack <tracetrack@localhost>'),
});

export type Env = z.infer<typeof envSchema>;

/** The only place that reads process.env. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty value means unset (`SMTP_URL=` in a compose file or a shell), not an invalid one.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
