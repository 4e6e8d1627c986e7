import type { MutationResult, ParentState } from '@tracetrack/shared';
import { localDb, type OutboxRow, type OutcomeRow, type ParentRow } from './db';

function parentRowFrom(state: ParentState, children: string[], isOutsideFeed: boolean): ParentRow {
  return {
    code: state.code, format: state.format, childCount: state.childCount, capacity: state.capacity, status: state.status, children,
    updatedAt: Date.now(), ...(isOutsideFeed ? { isOutsideFeed } : {}),
  };
}

/**
 * What an outcome tells us about its parent, so the local copy stays right while offline. A parent
 * the device did not hold is marked outside the feed: the feed may never send it (another area, a
 * biller's scan), so a completed pull drops it unless the scan screen shows it (pull-store.ts); if
 * it is in the feed, the pull that sends it clears the mark.
 */
async function applyToParents(row: OutboxRow, result: MutationResult) {
  const data = result.data as { parent?: ParentState; childCode?: string } | undefined;
  if (result.status === 'rejected' || !data?.parent) return;
  const existing = await localDb.parents.get(data.parent.code);
  const children = new Set(existing?.children ?? []);
  if (row.name === 'child.link' && data.childCode) children.add(data.childCode);
  if (row.name === 'child.unlink' && data.childCode) children.delete(data.childCode);
  await localDb.parents.put(parentRowFrom(data.parent, [...children], existing ? existing.isOutsideFeed === true : true));
}

/**
 * Stores each answered scan's outcome (refusals also into the inbox), updates the local parents,
 * and only then removes the scan from the outbox — all in one transaction, so a crash in between
 * leaves the scan queued (the server answers a replay from its stored outcome).
 */
export async function storeResults(sent: OutboxRow[], results: MutationResult[]): Promise<OutcomeRow[]> {
  const byId = new Map(sent.map((r) => [r.id, r]));
  const stored: OutcomeRow[] = [];
  await localDb.transaction('rw', [localDb.outbox, localDb.outcomes, localDb.inbox, localDb.parents], async () => {
    for (const result of results) {
      const row = byId.get(result.id);
      if (!row) continue;
      const outcome: OutcomeRow = {
        id: row.id, seq: row.seq, name: row.name, args: row.args, status: result.status, code: result.code ?? null,
        message: result.message, data: result.data ?? null, clientTime: row.clientTime, receivedAt: Date.now(), userId: row.userId,
      };
      await localDb.outcomes.put(outcome);
      if (outcome.status === 'rejected') await localDb.inbox.put(outcome);
      await applyToParents(row, result);
      await localDb.outbox.delete(row.id);
      stored.push(outcome);
    }
  });
  return stored;
}

const OUTCOME_KEEP_MS = 7 * 24 * 3_600_000;

/** Outcomes are kept a week for the scan history; the inbox keeps refusals until dealt with. */
export async function pruneOldOutcomes(): Promise<void> {
  await localDb.outcomes.where('receivedAt').below(Date.now() - OUTCOME_KEEP_MS).delete();
}
