import type { MutationArgs, MutationName } from '@tracetrack/shared';
import { localDb, type OutboxRow } from './db';
import { nextSeqOf } from './device-identity';

/**
 * Queues one scan. The user's seq is read, bumped and written in the same transaction as the row,
 * so two tabs scanning at once can never hand out the same seq.
 */
export async function enqueueMutation<N extends MutationName>(userId: number, name: N, args: MutationArgs<N>): Promise<OutboxRow> {
  return localDb.transaction('rw', localDb.meta, localDb.outbox, async () => {
    const seq = await nextSeqOf(userId);
    const row: OutboxRow = {
      id: crypto.randomUUID(),
      seq,
      name,
      args: args as Record<string, unknown>,
      clientTime: new Date().toISOString(),
      userId,
      createdAt: Date.now(),
    };
    await localDb.outbox.add(row);
    return row;
  });
}

/** One user's waiting scans, in their seq order (the order they are sent in). */
export function pendingOf(userId: number) {
  return localDb.outbox.where('[userId+seq]').between([userId, 0], [userId, Number.MAX_SAFE_INTEGER], true, true);
}

export async function oldestPendingFor(userId: number, limit: number): Promise<OutboxRow[]> {
  return pendingOf(userId).limit(limit).toArray();
}

/**
 * What waits on the device besides the first `skip` rows (the batch being pushed): how many, and
 * when the oldest of them was scanned (sync.push's and device.report's outbox report).
 */
export async function outboxReportOf(userId: number, skip: number): Promise<{ depth: number; oldestAt: string | null }> {
  const [total, oldest] = await Promise.all([pendingOf(userId).count(), pendingOf(userId).offset(skip).first()]);
  return { depth: Math.max(0, total - skip), oldestAt: oldest?.clientTime ?? null };
}
