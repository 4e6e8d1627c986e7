import { localDb } from '../../local-db/db';
import { pendingOf } from '../../local-db/outbox';
import { buildParentView, foreseeRefusal, isOutcomeForParent, localParent, type ParentView, queuedParentOf, SHOWN_LINES } from './parent-state';

export { lastUndoableChild, type LineState, type ParentView, type ScanLine } from './parent-state';

const RECENT_OUTCOMES = 300;

/** What the scan screen shows for one parent, from local data only, so it works offline. */
export async function loadParentView(code: string, userId: number): Promise<ParentView> {
  let scanned = 0;
  const [own, recent, base] = await Promise.all([
    pendingOf(userId).toArray(),
    // The newest few of this parent among the recent outcomes: read one by one and stop early,
    // since this runs again after every scan and every sync.
    localDb.outcomes.orderBy('receivedAt').reverse().until(() => ++scanned >= RECENT_OUTCOMES, true)
      .filter((o) => isOutcomeForParent(o, code)).limit(SHOWN_LINES).toArray(),
    localDb.parents.get(code),
  ]);
  return buildParentView(code, localParent(code, base, userId, own), recent, userId);
}

/**
 * What the server will most likely say to linking `childCode` into `parentCode`, judged from what
 * this device knows: a sentence when it will be refused, null otherwise. The scan is queued either
 * way (the server decides); this only warns at once instead of after the next sync.
 */
export async function foreseeLinkRefusal(userId: number, parentCode: string, childCode: string): Promise<string | null> {
  const own = await pendingOf(userId).toArray();
  const parent = localParent(parentCode, await localDb.parents.get(parentCode), userId, own);
  const queued = queuedParentOf(childCode, own);
  const other = queued !== undefined
    ? (queued === parentCode ? null : queued)
    : ((await localDb.parents.filter((p) => p.code !== parentCode && p.children.includes(childCode)).first())?.code ?? null);
  return foreseeRefusal(parentCode, parent, childCode, other);
}
