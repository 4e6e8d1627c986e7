import { purgeInBatches } from '../../infra/batched-purge';
import type { Executor } from '../../infra/transaction';
import { deleteAuditBefore } from './queries';

export const AUDIT_RETENTION_DAYS = 90;
const PURGE_BATCH = 5_000;

/**
 * Deletes audit rows older than the retention period, except the permanent ones (deletions, role
 * changes); returns how many rows went.
 */
export async function purgeExpiredAudit(db: Executor, now: Date, maxBatches = 100): Promise<number> {
  const cutoff = new Date(now.getTime() - AUDIT_RETENTION_DAYS * 86_400_000);
  return purgeInBatches((limit) => deleteAuditBefore(db, cutoff, limit), PURGE_BATCH, maxBatches);
}
