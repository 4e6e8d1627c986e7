import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { localDateTime } from '../../server/src/modules/exports/local-time';
import { createUser } from '../factories/users';
import { parseCsv, parseXlsx } from '../helpers/exports';
import { sessionCookieFor } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * 200,000 bags exported as CSV and XLSX parse back, with the same libraries a reader would use,
 * to exactly the rows the database holds (read here with plain SQL, not the export's queries).
 * Time to first byte and memory are measured by the bench (tests/bench), not here.
 */
const BAGS = 200_000;
let t: TestApp;
let cookie: string;
let expected: string[][];

beforeAll(async () => {
  t = await createTestApp();
  const admin = await createUser(t.deps.db, { role: 'admin' });
  const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'indore' });
  // 8,000 parents (SB and M444), then 192,000 children: most linked (30 or 15 to a parent), every
  // 16th loose; 200 parents on 20 bills. Straight SQL: this is data for the export to read back.
  // One transaction without the pool's statement timeout (the trigram index makes bulk inserts slow).
  await t.deps.db.transaction().execute(async (tx) => {
    await sql`set local statement_timeout = 0`.execute(tx);
    await sql`
      insert into bags (code, type, format, capacity, area, created_by, created_at)
      select case when g % 8 = 0 then 'M444-' || lpad(g::text, 5, '0') else 'SB' || lpad(g::text, 5, '0') end, 'parent',
             case when g % 8 = 0 then 'M444' else 'SB' end, case when g % 8 = 0 then 15 else 30 end,
             (array['lucknow','indore','jaipur','hisar'])[1 + g % 4], case when g % 3 = 0 then ${dispatcher.id}::bigint end,
             timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
      from generate_series(1, 8000) g`.execute(tx);
    await sql`
      insert into bags (code, type, area, created_by, created_at)
      select 'C' || lpad(g::text, 7, '0'), 'child', (array['lucknow','indore','jaipur','hisar'])[1 + g % 4],
             case when g % 5 = 0 then ${admin.id}::bigint end, timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second'
      from generate_series(1, ${BAGS - 8000}::int) g`.execute(tx);
    await sql`
      with children as (
        select id, row_number() over (order by id) as n from bags where type = 'child' and (substr(code, 2)::int % 16) <> 0
      ), parents as (
        select id, capacity, sum(capacity) over (order by id) - capacity as before from bags where type = 'parent'
      ), slots as (
        select p.id as parent_id, s as n from parents p, generate_series(p.before + 1, p.before + p.capacity) s
      )
      insert into links (child_id, parent_id)
      select c.id, s.parent_id from slots s join children c on c.n = s.n`.execute(tx);
    await sql`update bags b set child_count = k.n from (select parent_id, count(*)::int as n from links group by parent_id) k where k.parent_id = b.id`.execute(tx);
    await sql`insert into bills (bill_number, capacity, status, parent_count) select 'BIG-' || g, 10, 'loading', 10 from generate_series(1, 20) g`.execute(tx);
    await sql`
      insert into bill_parents (parent_id, bill_id)
      select p.id, bl.id from (select id, row_number() over (order by id) - 1 as n from bags where type = 'parent' order by id limit 200) p
      join bills bl on bl.bill_number = 'BIG-' || (p.n / 10 + 1)`.execute(tx);
  });
  cookie = await sessionCookieFor(t.deps, admin.id);
  const rows = await sql<{ code: string; type: string; format: string | null; area: string | null; child_count: number; parent_code: string | null; bill_number: string | null; username: string | null; created_at: Date }>`
    select b.code, b.type::text, b.format, b.area, b.child_count, p.code as parent_code, bl.bill_number, u.username, b.created_at
    from bags b
    left join links l on l.child_id = b.id left join bags p on p.id = l.parent_id
    left join bill_parents bp on bp.parent_id = b.id left join bills bl on bl.id = bp.bill_id
    left join users u on u.id = b.created_by
    order by b.id desc`.execute(t.deps.db);
  expected = rows.rows.map((r) => [
    r.code, r.type, r.format ?? '', r.area ?? '', r.type === 'parent' ? String(r.child_count) : '', r.parent_code ?? '', r.bill_number ?? '', r.username ?? '',
    localDateTime(r.created_at, 'Asia/Kolkata')!,
  ]);
}, 180_000);
afterAll(() => t.close());

const pick = (header: readonly unknown[], row: readonly unknown[]) => {
  const at = (name: string) => row[header.indexOf(name)];
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [at('Code'), at('Type'), at('Format'), at('Area'), at('Children'), at('Parent'), at('Bill'), at('Registered by'), at('Registered (Asia/Kolkata)')].map(text);
};

describe(`exporting ${BAGS.toLocaleString('en')} bags`, () => {
  it('as CSV parses back to every bag, newest first', async () => {
    const res = await createApp(t.deps).request('/api/exports/bags.csv', { headers: { cookie } });
    expect(res.status).toBe(200);
    const records = await parseCsv(res.body!);
    const header = records[0]!;
    expect(records.length - 1).toBe(BAGS);
    expect(records.slice(1).map((r) => pick(header, r))).toEqual(expected);
  }, 300_000);

  it('as XLSX parses back to every bag, newest first, with no formula cells', async () => {
    const res = await createApp(t.deps).request('/api/exports/bags.xlsx', { headers: { cookie } });
    expect(res.status).toBe(200);
    const [sheet] = await parseXlsx(res.body!);
    expect(sheet!.formulas).toBe(0);
    const header = sheet!.rows[0]!;
    expect(sheet!.rows.length - 1).toBe(BAGS);
    expect(sheet!.rows.slice(1).map((r) => pick(header, r))).toEqual(expected);
  }, 300_000);
});
