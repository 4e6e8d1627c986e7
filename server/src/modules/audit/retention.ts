import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

export const AUDIT_RETENTION_DAYS = 90;
const PURGE_BATCH = 5_000;

/**
 * Deletes audit rows older than the retention period, except the permanent ones (deletions, role
 * changes). Small batches keep each statement short; returns how many rows went.
 */
export async function purgeExpiredAudit(db: Executor, now: Date, maxBatches = 100): Promise<number> {
  const cutoff = new Date(now.getTime() - AUDIT_RETENTION_DAYS * 86_400_000);
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const res = await sql`
      delete from audit_log where id in (
        select id from audit_log where at < ${cutoff} and not is_permanent order by at limit ${PURGE_BATCH})`.execute(db);
    const n = Number(res.numAffectedRows ?? 0);
    total += n;
    if (n < PURGE_BATCH) break;
  }
  return total;
}
