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
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
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
  /** HH:MM (24-hour, in TIME_ZONE) to mail the end-of-day summary to admins and billers; needs SMTP_URL. */
  EOD_SEND_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00 to 23:59').optional(),
});

export type Env = z.infer<typeof envSchema>;

/** The only place that reads process.env. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
