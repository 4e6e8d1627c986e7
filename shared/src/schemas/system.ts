import { z } from 'zod';

const nullableTime = z.string().nullable();

/** A statement (pg_stat_statements) or, without the extension, a procedure (the app's own timings). */
export const slowEntrySchema = z.object({
  text: z.string(),
  calls: z.number(),
  meanMs: z.number(),
  /** pg_stat_statements: total time; procedures: null. */
  totalMs: z.number().nullable(),
  /** Procedures: the histogram bucket holding the 95th percentile; statements: null. */
  p95Ms: z.number().nullable(),
});

export const workerHealthSchema = z.object({
  pid: z.number().int(),
  uptimeSeconds: z.number(),
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
  heapTotalBytes: z.number(),
});

export const recentErrorSchema = z.object({
  at: z.string(),
  where: z.string(),
  message: z.string(),
  requestId: z.string().nullable(),
  status: z.number().int().nullable(),
});

/** The system-health screen (admins): what the server knows about itself right now. */
export const systemHealthSchema = z.object({
  generatedAt: z.string(),
  /** package.json's version. */
  version: z.string(),
  migrations: z.object({ latestApplied: z.string().nullable(), applied: z.number().int(), known: z.number().int() }),
  database: z.object({
    version: z.string(),
    sizeBytes: z.number(),
    /** Summed over this server's workers: connections open, idle, callers waiting for one, and the limit. */
    pool: z.object({ total: z.number(), idle: z.number(), waiting: z.number(), max: z.number() }),
    slowest: z.object({
      source: z.enum(['pg_stat_statements', 'procedures', 'none']),
      /** Why the other source is not used, in a sentence; null when pg_stat_statements answered. */
      note: z.string().nullable(),
      entries: z.array(slowEntrySchema),
    }),
  }),
  redis: z.object({
    status: z.enum(['ok', 'down', 'not-configured']),
    version: z.string().nullable(),
    usedMemoryBytes: z.number().nullable(),
  }),
  /** Every server process of this instance (one per worker). */
  workers: z.array(workerHealthSchema),
  errors: z.object({
    /** Procedure calls and 5xx answers in the last hour, over every worker; null with instrumentation off. */
    callsLastHour: z.number().nullable(),
    errorsLastHour: z.number().nullable(),
    /** Newest first, the last hour only. */
    recent: z.array(recentErrorSchema),
  }),
  background: z.object({
    maintenance: z.object({
      status: z.enum(['running', 'ok', 'failed']).nullable(),
      lastStartedAt: nullableTime,
      lastFinishedAt: nullableTime,
      nextRunAt: nullableTime,
      lastError: z.string().nullable(),
      lastErrorAt: nullableTime,
      /** What the last run purged, in words. */
      detail: z.string().nullable(),
    }),
    endOfDayMail: z.object({
      isConfigured: z.boolean(),
      sendAt: z.string().nullable(),
      lastDay: z.string().nullable(),
      lastStatus: z.enum(['sending', 'sent', 'failed', 'skipped']).nullable(),
      lastRunAt: nullableTime,
      nextRunAt: nullableTime,
      lastError: z.string().nullable(),
      lastErrorAt: nullableTime,
    }),
  }),
});
export type SystemHealth = z.infer<typeof systemHealthSchema>;
