import { sql } from 'kysely';
import { anyOf } from '../../infra/any-of';
import type { Executor } from '../../infra/transaction';

export async function findEventsByMutationIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('scan_events')
    .select(['mutation_id', 'device_id', 'seq', 'name', 'args', 'status', 'error_code', 'message', 'result'])
    .where(anyOf('mutation_id', ids, 'uuid'))
    .execute();
}
export type StoredEvent = Awaited<ReturnType<typeof findEventsByMutationIds>>[number];

/**
 * Seqs of the device already stored within these ranges (open gaps, and above last_seq): what
 * chunks of an earlier push committed before it failed, the device's progress committing only
 * with a push's last chunk. Almost always none; each range is one probe of scan_events_device_seq.
 */
export async function findStoredSeqsIn(db: Executor, deviceId: string, ranges: ReadonlyArray<{ fromSeq: number; toSeq: number }>): Promise<number[]> {
  if (ranges.length === 0) return [];
  const rows = await sql<{ seq: number }>`
    select e.seq from unnest(${ranges.map((r) => r.fromSeq)}::bigint[], ${ranges.map((r) => r.toSeq)}::bigint[]) as r(from_seq, to_seq)
    join scan_events e on e.device_id = ${deviceId}::uuid and e.seq between r.from_seq and r.to_seq`.execute(db);
  return rows.rows.map((r) => r.seq);
}

/**
 * Holds a session-level advisory lock on one pooled connection for the whole push, so one
 * device's pushes never interleave, across server processes too. A crashed process's
 * connection drops and Postgres releases the lock.
 */
export async function withDeviceLock<T>(db: Executor, deviceId: string, waitMs: number, fn: (conn: Executor) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    // Almost always free: one round trip. Only a contended lock pays for the bounded wait.
    const free = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtextextended(${`device:${deviceId}`}, 0)) as ok`.execute(conn);
    if (!free.rows[0]?.ok) {
      await sql`select set_config('lock_timeout', ${`${waitMs}ms`}, false)`.execute(conn);
      try {
        await sql`select pg_advisory_lock(hashtextextended(${`device:${deviceId}`}, 0))`.execute(conn);
      } finally {
        await sql`select set_config('lock_timeout', '0', false)`.execute(conn);
      }
    }
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtextextended(${`device:${deviceId}`}, 0))`.execute(conn).catch(() => {});
    }
  });
}

export interface FeedPosition {
  xid: string;
  id: number;
}

/**
 * Parents of one area changed after `after`, in (xid, id) order, only from transactions older than
 * every running one: that order is final, so a cursor never skips a late commit.
 */
export async function parentChangesSince(db: Executor, area: string | null, after: FeedPosition, limit: number, activeOnly: boolean) {
  let q = db
    .selectFrom('bags as b')
    .select(['b.id', 'b.code', 'b.format', 'b.area', 'b.child_count', 'b.capacity', 'b.updated_at', sql<string>`b.change_xid::text`.as('xid')])
    .where('b.type', '=', 'parent')
    .where(sql<boolean>`(b.change_xid, b.id) > (${after.xid}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`b.change_xid < pg_snapshot_xmin(pg_current_snapshot())`);
  q = area === null ? q.where('b.area', 'is', null) : q.where('b.area', '=', area);
  if (activeOnly) q = q.where(sql<boolean>`b.child_count < b.capacity`).where('b.updated_at', '>', sql<Date>`now() - interval '48 hours'`);
  return q.orderBy(sql`b.change_xid`).orderBy('b.id').limit(limit).execute();
}

export async function childCodesOf(db: Executor, parentIds: number[]) {
  if (parentIds.length === 0) return [];
  return db
    .selectFrom('links as l')
    .innerJoin('bags as c', 'c.id', 'l.child_id')
    .select(['l.parent_id', 'c.code'])
    .where(anyOf('l.parent_id', parentIds, 'bigint'))
    .orderBy('l.linked_at')
    .execute();
}

export async function billChangesSince(db: Executor, after: FeedPosition, limit: number, activeOnly: boolean) {
  let q = db
    .selectFrom('bills as bl')
    .select(['bl.id', 'bl.bill_number', 'bl.capacity', 'bl.status', 'bl.parent_count', sql<string>`bl.change_xid::text`.as('xid')])
    .where(sql<boolean>`(bl.change_xid, bl.id) > (${after.xid}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`bl.change_xid < pg_snapshot_xmin(pg_current_snapshot())`);
  if (activeOnly) q = q.where('bl.status', '<>', 'completed');
  return q.orderBy(sql`bl.change_xid`).orderBy('bl.id').limit(limit).execute();
}

export async function parentsOfBills(db: Executor, billIds: number[]) {
  if (billIds.length === 0) return [];
  return db
    .selectFrom('bill_parents as bp')
    .innerJoin('bags as p', 'p.id', 'bp.parent_id')
    .select(['bp.bill_id', 'p.code', 'p.format', 'p.child_count'])
    .where(anyOf('bp.bill_id', billIds, 'bigint'))
    .orderBy('bp.added_at')
    .execute();
}
