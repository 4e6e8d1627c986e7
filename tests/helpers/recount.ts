import type { Db } from '@tracetrack/db';
import { sql } from 'kysely';

/**
 * Dashboard counters next to a recount from the tables, both as { "name|scope": n } with zeros
 * dropped; tests assert they are equal. Also checks each parent's child_count against its links.
 */
export async function countersAndRecount(db: Db) {
  const counters = await sql<{ key: string; n: number }>`
    select name || '|' || scope as key, sum(value)::int as n from counters group by name, scope having sum(value) <> 0`.execute(db);
  const recount = await sql<{ key: string; n: number }>`
    select 'parents|' || coalesce(area, '-') as key, count(*)::int as n from bags where type = 'parent' group by area
    union all select 'children|' || coalesce(area, '-'), count(*)::int from bags where type = 'child' group by area
    union all select 'parents_full|' || coalesce(area, '-'), count(*)::int from bags where type = 'parent' and child_count = capacity group by area
    union all select 'linked_children|' || coalesce(p.area, '-'), count(*)::int from links l join bags p on p.id = l.parent_id group by p.area
    union all select 'billed_parents|' || coalesce(p.area, '-'), count(*)::int from bill_parents bp join bags p on p.id = bp.parent_id group by p.area
    union all select 'bills_' || status || '|-', count(*)::int from bills group by status`.execute(db);
  const mismatched = await sql<{ code: string }>`
    select p.code from bags p left join links l on l.parent_id = p.id
    where p.type = 'parent' group by p.id having p.child_count <> count(l.child_id)`.execute(db);
  const toMap = (rows: { key: string; n: number }[]): Record<string, number> =>
    Object.fromEntries(rows.filter((r) => r.n !== 0).sort((a, b) => a.key.localeCompare(b.key)).map((r) => [r.key, r.n] as const));
  return { counters: toMap(counters.rows), recount: toMap(recount.rows), parentsWithWrongCount: mismatched.rows.map((r) => r.code) };
}
