import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createDb, migrateToLatest, openDatabase } from '@tracetrack/db';
import type { Env } from './env';
import type { Logger } from './infra/logger';
import { startHttpServer } from './http-server';
import { serveGatherRequests } from './infra/cluster-gather';
import { ensureFirstAdmin, firstAdminOf } from './modules/users/bootstrap';

/** How long a stopping worker may take to finish its requests before it is killed. */
const WORKER_STOP_TIMEOUT_MS = 15_000;

/**
 * WORKERS unset → 1 without Redis, the core count with it. Sessions and rate limits live in
 * process memory without Redis, so several workers without it would each keep their own.
 */
export function workerCount(env: Pick<Env, 'WORKERS' | 'REDIS_URL'>): number {
  const workers = env.WORKERS ?? (env.REDIS_URL ? availableParallelism() : 1);
  if (workers > 1 && !env.REDIS_URL) {
    throw new Error(
      `WORKERS=${workers} needs REDIS_URL: server processes share sessions and rate limits through Redis. ` +
        'Set REDIS_URL (e.g. redis://127.0.0.1:6379) or run with WORKERS=1.',
    );
  }
  return workers;
}

/**
 * The process tree: one process serves everything when WORKERS=1. With more, the primary owns
 * the embedded Postgres, runs migrations and the first-admin bootstrap once, then forks workers
 * that share the port (node:cluster) and connect to that database; SIGINT/SIGTERM stop the
 * workers first, then Postgres.
 */
export async function runServer(env: Env, logger: Logger): Promise<void> {
  if (cluster.isWorker) return runWorker(env, logger);
  const workers = workerCount(env);

  const database = await openDatabase(env, (message, fields) => logger.info(message, fields), (line) => logger.debug(line));
  const databaseUrl = database.url;
  const stopPostgres = database.stop;
  if (!env.REDIS_URL) logger.info('REDIS_URL is unset: sessions and rate limits are kept in this process');

  if (workers === 1) {
    const http = await startHttpServer(env, logger, databaseUrl, { bootstrap: true });
    logListening(env, logger, 1);
    onStopSignal(logger, async () => {
      await http.close();
      await stopPostgres();
    });
    return;
  }

  const { db } = createDb({ url: databaseUrl, poolSize: 1 });
  try {
    await migrateToLatest(db);
    await ensureFirstAdmin({ db, logger }, firstAdminOf(env));
  } finally {
    await db.destroy();
  }
  // Before the fork: a worker may be asked for /metrics as soon as it listens.
  serveGatherRequests();
  const forked = await forkWorkers(workers, databaseUrl, logger);
  logListening(env, logger, workers);
  onStopSignal(logger, async () => {
    forked.stopRespawning();
    await Promise.all(cluster.workers ? Object.values(cluster.workers).filter((w): w is Worker => !!w).map(stopWorker) : []);
    await stopPostgres();
  });
}

async function forkWorkers(count: number, databaseUrl: string, logger: Logger) {
  let respawn = true;
  const fork = () => cluster.fork({ DATABASE_URL: databaseUrl });
  const ready = Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
    const w = fork();
    w.once('listening', () => resolve());
    w.once('exit', (code) => reject(new Error(`worker ${w.process.pid} exited with ${code} while starting`)));
  }));
  await Promise.all(ready);
  // A worker that dies later is replaced; its in-flight requests fail and clients retry.
  cluster.on('exit', (w, code, signal) => {
    if (!respawn) return;
    logger.warn('worker exited; starting another', { pid: w.process.pid, code, signal });
    fork();
  });
  return { stopRespawning: () => (respawn = false) };
}

function stopWorker(w: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (w.isDead()) return resolve();
    const timer = setTimeout(() => w.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
    w.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    w.kill('SIGTERM');
  });
}

/** A worker serves until told to stop, or until its primary is gone (the IPC channel closes). */
async function runWorker(env: Env, logger: Logger): Promise<void> {
  if (!env.DATABASE_URL) throw new Error('a worker needs DATABASE_URL from its primary');
  const http = await startHttpServer(env, logger, env.DATABASE_URL, { bootstrap: false });
  const stop = onStopSignal(logger, () => http.close());
  process.on('disconnect', () => void stop('disconnect'));
}

function onStopSignal(logger: Logger, close: () => Promise<void>) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, pid: process.pid });
    try {
      await close();
    } catch (e) {
      logger.error('shutdown failed', { error: String(e) });
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return stop;
}

function logListening(env: Env, logger: Logger, workers: number) {
  const host = env.HOST === '0.0.0.0' ? 'localhost' : env.HOST;
  logger.info('TraceTrack listening', { url: `http://${host}:${env.PORT}`, workers });
}
