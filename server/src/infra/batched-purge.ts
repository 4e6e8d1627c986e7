/**
 * Deletes in short batches until a batch comes back smaller than `batch` (nothing left) or
 * `maxBatches` ran: each statement stays short, so retention never holds locks for long.
 * Returns how many rows went.
 */
export async function purgeInBatches(deleteBatch: (limit: number) => Promise<number>, batch: number, maxBatches: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await deleteBatch(batch);
    total += n;
    if (n < batch) break;
  }
  return total;
}
