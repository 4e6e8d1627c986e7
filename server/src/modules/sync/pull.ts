import { AppError, listAreaOf, parentStatus, type SyncChange, type SyncPullOutput } from '@tracetrack/shared';
import { z } from 'zod';
import type { Deps } from '../../deps';
import type { Executor } from '../../infra/transaction';
import type { Actor } from '../actor';
import { recordPull } from '../devices/queries';
import * as q from './queries';
import { TOMBSTONE_RETENTION_DAYS } from './tombstone-retention';

const ACTIVE_WINDOW_MS = 48 * 3_600_000;
/**
 * A cursor idle this long restarts from a snapshot even if no tombstone it needs is marked pruned:
 * a day short of the retention, so a prune committing between the check and the read cannot take
 * one it still needs. (Its parents aged out long before, anyway.)
 */
const CURSOR_MAX_IDLE_MS = (TOMBSTONE_RETENTION_DAYS - 1) * 86_400_000;
const LAST_ID = Number.MAX_SAFE_INTEGER;

/** A caller whose lists are limited to their area (a dispatcher) follows its parents; others follow bills. */
type Feed = 'parents' | 'bills';
interface Scope {
  feed: Feed;
  area: string | null;
  /** Written into the cursor: a cursor used under another scope restarts from a snapshot. */
  key: string;
}
function scopeOf(actor: Actor): Scope {
  const area = listAreaOf(actor);
  return area !== null ? { feed: 'parents', area, key: `parents:${area}` } : { feed: 'bills', area: null, key: 'bills' };
}

const xidText = z.string().regex(/^\d{1,20}$/);
const rowId = z.number().int().min(0);
const cursorSchema = z.object({
  v: z.literal(2),
  sc: z.string().max(60),
  /** When it was issued (ms since epoch). */
  t: z.number().int(),
  /** The last row (x, i) and the last tombstone (tx, ti) sent. */
  x: xidText,
  i: rowId,
  tx: xidText,
  ti: rowId,
  /** Parents feed: the 48-hour window has been swept up to (µs since epoch, id). */
  am: z.string().regex(/^\d{1,20}$/),
  ai: rowId,
  /** Still paging through the first snapshot: only active rows are sent. */
  s: z.boolean(),
});
type Cursor = z.infer<typeof cursorSchema>;

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(raw: string): Cursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    json = null;
  }
  const current = cursorSchema.safeParse(json);
  if (current.success) return current.data;
  throw new AppError('VALIDATION', 'The sync cursor is invalid; pull again without a cursor.');
}

const micros = (d: Date) => `${d.getTime()}000`;
const isAfter = (a: q.FeedPosition, b: q.FeedPosition) => BigInt(a.xid) > BigInt(b.xid) || (a.xid === b.xid && a.id > b.id);

function snapshotCursor(scope: Scope, horizon: string, windowStart: Date): Cursor {
  // Tombstones older than the horizon are of rows this snapshot no longer finds: skip them.
  return { v: 2, sc: scope.key, t: 0, x: '0', i: 0, tx: horizon, ti: 0, am: micros(windowStart), ai: LAST_ID, s: true };
}

/**
 * What a device needs offline, as a paged change feed with a monotonic server cursor. A new device
 * (or one whose cursor no longer fits: another role or area, older than the tombstone retention)
 * gets `reset: true` and a snapshot of active rows in pages; later pulls return every change since:
 * rows that changed, tombstones of rows deleted or moved away, and parents that aged out of the
 * 48-hour window, with `isActive: false` for rows the device should drop.
 */
/** A pull; from a named device (its own user's), its last pull is recorded for the device health screen. */
export async function pullForDevice(
  deps: Pick<Deps, 'db' | 'clock' | 'live'>,
  actor: Actor,
  input: { cursor?: string | undefined; limit: number; deviceId?: string | undefined },
): Promise<SyncPullOutput> {
  const output = await pullChanges(deps, actor, input);
  if (input.deviceId) {
    const recorded = await recordPull(deps.db, input.deviceId, actor.id, deps.clock());
    if (recorded.numUpdatedRows > 0n) deps.live.publish(['devices']);
  }
  return output;
}

