import { sql } from 'kysely';
import type { Deps } from './deps';
import { purgeExpiredAudit } from './modules/audit/retention';
import { purgeStaleLoginFailures } from './modules/auth/login-failures';
import { purgeExpiredTombstones } from './modules/sync/tombstone-retention';

const EVERY_MS = 60 * 60_000;

/**
 * Hourly housekeeping (audit, sync tombstone and stale sign-in failure retention). With several workers each one schedules
 * it, and an advisory lock lets only one run it at a time.
 */
export function startMaintenance(deps: Pick<Deps, 'db' | 'clock' | 'logger'>): () => void {
  const run = async () => {
    try {
      await deps.db.connection().execute(async (conn) => {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('tracetrack:maintenance')) as ok`.execute(conn);
        if (!got.rows[0]?.ok) return;
        try {
          const purged = await purgeExpiredAudit(conn, deps.clock());
          if (purged) deps.logger.info('audit retention', { purged });
          const tombstones = await purgeExpiredTombstones(conn, deps.clock());
          if (tombstones) deps.logger.info('sync tombstone retention', { purged: tombstones });
          const failures = await purgeStaleLoginFailures(conn, deps.clock());
          if (failures) deps.logger.info('sign-in failure retention', { purged: failures });
        } finally {
          await sql`select pg_advisory_unlock(hashtext('tracetrack:maintenance'))`.execute(conn);
        }
      });
    } catch (e) {
      deps.logger.warn('maintenance failed', { error: String(e) });
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
