import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { purgeExpiredAudit } from '../../server/src/modules/audit/retention';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('purges audit rows older than 90 days but keeps permanent ones and recent ones', async () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const day = 86_400_000;
  const rows = [
    { action: 'bag.link', at: new Date(now.getTime() - 91 * day), perm: false },
    { action: 'bag.delete', at: new Date(now.getTime() - 400 * day), perm: true },
    { action: 'user.role_change', at: new Date(now.getTime() - 91 * day), perm: true },
    { action: 'bill.complete', at: new Date(now.getTime() - 89 * day), perm: false },
  ];
  for (const r of rows) {
    await sql`insert into audit_log (action, entity_type, at, is_permanent) values (${r.action}, 'test', ${r.at}, ${r.perm})`.execute(t.deps.db);
  }
  expect(await purgeExpiredAudit(t.deps.db, now)).toBe(1);
  const left = await sql<{ action: string }>`select action from audit_log where entity_type = 'test' order by action`.execute(t.deps.db);
  expect(left.rows.map((r) => r.action)).toEqual(['bag.delete', 'bill.complete', 'user.role_change']);
});
