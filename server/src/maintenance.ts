import { sql } from 'kysely';
import type { Deps } from './deps';
import { purgeExpiredAudit } from './modules/audit/retention';
import { purgeStaleLoginFailures } from './modules/auth/login-failures';
import { purgeExpiredTombstones } from './modules/sync/tombstone-retention';
import { finishBackgroundRun, startBackgroundRun } from './modules/system/background-runs';

export const MAINTENANCE_EVERY_MS = 60 * 60_000;
export const MAINTENANCE_JOB = 'maintenance';

/**
 * Hourly housekeeping (audit, sync tombstone and stale sign-in failure retention). With several workers each one schedules
 * it, and an advisory lock lets only one run it at a time.
 */
export function startMaintenance(deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'recentErrors'>): () => void {
  const run = async () => {
    try {
      await deps.db.connection().execute(async (conn) => {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('tracetrack:maintenance')) as ok`.execute(conn);
        if (!got.rows[0]?.ok) return;
        try {
          // The run is recorded for the system-health screen (background_runs).
          await startBackgroundRun(conn, MAINTENANCE_JOB, deps.clock());
          try {
            const purged = await purgeExpiredAudit(conn, deps.clock());
            if (purged) deps.logger.info('audit retention', { purged });
            const tombstones = await purgeExpiredTombstones(conn, deps.clock());
            if (tombstones) deps.logger.info('sync tombstone retention', { purged: tombstones });
            const failures = await purgeStaleLoginFailures(conn, deps.clock());
            if (failures) deps.logger.info('sign-in failure retention', { purged: failures });
            await finishBackgroundRun(conn, MAINTENANCE_JOB, deps.clock(), { detail: { auditRows: purged, tombstones, signInFailures: failures } });
          } catch (e) {
            await finishBackgroundRun(conn, MAINTENANCE_JOB, deps.clock(), { error: String(e).slice(0, 500) }).catch(() => {});
            throw e;
          }
        } finally {
          await sql`select pg_advisory_unlock(hashtext('tracetrack:maintenance'))`.execute(conn);
        }
      });
    } catch (e) {
      deps.logger.warn('maintenance failed', { error: String(e) });
      deps.recentErrors.record({ where: 'maintenance', requestId: null, status: null, message: String(e) });
    }
  };
  const timer = setInterval(() => void run(), MAINTENANCE_EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
