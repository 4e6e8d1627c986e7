import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

/**
 * The id of the first scan event stored at or after `at`, or null when none is. Events get their
 * id and their server time as they are stored, so ids follow time: a binary search over the
 * primary key finds the boundary in ~30 index probes, with no index on time and no table scan.
 */
export async function firstScanEventIdSince(db: Executor, at: Date): Promise<number | null> {
  const bounds = await sql<{ lo: number | null; hi: number | null }>`
    select (select id from scan_events order by id asc limit 1) as lo, (select id from scan_events order by id desc limit 1) as hi`.execute(db);
  let lo = bounds.rows[0]?.lo ?? null;
  let hi = bounds.rows[0]?.hi ?? null;
  if (lo === null || hi === null) return null;
  const at_or_after = async (id: number) =>
    (await db.selectFrom('scan_events').select(['id', 'server_time']).where('id', '>=', id).orderBy('id').limit(1).executeTakeFirst()) ?? null;
  const last = await at_or_after(hi);
  if (!last || last.server_time < at) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = await at_or_after(mid);
    if (!row) break;
    if (row.server_time < at) lo = row.id + 1;
    else hi = row.id;
  }
  return hi;
}

/** Scans per user from an event id on (scan_events_user: one index range per user). */
export async function countScansOfUsersSince(db: Executor, userIds: readonly number[], fromId: number) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('scan_events')
    .select([
      'user_id',
      sql<number>`count(*)::int`.as('scans'),
      sql<number>`(count(*) filter (where status = 'rejected'))::int`.as('refused'),
      sql<Date>`max(server_time)`.as('last_scan_at'),
    ])
    .where('user_id', 'in', userIds)
    .where('id', '>=', fromId)
    .groupBy('user_id')
    .execute();
}
