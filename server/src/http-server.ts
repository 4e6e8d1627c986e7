import path from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app';
import { defaultPushConcurrency } from './http/admission';
import { buildDeps } from './build-deps';
import type { Env } from './env';
import type { Logger } from './infra/logger';
import { startMaintenance } from './maintenance';
import { startEodMail } from './modules/reports/eod-mail';
import { ensureFirstAdmin, firstAdminOf } from './modules/users/bootstrap';

/** One HTTP server process: its own pool and Redis client, the app, and a clean close. */
export async function startHttpServer(env: Env, logger: Logger, databaseUrl: string, opts: { bootstrap: boolean }) {
  const deps = await buildDeps({
    databaseUrl,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    poolSize: env.DB_POOL_SIZE,
    poolWaitMs: env.DB_POOL_WAIT_MS,
    poolIdleMs: env.DB_POOL_IDLE_MS,
    logger,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    metrics: env.METRICS === 'on',
    config: {
      isProduction: env.NODE_ENV === 'production',
      anonymizeIps: env.ANONYMIZE_IPS,
      trustProxy: env.TRUST_PROXY,
      sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000,
      clientDist: path.resolve(env.CLIENT_DIST),
      timeZone: env.TIME_ZONE,
      publicUrl: env.PUBLIC_URL ?? null,
      uploadDir: path.resolve(env.UPLOAD_DIR ?? path.join(env.DATA_DIR, 'uploads')),
      eodSendAt: env.EOD_SEND_AT ?? null,
      deviceSyncWarnMs: env.DEVICE_SYNC_WARN_MINUTES * 60_000,
      adminTwoFactor: env.ADMIN_TWO_FACTOR,
      twoFactorKey: env.TWO_FACTOR_KEY ? Buffer.from(env.TWO_FACTOR_KEY, 'hex') : null,
      accessLog: env.ACCESS_LOG === 'on',
      metricsToken: env.METRICS_TOKEN ?? null,
      pushConcurrency: env.PUSH_CONCURRENCY ?? defaultPushConcurrency(env.DB_POOL_SIZE),
      pushQueueSize: env.PUSH_QUEUE_SIZE,
    },
  });
  if (opts.bootstrap) await ensureFirstAdmin(deps, firstAdminOf(env));
  const stopMaintenance = startMaintenance(deps);
  const stopEodMail = startEodMail(deps);

  const app = createApp(deps, { remoteAddress: (c) => getConnInfo(c).remote.address ?? null });
  // A port already taken fails the start with a message (main logs it and exits), not a crash.
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      stopMaintenance();
      stopEodMail();
      void deps.close();
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${env.PORT} on ${env.HOST} is already in use (set PORT)` : e.message));
    };
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => {
      s.off('error', failed);
      resolve(s);
    });
    s.once('error', failed);
  });
  return {
    close: async () => {
      stopMaintenance();
      stopEodMail();
      // Open live streams would keep the server from closing: they end first (clients reconnect).
      deps.live.endStreams();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.close();
    },
  };
}