export async function pullChanges(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, input: { cursor?: string | undefined; limit: number }): Promise<SyncPullOutput> {
  const scope = scopeOf(actor);
  const given = input.cursor ? decode(input.cursor) : null;
  const now = deps.clock();
  const windowStart = new Date(now.getTime() - ACTIVE_WINDOW_MS);
  const { horizon, prunedThrough } = await q.readFeedHorizon(deps.db);
  const isPruned = (c: Cursor) => BigInt(prunedThrough) > 0n && BigInt(prunedThrough) >= BigInt(c.tx);
  const isReset = !given || given.sc !== scope.key || isPruned(given) || now.getTime() - given.t > CURSOR_MAX_IDLE_MS;
  const cursor = isReset || !given ? snapshotCursor(scope, horizon, windowStart) : given;

  const page = scope.feed === 'parents'
    ? await pullParents(deps.db, scope.area, cursor, input.limit, horizon, windowStart)
    : await pullBills(deps.db, cursor, input.limit, horizon);
  return { changes: page.changes, cursor: encode({ ...page.next, t: now.getTime() }), hasMore: page.hasMore, reset: isReset };
}

interface Page {
  changes: SyncChange[];
  next: Cursor;
  hasMore: boolean;
}

type Entry<R> = { isTombstone: false; xid: string; id: number; row: R } | { isTombstone: true; xid: string; id: number; tomb: q.TombstoneRow };

/**
 * Rows and tombstones of one feed merged in xid order, at most `limit`. Within one transaction its
 * tombstones come first: a row that survived the transaction (moved back, re-created) wins.
 */
function mergeInXidOrder<R extends { xid: string; id: number }>(rows: R[], tombs: q.TombstoneRow[], limit: number, cursor: Cursor, horizon: string) {
  const entries: Entry<R>[] = [
    ...rows.map((row) => ({ isTombstone: false as const, xid: row.xid, id: row.id, row })),
    ...tombs.map((tomb) => ({ isTombstone: true as const, xid: tomb.xid, id: tomb.id, tomb })),
  ];
  entries.sort((a, b) => {
    const ax = BigInt(a.xid);
    const bx = BigInt(b.xid);
    if (ax !== bx) return ax < bx ? -1 : 1;
    if (a.isTombstone !== b.isTombstone) return a.isTombstone ? -1 : 1;
    return a.id - b.id;
  });
  const taken = entries.slice(0, limit);
  const takenRows = taken.filter((e) => !e.isTombstone);
  const takenTombs = taken.filter((e) => e.isTombstone);
  const isRowsDone = rows.length < limit && takenRows.length === rows.length;
  const isTombsDone = tombs.length < limit && takenTombs.length === tombs.length;
  const lastRow = takenRows.at(-1);
  const lastTomb = takenTombs.at(-1);
  let tombPos: q.FeedPosition = lastTomb ? { xid: lastTomb.xid, id: lastTomb.id } : { xid: cursor.tx, id: cursor.ti };
  // Every tombstone below the horizon has been sent: move up to it, so the cursor does not look
  // older than the pruned-through mark just because this feed had no removals for a while.
  if (isTombsDone && isAfter({ xid: horizon, id: 0 }, tombPos)) tombPos = { xid: horizon, id: 0 };
  const next: Cursor = {
    ...cursor,
    x: lastRow?.xid ?? cursor.x,
    i: lastRow?.id ?? cursor.i,
    tx: tombPos.xid,
    ti: tombPos.id,
    s: cursor.s && !isRowsDone,
  };
  return { taken, next, isDone: isRowsDone && isTombsDone };
}

