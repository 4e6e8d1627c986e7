import { randomUUID } from 'node:crypto';
import type { AuditLogEntry } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAudit } from '../../server/src/modules/audit/queries';
import { createContextInner } from '../../server/src/trpc/context';
import { mutationQueue } from '../factories/mutations';
import { createStaff, createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { type Caller, createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let admin: Caller;
/** The database's clock between the first and the second round of writes. */
let midway: string;
let deviceId: string;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
  admin = t.as(staff.admin);
  const caller = (ip: string) => createCaller(createContextInner({ deps: t.deps, meta: { ip, requestId: `req-${ip}` } }));
  // First round: sign-ins (one failed), a user, a parent and a bill.
  await caller('203.0.113.0').auth.login({ username: staff.biller.username, password: TEST_PASSWORD });
  await caller('203.0.113.0').auth.login({ username: staff.biller.username, password: 'Wrong!Passw0rd' }).catch(() => null);
  await admin.user.create({ username: 'audited_one', email: 'audited@example.test', password: 'Str0ng!Passw0rd', role: 'biller' });
  await t.as(staff.biller).bag.scanParent({ code: 'SB70001' });
  await t.as(staff.biller).bill.create({ billNumber: 'AUD-1', capacity: 2 });
  midway = (await sql<{ now: string }>`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`.execute(t.deps.db)).rows[0]!.now;
  // Second round: a synced link (device and seq), the bill loaded, a deleted bag.
  const d = t.as(staff.dispatcher);
  deviceId = randomUUID();
  await d.device.register({ deviceId });
  const queue = mutationQueue();
  await d.sync.push({ deviceId, mutations: [queue.next('parent.scan', { code: 'SB70002' }), queue.next('child.link', { parentCode: 'SB70002', childCode: 'AUDCHILD1' })] });
  await admin.bill.addParent({ billNumber: 'AUD-1', parentCode: 'SB70001' });
  await admin.bag.scanParent({ code: 'SB70003' });
  await admin.bag.delete({ code: 'SB70003' });
});
afterAll(() => t.close());

