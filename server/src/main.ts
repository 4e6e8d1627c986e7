import path from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { startEmbeddedPostgres, type RunningPostgres } from '@tracetrack/db';
import { createApp } from './app';
import { buildDeps } from './build-deps';
import { loadEnv } from './env';
import { createLogger } from './infra/logger';
import { ensureFirstAdmin } from './modules/users/bootstrap';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL);

let embedded: RunningPostgres | null = null;
let databaseUrl = env.DATABASE_URL;
if (!databaseUrl) {
  const dataDir = path.join(env.DATA_DIR, 'pg');
  logger.info('DATABASE_URL is unset: starting embedded Postgres', { dataDir, port: env.EMBEDDED_PG_PORT });
  embedded = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, log: (l) => logger.debug(l) });
  databaseUrl = embedded.url;
}

const deps = await buildDeps({
  databaseUrl,
  redisUrl: env.REDIS_URL,
  poolSize: env.DB_POOL_SIZE,
  logger,
  config: {
    isProduction: env.NODE_ENV === 'production',
    anonymizeIps: env.ANONYMIZE_IPS,
    trustProxy: env.TRUST_PROXY,
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000,
    clientDist: path.resolve(env.CLIENT_DIST),
    timeZone: env.TIME_ZONE,
  },
});
if (!env.REDIS_URL) logger.info('REDIS_URL is unset: sessions and rate limits are kept in this process');

await ensureFirstAdmin(deps, env.ADMIN_PASSWORD);

const app = createApp(deps, { remoteAddress: (c) => getConnInfo(c).remote.address ?? null });
const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  logger.info('TraceTrack listening', { url: `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${info.port}` });
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deps.close();
  if (embedded) await embedded.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
