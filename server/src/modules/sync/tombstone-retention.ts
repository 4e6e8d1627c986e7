import { purgeInBatches } from '../../infra/batched-purge';
import type { Executor } from '../../infra/transaction';
import { purgeTombstonesBefore } from './queries';

/** sync.pull tombstones are kept this long; a cursor that may have missed a pruned one restarts. */
export const TOMBSTONE_RETENTION_DAYS = 30;
const PURGE_BATCH = 5_000;

/** Deletes tombstones older than the retention; returns how many went. */
export async function purgeExpiredTombstones(db: Executor, now: Date, maxBatches = 100): Promise<number> {
  const cutoff = new Date(now.getTime() - TOMBSTONE_RETENTION_DAYS * 86_400_000);
  return purgeInBatches((limit) => purgeTombstonesBefore(db, cutoff, limit), PURGE_BATCH, maxBatches);
}
