import { sql } from 'kysely';
import { anyOf } from '../../infra/any-of';
import type { Executor } from '../../infra/transaction';

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
 * Rows of transactions older than `horizon` (the oldest one running) are final: every pull reads
 * the horizon once and caps both the rows and the tombstones at it, so the merged (xid) order never
 * skips a late commit. `prunedThrough` is the highest tombstone xid retention has deleted.
 */
export async function readFeedHorizon(db: Executor) {
  const res = await sql<{ horizon: string; pruned_through: string }>`
    select pg_snapshot_xmin(pg_current_snapshot())::text as horizon,
           (select pruned_through::text from sync_tombstone_horizon) as pruned_through`.execute(db);
  const row = res.rows[0];
  return { horizon: row?.horizon ?? '0', prunedThrough: row?.pruned_through ?? '0' };
}

/**
 * Parents of one area changed after `after` and before `horizon`, in (xid, id) order. With
 * `activeSince` (a first snapshot) only the non-full ones changed since then.
 */
export async function parentChangesSince(db: Executor, area: string | null, after: FeedPosition, limit: number, horizon: string, activeSince: Date | null) {
  let q = db
    .selectFrom('bags as b')
    .select(['b.id', 'b.code', 'b.format', 'b.area', 'b.child_count', 'b.capacity', 'b.updated_at', sql<string>`b.change_xid::text`.as('xid')])
    .where('b.type', '=', 'parent')
    .where(sql<boolean>`(b.change_xid, b.id) > (${after.xid}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`b.change_xid < ${horizon}::xid8`);
  q = area === null ? q.where('b.area', 'is', null) : q.where('b.area', '=', area);
  if (activeSince) q = q.where(sql<boolean>`b.child_count < b.capacity`).where('b.updated_at', '>', activeSince);
  return q.orderBy(sql`b.change_xid`).orderBy('b.id').limit(limit).execute();
}
export type ParentChangeRow = Awaited<ReturnType<typeof parentChangesSince>>[number];

/** Where the 48-hour window has got to: parents last changed at or before (µs since epoch, id). */
export interface AgePosition {
  micros: string;
  id: number;
}

/**
 * Non-full parents of one area whose last change is after `after` and at or before `cutoff`: they
 * left the 48-hour window without a write, so nothing else would tell a device to drop them.
 */
export async function agedParentsSince(db: Executor, area: string, after: AgePosition, cutoff: Date, limit: number) {
  return db
    .selectFrom('bags as b')
    .select(['b.id', 'b.code', 'b.format', 'b.area', 'b.child_count', 'b.capacity', 'b.updated_at',
      sql<string>`(extract(epoch from b.updated_at) * 1000000)::bigint::text`.as('micros')])
    .where('b.type', '=', 'parent')
    .where('b.area', '=', area)
    .where(sql<boolean>`b.child_count < b.capacity`)
    .where(sql<boolean>`(b.updated_at, b.id) > (timestamptz 'epoch' + ${after.micros}::bigint * interval '1 microsecond', ${after.id}::bigint)`)
    .where('b.updated_at', '<=', cutoff)
    .orderBy('b.updated_at')
    .orderBy('b.id')
    .limit(limit)
    .execute();
}
export type AgedParentRow = Awaited<ReturnType<typeof agedParentsSince>>[number];

/** Tombstones of one feed (parents: of one area) after `after` and before `horizon`, in (xid, id) order. */
export async function tombstonesSince(db: Executor, feed: 'parents' | 'bills', area: string | null, after: FeedPosition, limit: number, horizon: string) {
  let q = db
    .selectFrom('sync_tombstones as t')
    .select(['t.id', 't.key', 't.removed_at', sql<string>`t.change_xid::text`.as('xid'),
      sql<string | null>`t.last_state->>'format'`.as('format'),
      sql<string | null>`t.last_state->>'area'`.as('area'),
      sql<number | null>`(t.last_state->>'capacity')::int`.as('capacity'),
      sql<number | null>`(t.last_state->>'childCount')::int`.as('child_count'),
      sql<number | null>`(t.last_state->>'parentCount')::int`.as('parent_count'),
      sql<string | null>`t.last_state->>'status'`.as('status')])
    .where('t.feed', '=', feed)
    .where(sql<boolean>`(t.change_xid, t.id) > (${after.xid}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`t.change_xid < ${horizon}::xid8`);
  q = area === null ? q.where('t.area', 'is', null) : q.where('t.area', '=', area);
  return q.orderBy(sql`t.change_xid`).orderBy('t.id').limit(limit).execute();
}
export type TombstoneRow = Awaited<ReturnType<typeof tombstonesSince>>[number];

/**
 * The child codes of a page's parents, one row per parent (codes in link order): a first page of
 * 200 parents is 200 rows to read, not the ~6,000 of one row per child. Each parent's children are
 * read through its own index probe (links_parent, then bags_pkey): joined as a set, the planner
 * took ~140 links per parent from the statistics and hashed a sequential scan of every bag
 * (~0.5 s at 200k bags, the first page's cost at 2M).
 */
export async function childCodesOf(db: Executor, parentIds: number[]) {
  if (parentIds.length === 0) return [];
  // Codes hold only A-Z, 0-9 and '-': sent as one space-separated text and split natively, which
  // costs far less than pg's JS parser for text[] literals.
  const res = await sql<{ parent_id: number; codes: string }>`
    select p.id as parent_id, array_to_string(array(
      select c.code from links l join bags c on c.id = l.child_id
      where l.parent_id = p.id order by l.linked_at, c.id), ' ') as codes
    from unnest(${parentIds}::bigint[]) as p(id)`.execute(db);
  return res.rows.map((r) => ({ parent_id: r.parent_id, codes: r.codes === '' ? [] : r.codes.split(' ') }));
}

export async function billChangesSince(db: Executor, after: FeedPosition, limit: number, horizon: string, activeOnly: boolean) {
  let q = db
    .selectFrom('bills as bl')
    .select(['bl.id', 'bl.bill_number', 'bl.capacity', 'bl.status', 'bl.parent_count', 'bl.destination', 'bl.vehicle_number', 'bl.description',
      'bl.updated_at', sql<string>`bl.change_xid::text`.as('xid')])
    .where(sql<boolean>`(bl.change_xid, bl.id) > (${after.xid}::xid8, ${after.id}::bigint)`)
    .where(sql<boolean>`bl.change_xid < ${horizon}::xid8`);
  if (activeOnly) q = q.where('bl.status', '<>', 'completed');
  return q.orderBy(sql`bl.change_xid`).orderBy('bl.id').limit(limit).execute();
}
export type BillChangeRow = Awaited<ReturnType<typeof billChangesSince>>[number];

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

/**
 * Deletes one batch of tombstones removed before `cutoff` and raises the pruned-through mark to the
 * highest xid deleted, in one statement; returns how many went.
 */
export async function purgeTombstonesBefore(db: Executor, cutoff: Date, batch: number): Promise<number> {
  const res = await sql<{ n: number }>`
    with gone as (
      delete from sync_tombstones where id in (
        select id from sync_tombstones where removed_at < ${cutoff} order by removed_at limit ${batch})
      returning change_xid
    ), mark as (
      update sync_tombstone_horizon set pruned_through = greatest(pruned_through, (select max(change_xid) from gone))
      where exists (select 1 from gone)
    )
    select count(*)::int as n from gone`.execute(db);
  return res.rows[0]?.n ?? 0;
}
