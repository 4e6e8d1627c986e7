import path from 'node:path';
import { startEmbeddedPostgres } from './embedded';
import type { DatabaseEnv } from './env';

export interface OpenDatabase {
  url: string;
  /** Whether this process started the embedded Postgres (and must stop it). */
  isEmbedded: boolean;
  stop: () => Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded Postgres in DATA_DIR/pg on EMBEDDED_PG_PORT,
 * started here. The server, `npm run db:migrate` and `npm run seed` open the same database.
 */
export async function openDatabase(
  env: Pick<DatabaseEnv, 'DATABASE_URL' | 'DATA_DIR' | 'EMBEDDED_PG_PORT'>,
  log: (message: string, fields?: Record<string, unknown>) => void,
  debug: (line: string) => void = () => {},
): Promise<OpenDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, isEmbedded: false, stop: async () => {} };
  const dataDir = path.join(env.DATA_DIR, 'pg');
  log('DATABASE_URL is unset: starting embedded Postgres', { dataDir, port: env.EMBEDDED_PG_PORT });
  const embedded = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, log: debug });
  return { url: embedded.url, isEmbedded: true, stop: () => embedded.stop() };
}
