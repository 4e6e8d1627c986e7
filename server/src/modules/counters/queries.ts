import { type RawBuilder, sql } from 'kysely';
import { precompiled } from '../../infra/precompiled';
import type { Executor } from '../../infra/transaction';
import { type CounterDelta, NO_AREA_SCOPE } from './deltas';

const SHARDS = 8;
const randomShard = () => Math.floor(Math.random() * SHARDS);

/**
 * Applies deltas in the caller's transaction. Call it last in a transaction: the counter rows
 * stay locked until commit, and a random shard keeps concurrent writers off each other's rows.
 */
export async function bumpCounters(db: Executor, deltas: CounterDelta[]): Promise<void> {
  await countersUpsert(deltas)?.execute(db);
}

/** bumpCounters as a statement to run with other writes (see writeTogether); null when nothing changes. */
export function countersUpsert(deltas: CounterDelta[]): RawBuilder<unknown> | null {
  const merged = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const key = `${d.name}|${d.scope}`;
    const prev = merged.get(key);
    merged.set(key, { ...d, delta: (prev?.delta ?? 0) + d.delta });
  }
  // A fixed order keeps two transactions from locking the same rows in opposite orders.
  const rows = [...merged.values()].filter((d) => d.delta !== 0).sort((a, b) => (a.name + a.scope).localeCompare(b.name + b.scope));
  if (rows.length === 0) return null;
  return sql`
    insert into counters (name, scope, shard, value)
    select r.name, r.scope, ${randomShard()}::int, r.value
    from unnest(${rows.map((r) => r.name)}::text[], ${rows.map((r) => r.scope)}::text[], ${rows.map((r) => r.delta)}::bigint[])
      with ordinality as r(name, scope, value, i)
    order by r.i
    on conflict (name, scope, shard) do update set value = counters.value + excluded.value`;
}

/** Counts scans per scope for the day's chart, one statement for a whole batch (see writeTogether). */
export function dailyScansUpsert(day: string, scopes: string[]): RawBuilder<unknown> | null {
  if (scopes.length === 0) return null;
  const perScope = new Map<string, number>();
  for (const scope of scopes) perScope.set(scope, (perScope.get(scope) ?? 0) + 1);
  const rows = [...perScope].sort(([a], [b]) => a.localeCompare(b));
  return sql`
    insert into daily_counters (day, name, scope, shard, value)
    select ${day}::date, 'scans', r.scope, ${randomShard()}::int, r.value
    from unnest(${rows.map(([scope]) => scope)}::text[], ${rows.map(([, n]) => n)}::bigint[]) with ordinality as r(scope, value, i)
    order by r.i
    on conflict (day, name, scope, shard) do update set value = daily_counters.value + excluded.value`;
}

function countersOf(db: Executor, scope: string | null) {
  let q = db.selectFrom('counters').select(['name', sql<number>`sum(value)`.as('total')]).groupBy('name');
  if (scope !== null) q = q.where('scope', '=', scope);
  return q;
}

function dailyScansOf(db: Executor, scope: string | null, fromDay: string) {
  let q = db
    .selectFrom('daily_counters')
    .select([sql<string>`day::text`.as('day'), sql<number>`sum(value)`.as('total')])
    .where('name', '=', 'scans')
    .where('day', '>=', fromDay)
    .groupBy('day');
  if (scope !== null) q = q.where('scope', '=', scope);
  return q;
}

/** `{ name: total }` of a subquery's rows, as one JSON value. */
const totalsObject = (rows: { compile(): unknown }, key: string) =>
  sql<Record<string, number>>`(select coalesce(json_object_agg(t.${sql.ref(key)}, t.total), '{}'::json) from (${rows}) as t)`;

/**
 * The dashboard's figures in one statement: the bag counters of `scope` (every area when null),
 * the bill counters (kept in the no-area scope; within the bag totals when `scope` is null) and
 * the scans per day since `fromDay`.
 */
const dashboardQuery = (db: Executor, scope: string | null, billScope: string | null, fromDay: string) =>
  db.selectNoFrom([
    totalsObject(countersOf(db, scope), 'name').as('bags'),
    (billScope === null ? sql<Record<string, number> | null>`null` : totalsObject(countersOf(db, billScope), 'name')).as('bills'),
    totalsObject(dailyScansOf(db, scope, fromDay), 'day').as('daily'),
  ]);
// Two shapes: every area (bills are in the bag totals), or one area with the bills' own scope.
const dashboardOfAll = precompiled(1, (db, fromDay: string) => dashboardQuery(db, null, null, fromDay));
const dashboardOfArea = precompiled(3, (db, scope: string, billScope: string, fromDay: string) => dashboardQuery(db, scope, billScope, fromDay));

export async function readDashboardCounts(db: Executor, scope: string | null, fromDay: string) {
  const [row] = scope === null ? await dashboardOfAll(db, fromDay) : await dashboardOfArea(db, scope, NO_AREA_SCOPE, fromDay);
  const numbers = (o: Record<string, number> | null | undefined) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, Number(v)]));
  return { bags: numbers(row?.bags), bills: row?.bills ? numbers(row.bills) : null, daily: new Map(Object.entries(numbers(row?.daily))) };
}
