import { AppError, parentStatus, type SyncChange, type SyncPullOutput } from '@tracetrack/shared';
import { z } from 'zod';
import type { Deps } from '../../deps';
import type { Actor } from '../../trpc/context';
import { billChangesSince, childCodesOf, parentChangesSince, parentsOfBills, type FeedPosition } from './queries';

const ACTIVE_WINDOW_MS = 48 * 3_600_000;

/** Dispatchers follow their area's parents; billers and admins follow bills. */
type Feed = 'parents' | 'bills';
const cursorSchema = z.object({
  f: z.enum(['parents', 'bills']),
  x: z.string().regex(/^\d{1,20}$/),
  i: z.number().int().min(0),
  /** Still paging through the first snapshot: only active rows are sent. */
  s: z.boolean(),
});
type Cursor = z.infer<typeof cursorSchema>;

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(raw: string | undefined, feed: Feed): Cursor {
  const fresh: Cursor = { f: feed, x: '0', i: 0, s: true };
  if (!raw) return fresh;
  let parsed: Cursor;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('VALIDATION', 'The sync cursor is invalid; pull again without a cursor.');
  }
  // A user whose role changed follows another feed: start it from a snapshot.
  return parsed.f === feed ? parsed : fresh;
}

/**
 * What a device needs offline, as a paged change feed with a monotonic server cursor. A new
 * device gets a snapshot of active rows in pages; later pulls return every change since, with
 * `isActive: false` for rows the device should drop.
 */
export async function pullChanges(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, input: { cursor?: string | undefined; limit: number }): Promise<SyncPullOutput> {
  const feed: Feed = actor.role === 'dispatcher' ? 'parents' : 'bills';
  const cursor = decode(input.cursor, feed);
  const after: FeedPosition = { xid: cursor.x, id: cursor.i };
  const changes: SyncChange[] = [];
  let last: FeedPosition | null = null;
  let fetched = 0;

  if (feed === 'parents') {
    const rows = await parentChangesSince(deps.db, actor.area, after, input.limit, cursor.s);
    fetched = rows.length;
    const children = groupBy(await childCodesOf(deps.db, rows.map((r) => r.id)), (c) => c.parent_id);
    const now = deps.clock().getTime();
    for (const r of rows) {
      const capacity = r.capacity ?? 0;
      const status = parentStatus(r.child_count, capacity);
      changes.push({
        kind: 'parent', code: r.code, format: r.format ?? '', area: r.area, childCount: r.child_count, capacity, status,
        children: (children.get(r.id) ?? []).map((c) => c.code),
        isActive: status !== 'full' && now - r.updated_at.getTime() <= ACTIVE_WINDOW_MS,
      });
      last = { xid: r.xid, id: r.id };
    }
  } else {
    const rows = await billChangesSince(deps.db, after, input.limit, cursor.s);
    fetched = rows.length;
    const parents = groupBy(await parentsOfBills(deps.db, rows.map((r) => r.id)), (p) => p.bill_id);
    for (const r of rows) {
      changes.push({
        kind: 'bill', billNumber: r.bill_number, capacity: r.capacity, status: r.status, parentCount: r.parent_count,
        parents: (parents.get(r.id) ?? []).map((p) => ({ code: p.code, format: p.format ?? '', childCount: p.child_count })),
        isActive: r.status !== 'completed',
      });
      last = { xid: r.xid, id: r.id };
    }
  }
  const hasMore = fetched === input.limit;
  const next: Cursor = last ? { f: feed, x: last.xid, i: last.id, s: cursor.s && hasMore } : { ...cursor, s: false };
  return { changes, cursor: encode(next), hasMore };
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
