import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../factories/users';
import { countersAndRecount } from '../helpers/recount';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/trpc/context';

let t: TestApp;
let scanners: Actor[];
beforeAll(async () => {
  t = await createTestApp();
  // Several dispatchers in two areas, each call on its own pooled connection.
  scanners = [];
  for (let i = 0; i < 8; i++) scanners.push(await createUser(t.deps.db, { role: 'dispatcher', area: i % 2 ? 'indore' : 'lucknow' }));
});
afterAll(() => t.close());

const settle = <T>(calls: Promise<T>[]) => Promise.allSettled(calls);
const appCodeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' ? ((r.reason as { cause?: { code?: string } }).cause?.code ?? 'unknown') : 'ok';

describe('concurrent scanners', () => {
  it('40 simultaneous links into one SB parent leave exactly 30', async () => {
    await t.as(scanners[0]!).bag.scanParent({ code: 'SB50001' });
    const results = await settle(
      Array.from({ length: 40 }, (_, i) => t.as(scanners[i % scanners.length]!).bag.linkChild({ parentCode: 'SB50001', childCode: `CC50001${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    expect(results.filter((r) => appCodeOf(r) === 'PARENT_FULL')).toHaveLength(10);
    const row = await sql<{ links: number; count: number }>`
      select (select count(*)::int from links l join bags p on p.id = l.parent_id where p.code = 'SB50001') as links,
             (select child_count from bags where code = 'SB50001') as count`.execute(t.deps.db);
    expect(row.rows[0]).toEqual({ links: 30, count: 30 });
  });

  it('one child linked into two parents at once lands in exactly one', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = [`SB5010${round}`, `SB5020${round}`];
      await t.as(scanners[0]!).bag.scanParent({ code: a });
      await t.as(scanners[1]!).bag.scanParent({ code: b });
      const child = `DUP5000${round}`;
      const results = await settle([
        t.as(scanners[2]!).bag.linkChild({ parentCode: a, childCode: child }),
        t.as(scanners[3]!).bag.linkChild({ parentCode: b, childCode: child }),
      ]);
      expect(results.map(appCodeOf).sort()).toEqual(['CHILD_IN_OTHER_PARENT', 'ok']);
      const links = await sql<{ n: number }>`select count(*)::int as n from links l join bags c on c.id = l.child_id where c.code = ${child}`.execute(t.deps.db);
      expect(links.rows[0]?.n).toBe(1);
    }
  });

  it('the same new parent registered by many scanners at once exists once', async () => {
    const results = await settle(scanners.map((s) => t.as(s).bag.scanParent({ code: 'M444-50001' })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'x'));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
  });

  it('mixed concurrent links and unlinks keep counters equal to a recount', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    for (let p = 0; p < 4; p++) await t.as(scanners[p]!).bag.scanParent({ code: `M444-5100${p}` });
    // 60 links over 4 M444 parents (capacity 15 each = 60), with overlapping child codes.
    await settle(
      Array.from({ length: 80 }, (_, i) =>
        t.as(scanners[i % scanners.length]!).bag.linkChild({ parentCode: `M444-5100${i % 4}`, childCode: `MX${i % 50}` }),
      ),
    );
    await settle(Array.from({ length: 20 }, (_, i) => t.as(admin).bag.unlinkChild({ childCode: `MX${i}` })));
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(parentsWithWrongCount).toEqual([]);
    expect(counters).toEqual(recount);
    const over = await sql<{ n: number }>`select count(*)::int as n from bags where child_count > capacity`.execute(t.deps.db);
    expect(over.rows[0]?.n).toBe(0);
  });
});
