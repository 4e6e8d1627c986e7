import { z } from 'zod';

/**
 * The database's settings, shared by the server's environment (server/src/env.ts extends this
 * shape) and the database CLIs (migrate, seed), which read only these.
 */
export const databaseEnvShape = {
  /** Unset: the embedded Postgres below. */
  DATABASE_URL: z.url().optional(),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5488),
  /** The warehouses' time zone: the daily counters' day boundaries. */
  TIME_ZONE: z.string().default('Asia/Kolkata'),
};

/** Compose files and .env templates write `NAME=` for "not set": an empty value means unset. */
export function withoutEmptyValues(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** Parses an environment with one schema; a bad value stops the process with every problem listed. */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const parsed = schema.safeParse(withoutEmptyValues(source));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

const databaseEnvSchema = z.object(databaseEnvShape);
export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

/** The database CLIs' environment (migrate, seed): the server reads its own in server/src/env.ts. */
export function loadDatabaseEnv(source: Record<string, string | undefined> = process.env): DatabaseEnv {
  return parseEnv(databaseEnvSchema, source);
}
