import type pg from 'pg';
import type { SeedPlan } from './plan';

const NO_AREA = '-';

/** The dashboard counters the plan implies, with the same names and scopes the server keeps. */
export function countersOf(plan: SeedPlan): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (name: string, scope: string, n: number) => {
    if (n !== 0) totals.set(`${name}|${scope}`, (totals.get(`${name}|${scope}`) ?? 0) + n);
  };
  for (const p of plan.parents) {
    add('parents', p.area, 1);
    if (p.children === p.capacity) add('parents_full', p.area, 1);
    add('children', p.area, p.children + p.unlinked);
    add('linked_children', p.area, p.children);
    if (p.billIndex !== null) add('billed_parents', p.area, 1);
  }
  for (const b of plan.bills) add(`bills_${b.status}`, NO_AREA, 1);
  return totals;
}

/** Calendar day of a moment in the server's chart time zone, cached per quarter hour. */
export function dayInZone(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, string>();
  return (ms) => {
    const bucket = Math.floor(ms / 900_000);
    let day = cache.get(bucket);
    if (day === undefined) {
      day = format.format(new Date(bucket * 900_000));
      cache.set(bucket, day);
    }
    return day;
  };
}

/** Adds to whatever is there (shard 0), so existing counter rows stay consistent. */
export async function writeCounters(client: pg.Client, counters: Map<string, number>, daily: Map<string, number>): Promise<void> {
  const split = (m: Map<string, number>) => [...m].map(([k, n]) => [...k.split('|'), n] as const);
  const c = split(counters);
  await client.query(
    `insert into counters (name, scope, shard, value)
     select name, scope, 0, value from unnest($1::text[], $2::text[], $3::bigint[]) as v(name, scope, value)
     on conflict (name, scope, shard) do update set value = counters.value + excluded.value`,
    [c.map((r) => r[0]), c.map((r) => r[1]), c.map((r) => r[2])],
  );
  const d = split(daily);
  await client.query(
    `insert into daily_counters (day, name, scope, shard, value)
     select day::date, 'scans', scope, 0, value from unnest($1::text[], $2::text[], $3::bigint[]) as v(day, scope, value)
     on conflict (day, name, scope, shard) do update set value = daily_counters.value + excluded.value`,
    [d.map((r) => r[0]), d.map((r) => r[1]), d.map((r) => r[2])],
  );
}