async function everything(filters: Parameters<Caller['audit']['list']>[0]['filters'], limit = 200): Promise<AuditLogEntry[]> {
  const out: AuditLogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.audit.list({ filters, limit, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
const stored = async () =>
  (await sql<{ id: number }>`select id::int from audit_log order by at desc, id desc`.execute(t.deps.db)).rows.map((r) => r.id);

describe('audit.list', () => {
  it('lists every row newest first, the same whether read in pages of 3 or at once', async () => {
    const all = await everything({});
    expect(all.map((r) => r.id)).toEqual(await stored());
    expect((await everything({}, 3)).map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(all.length).toBeGreaterThan(10);
  });

  it('filters by actor username, case-insensitively; an unknown actor has no rows', async () => {
    const rows = await everything({ actor: staff.biller.username.toUpperCase() });
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([staff.biller.username]));
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.login', 'bag.register_parent', 'bill.create']));
    expect(await everything({ actor: 'nobody_at_all' })).toEqual([]);
  });

  it('filters by exact action and by action group', async () => {
    const failed = await everything({ action: 'auth.login_failed' });
    expect(failed.map((r) => r.action)).toEqual(['auth.login_failed']);
    expect(failed[0]).toMatchObject({ actor: null, entityType: 'user', entityId: String(staff.biller.id), entityLabel: staff.biller.username, ip: '203.0.113.0', requestId: 'req-203.0.113.0' });
    const auth = await everything({ action: 'auth.' });
    expect(new Set(auth.map((r) => r.action))).toEqual(new Set(['auth.login', 'auth.login_failed']));
    const bags = await everything({ action: 'bag.' });
    expect(new Set(bags.map((r) => r.action))).toEqual(new Set(['bag.register_parent', 'bag.link', 'bag.delete']));
    expect(await everything({ action: 'bag.explode' })).toEqual([]);
  });

  it('filters by entity: a bag by its code as typed, a bill by number, a user by username, a deleted bag by id', async () => {
    const bag = await everything({ entityType: 'bag', entityKey: ' sb70001 ' });
    expect(bag.map((r) => [r.action, r.entityLabel])).toEqual([['bag.register_parent', 'SB70001']]);
    const bill = await everything({ entityType: 'bill', entityKey: 'aud-1' });
    expect(bill.map((r) => r.action)).toEqual(['bill.add_parent', 'bill.create']);
    expect(bill.every((r) => r.entityLabel === 'AUD-1')).toBe(true);
    expect(bill[0]).toMatchObject({ before: expect.objectContaining({ parentCount: 0 }), after: expect.objectContaining({ addedParent: 'SB70001' }) });
    const user = await everything({ entityType: 'user', entityKey: 'AUDITED_ONE' });
    expect(user.map((r) => r.action)).toEqual(['user.create']);
    expect(user[0]?.after).toMatchObject({ username: 'audited_one', email: 'a***@example.test' });

    const [deleted] = await everything({ action: 'bag.delete' });
    expect(deleted).toMatchObject({ entityType: 'bag', entityLabel: 'SB70003' });
    const history = await everything({ entityType: 'bag', entityId: deleted!.entityId! });
    expect(history.map((r) => r.action)).toEqual(['bag.delete', 'bag.register_parent']);
    expect(await everything({ entityType: 'bag', entityKey: 'SB70003' })).toEqual([]);
  });

  it('filters by time range: from is inclusive, to exclusive, and combines with other filters', async () => {
    const all = await everything({});
    const later = await everything({ from: midway });
    const earlier = await everything({ to: midway });
    expect([...later, ...earlier].map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(later.map((r) => r.action)).toContain('bag.link');
    expect(earlier.map((r) => r.action)).not.toContain('bag.link');
    expect(later.every((r) => r.at >= midway.slice(0, 23))).toBe(true);
    expect((await everything({ entityType: 'bill', entityKey: 'AUD-1', from: midway })).map((r) => r.action)).toEqual(['bill.add_parent']);
    expect((await everything({ entityType: 'bill', entityKey: 'AUD-1', to: midway })).map((r) => r.action)).toEqual(['bill.create']);
  });

  it('shows the device and seq of a synced scan', async () => {
    const [link] = await everything({ action: 'bag.link' });
    expect(link).toMatchObject({ actor: staff.dispatcher.username, deviceId, seq: 2, entityLabel: 'AUDCHILD1', after: { parent: 'SB70002', childCode: 'AUDCHILD1' } });
  });

  it('never shows a secret, even one a writer slipped into a snapshot', async () => {
    await insertAudit(t.deps.db, { actor: staff.admin, meta: { requestId: 'slip', ip: null } }, {
      action: 'user.update', entityType: 'user', entityId: staff.biller.id,
      before: { passwordHash: 'scrypt$x', role: 'biller' },
      after: { password: 'Hunter2!Hunter2', passwordChanged: true, totpSecret: 'JBSWY3DP', nested: [{ resetToken: 'abc', kept: 1 }], recoveryCodesLeft: 9 },
    });
    const [row] = await everything({ entityType: 'user', entityId: String(staff.biller.id), action: 'user.update' });
    expect(row?.before).toEqual({ role: 'biller' });
    expect(row?.after).toEqual({ passwordChanged: true, nested: [{ kept: 1 }], recoveryCodesLeft: 9 });
  });

  it('refuses filters that make no sense and cursors it did not make', async () => {
    expect(await refusal(admin.audit.list({ filters: { entityKey: 'SB70001' } }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.audit.list({ filters: { action: 'auth' } }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.audit.list({ filters: { action: "auth.'; drop" } }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.audit.list({ filters: { from: 'yesterday' } }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.audit.list({ cursor: Buffer.from('a:1:x').toString('base64url') }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(t.as(staff.biller).audit.list({}))).toMatchObject({ appCode: 'FORBIDDEN' });
  });

  it('every filter at once still answers', async () => {
    const other = await createUser(t.deps.db, { role: 'biller' });
    await t.as(other).bill.create({ billNumber: 'AUD-2', capacity: 1 });
    const rows = await everything({ actor: other.username, action: 'bill.', entityType: 'bill', entityKey: 'AUD-2', from: midway, to: '2999-01-01T00:00:00Z' });
    expect(rows.map((r) => r.action)).toEqual(['bill.create']);
  });
});
