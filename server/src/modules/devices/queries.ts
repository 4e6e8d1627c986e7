import { type RawBuilder, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { anyOf } from '../../infra/any-of';
import type { Executor } from '../../infra/transaction';
import type { OutboxReport } from '@tracetrack/shared';
import type { OpenGap } from '../sync/seq-gaps';

/** A device with the username of the user it is bound to. */
function deviceWithOwner(db: Executor, id: string) {
  return db
    .selectFrom('devices as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select(['d.id', 'd.user_id', 'u.username as owner_username', 'd.label', 'd.last_seq'])
    .where('d.id', '=', id);
}

export async function findDevice(db: Executor, id: string) {
  return deviceWithOwner(db, id).executeTakeFirst();
}

/**
 * What a push needs, read once it holds the device lock, in one round trip: the device (with its
 * owner), its open seq gaps, and the outcomes already stored for the push's mutation ids (by
 * mutation id alone: an id stored by another device must come back as ID_REUSED).
 */
export async function findDeviceForPush(db: Executor, id: string, mutationIds: readonly string[]) {
  const row = await deviceWithOwner(db, id)
    .select((eb) => [
      jsonArrayFrom(
        eb.selectFrom('device_seq_gaps as g')
          .select(['g.id', 'g.from_seq', 'g.to_seq', 'g.detected_at'])
          .whereRef('g.device_id', '=', 'd.id')
          .where('g.filled_at', 'is', null)
          .orderBy('g.from_seq'),
      ).as('open_gaps'),
      jsonArrayFrom(
        eb.selectFrom('scan_events as e')
          .select(['e.mutation_id', 'e.device_id', 'e.seq', 'e.name', 'e.args', 'e.status', 'e.error_code', 'e.message', 'e.result'])
          .where(anyOf('e.mutation_id', mutationIds, 'uuid')),
      ).as('stored_events'),
    ])
    .executeTakeFirst();
  if (!row) return undefined;
  const { open_gaps: gaps, stored_events: events, ...device } = row;
  // Through JSON: bigints arrive as numbers, timestamps as ISO text, jsonb as values.
  const openGaps: OpenGap[] = gaps.map((g) => ({ id: Number(g.id), fromSeq: Number(g.from_seq), toSeq: Number(g.to_seq), detectedAt: new Date(g.detected_at) }));
  const storedEvents = events.map((e) => ({ ...e, seq: Number(e.seq) }));
  return { ...device, openGaps, storedEvents };
}

/** A first registration; undefined when the id exists already (or a concurrent one won). */
export async function insertDevice(db: Executor, values: { id: string; userId: number; label: string | null }) {
  return db
    .insertInto('devices')
    .values({ id: values.id, user_id: values.userId, label: values.label, last_seen_at: new Date() })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning(['id', 'label', 'last_seq'])
    .executeTakeFirst();
}

export async function touchDevice(db: Executor, id: string, label: string | null) {
  return db
    .updateTable('devices')
    .set({ label: sql`coalesce(${label}, label)`, last_seen_at: new Date() })
    .where('id', '=', id)
    .returning(['id', 'label', 'last_seq'])
    .executeTakeFirstOrThrow();
}

/** The outbox columns of a report: what waits on the device, as of `at`. */
function outboxColumns(outbox: OutboxReport, at: Date) {
  return { outbox_depth: outbox.depth, outbox_oldest_at: outbox.oldestAt === null ? null : new Date(outbox.oldestAt), outbox_reported_at: at };
}

export async function recordPush(db: Executor, id: string, maxSeq: number, at: Date, outbox: OutboxReport | undefined) {
  await db
    .updateTable('devices')
    .set({
      last_seq: sql`greatest(last_seq, ${maxSeq})`,
      push_count: sql`push_count + 1`,
      last_push_at: at,
      last_seen_at: at,
      ...(outbox ? outboxColumns(outbox, at) : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** A pull by the user's own device; another user's device id changes nothing. */
export async function recordPull(db: Executor, id: string, userId: number, at: Date) {
  return db.updateTable('devices').set({ last_pull_at: at, last_seen_at: at }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

/** An outbox report from the device's own user; undefined when the device is not theirs (or unknown). */
export async function recordOutboxReport(db: Executor, id: string, userId: number, outbox: OutboxReport, at: Date) {
  return db
    .updateTable('devices')
    .set({ ...outboxColumns(outbox, at), last_seen_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
}

/** The device's seq ranges the server never got (partial index device_seq_gaps_open). */
export interface SeqGapRow {
  fromSeq: number;
  toSeq: number;
  detectedAt: Date;
  filledAt: Date | null;
}

/** Replaces gap rows (a split) and adds new ones, in two statements. */
export async function replaceSeqGaps(db: Executor, deviceId: string, removeIds: number[], rows: SeqGapRow[]) {
  if (removeIds.length) await db.deleteFrom('device_seq_gaps').where(anyOf('id', removeIds, 'bigint')).execute();
  if (rows.length === 0) return;
  await db
    .insertInto('device_seq_gaps')
    .values(rows.map((r) => ({ device_id: deviceId, from_seq: r.fromSeq, to_seq: r.toSeq, detected_at: r.detectedAt, filled_at: r.filledAt })))
    .execute();
}

/** Adds each device's new refusals to its counter; a statement to run with other writes (see writeTogether). */
export function rejectedCountsUpdate(counts: Map<string, number>): RawBuilder<unknown> | null {
  if (counts.size === 0) return null;
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
  return sql`
    update devices as d set rejected_count = d.rejected_count + r.n
    from unnest(${rows.map(([id]) => id)}::uuid[], ${rows.map(([, n]) => n)}::int[]) as r(id, n)
    where d.id = r.id`;
}

/** Per-device sync health for admins: refusals are a counter on the device, open gaps use device_seq_gaps_open. */
export async function listDevices(db: Executor, afterId: string | null, limit: number, since: Date) {
  let q = db
    .selectFrom('devices as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select((eb) => [
      'd.id', 'd.label', 'd.last_seq', 'd.push_count', 'd.last_push_at', 'd.last_seen_at', 'u.username',
      'd.rejected_count', 'd.last_pull_at', 'd.outbox_depth', 'd.outbox_oldest_at', 'd.outbox_reported_at',
      eb
        .selectFrom('device_seq_gaps as g')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('g.device_id', '=', 'd.id')
        .where('g.filled_at', 'is', null)
        .as('gap_count'),
      // scan_events_device_refusals: only the device's refusals of the last day are read.
      eb
        .selectFrom('scan_events as r')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('r.device_id', '=', 'd.id')
        .where('r.status', '=', 'rejected')
        .where('r.server_time', '>', since)
        .as('refusals_last_day'),
      // scan_events_user: the user's newest event, one index entry.
      eb
        .selectFrom('scan_events as s')
        .select('s.server_time')
        .whereRef('s.user_id', '=', 'd.user_id')
        .orderBy('s.id', 'desc')
        .limit(1)
        .as('user_last_scan_at'),
    ])
    .orderBy('d.id')
    .limit(limit + 1);
  if (afterId) q = q.where('d.id', '>', afterId);
  return q.execute();
}
