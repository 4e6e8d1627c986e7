import type { Executor } from '../../infra/transaction';
import { purgeTombstonesBefore } from './queries';

/** sync.pull tombstones are kept this long; a cursor that may have missed a pruned one restarts. */
export const TOMBSTONE_RETENTION_DAYS = 30;
const PURGE_BATCH = 5_000;

/** Deletes tombstones older than the retention in short batches; returns how many went. */
export async function purgeExpiredTombstones(db: Executor, now: Date, maxBatches = 100): Promise<number> {
  const cutoff = new Date(now.getTime() - TOMBSTONE_RETENTION_DAYS * 86_400_000);
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await purgeTombstonesBefore(db, cutoff, PURGE_BATCH);
    total += n;
    if (n < PURGE_BATCH) break;
  }
  return total;
}