async function pullParents(db: Executor, area: string | null, cursor: Cursor, limit: number, horizon: string, windowStart: Date): Promise<Page> {
  const after = { xid: cursor.x, id: cursor.i };
  // Independent reads below the same horizon: sent together (two pooled connections).
  const [rows, tombs] = await Promise.all([
    q.parentChangesSince(db, area, after, limit, horizon, cursor.s ? windowStart : null),
    q.tombstonesSince(db, 'parents', area, { xid: cursor.tx, id: cursor.ti }, limit, horizon),
  ]);
  const { taken, next, isDone } = mergeInXidOrder(rows, tombs, limit, cursor, horizon);

  // Aged-out parents fill what room the page has left; they reflect the current row, so they may
  // come after changes of a later xid.
  const room = limit - taken.length;
  let aged: q.AgedParentRow[] = [];
  let isAgingDone = area === null;
  // Nothing can have aged out when the sweep is already at the window's start (a first snapshot
  // starts there): no statement for an empty range.
  const isSweptUp = BigInt(cursor.am) > BigInt(micros(windowStart)) || (cursor.am === micros(windowStart) && cursor.ai === LAST_ID);
  if (room > 0 && area !== null && isSweptUp) isAgingDone = true;
  else if (room > 0 && area !== null) {
    aged = await q.agedParentsSince(db, area, { micros: cursor.am, id: cursor.ai }, windowStart, room);
    isAgingDone = aged.length < room;
    const last = aged.at(-1);
    if (last) Object.assign(next, { am: last.micros, ai: last.id });
    if (isAgingDone && BigInt(micros(windowStart)) > BigInt(next.am)) Object.assign(next, { am: micros(windowStart), ai: LAST_ID });
  }

  const ids = [...taken.flatMap((e) => (e.isTombstone ? [] : [e.row.id])), ...aged.map((r) => r.id)];
  const children = new Map((await q.childCodesOf(db, ids)).map((c) => [c.parent_id, c.codes]));
  const toChange = (r: q.ParentChangeRow | q.AgedParentRow): SyncChange => {
    const capacity = r.capacity ?? 0;
    const status = parentStatus(r.child_count, capacity);
    return {
      kind: 'parent', code: r.code, format: r.format ?? '', area: r.area, childCount: r.child_count, capacity, status,
      children: children.get(r.id) ?? [], updatedAt: r.updated_at.toISOString(),
      isActive: status !== 'full' && r.updated_at > windowStart, isRemoved: false,
    };
  };
  const changes = taken.map((e) => (e.isTombstone ? parentRemoval(e.tomb) : toChange(e.row)));
  changes.push(...aged.map(toChange));
  return { changes, next, hasMore: !isDone || !isAgingDone };
}

async function pullBills(db: Executor, cursor: Cursor, limit: number, horizon: string): Promise<Page> {
  const [rows, tombs] = await Promise.all([
    q.billChangesSince(db, { xid: cursor.x, id: cursor.i }, limit, horizon, cursor.s),
    q.tombstonesSince(db, 'bills', null, { xid: cursor.tx, id: cursor.ti }, limit, horizon),
  ]);
  const { taken, next, isDone } = mergeInXidOrder(rows, tombs, limit, cursor, horizon);
  const parents = groupBy(await q.parentsOfBills(db, taken.flatMap((e) => (e.isTombstone ? [] : [e.row.id]))), (p) => p.bill_id);
  const changes = taken.map((e): SyncChange => {
    if (e.isTombstone) return billRemoval(e.tomb);
    const r = e.row;
    return {
      kind: 'bill', billNumber: r.bill_number, capacity: r.capacity, status: r.status, parentCount: r.parent_count,
      destination: r.destination, vehicleNumber: r.vehicle_number, description: r.description,
      parents: (parents.get(r.id) ?? []).map((p) => ({ code: p.code, format: p.format ?? '', childCount: p.child_count })),
      updatedAt: r.updated_at.toISOString(), isActive: r.status !== 'completed', isRemoved: false,
    };
  });
  return { changes, next, hasMore: !isDone };
}

/** A parent deleted or moved to another area, as its last state (deleted parents were empty). */
function parentRemoval(t: q.TombstoneRow): SyncChange {
  const childCount = t.child_count ?? 0;
  const capacity = t.capacity ?? 0;
  return {
    kind: 'parent', code: t.key, format: t.format ?? '', area: t.area, childCount, capacity, status: parentStatus(childCount, capacity),
    children: [], updatedAt: t.removed_at.toISOString(), isActive: false, isRemoved: true,
  };
}

const BILL_STATUSES = ['open', 'loading', 'completed'] as const;
function billRemoval(t: q.TombstoneRow): SyncChange {
  const status = BILL_STATUSES.find((s) => s === t.status) ?? 'open';
  return {
    kind: 'bill', billNumber: t.key, capacity: t.capacity ?? 0, status, parentCount: t.parent_count ?? 0,
    destination: null, vehicleNumber: null, description: null, parents: [],
    updatedAt: t.removed_at.toISOString(), isActive: false, isRemoved: true,
  };
}

/** A page's child rows by their parent (one pass: a page holds up to 200 parents × 30 children). */
function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
