import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionFor } from '../helpers/http';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

const admin = () => t.as(staff.admin);
const roleOf = async (id: number) =>
  t.deps.db.selectFrom('users').select(['role', 'area']).where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (entityType: string, id: number) =>
  t.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after', 'is_permanent'])
    .where('entity_type', '=', entityType).where('entity_id', '=', String(id)).orderBy('id').execute();
const pendingCount = async () =>
  Number((await sql<{ n: number }>`select count(*)::int as n from promotion_requests where status = 'pending'`.execute(t.deps.db)).rows[0]?.n);

describe('asking for a role', () => {
  it('records one pending request with the reason, shows it to the requester, and audits it', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await t.as(biller).promotion.request({ role: 'admin', reason: '  Covering for the shift lead  ' });
    expect(request).toMatchObject({
      userId: biller.id, username: biller.username, currentRole: 'biller', currentArea: null, role: 'admin', area: null,
      reason: 'Covering for the shift lead', status: 'pending', decidedAt: null, decidedBy: null,
    });
    expect(await t.as(biller).promotion.mine()).toEqual(request);
    expect(await auditOf('promotion', request.id)).toEqual([
      expect.objectContaining({ action: 'promotion.request', actor_id: biller.id, after: expect.objectContaining({ fromRole: 'biller', role: 'admin' }) }),
    ]);
  });

  it('refuses a second request while one waits, even two sent at once', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const before = await pendingCount();
    const both = await Promise.allSettled([
      t.as(biller).promotion.request({ role: 'admin', reason: 'one' }),
      t.as(biller).promotion.request({ role: 'admin', reason: 'two' }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await pendingCount()).toBe(before + 1);
    const again = await refusal(t.as(biller).promotion.request({ role: 'dispatcher', reason: 'three', area: 'hisar' }));
    expect(again).toMatchObject({ code: 'CONFLICT', appCode: 'PROMOTION_PENDING' });
    expect(again.message).toBe('You already asked to become an admin; wait until an admin decides.');
    expect(await pendingCount()).toBe(before + 1);
  });

  it('refuses the role the user already has, an area with a role that has none, an unknown area and an empty reason', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const d = t.as(dispatcher);
    expect(await refusal(d.promotion.request({ role: 'dispatcher', reason: 'x', area: 'hisar' }))).toMatchObject({ appCode: 'PROMOTION_SAME_ROLE', message: 'You are already a dispatcher.' });
    expect(await refusal(d.promotion.request({ role: 'biller', reason: 'x', area: 'hisar' }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'AREA_NOT_ALLOWED' });
    const biller = await createUser(t.deps.db, { role: 'biller' });
    expect(await refusal(t.as(biller).promotion.request({ role: 'dispatcher', reason: 'x', area: 'nowhere' }))).toMatchObject({ appCode: 'AREA_NOT_FOUND' });
    expect(await refusal(d.promotion.request({ role: 'biller', reason: '   ' }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    expect(await t.as(dispatcher).promotion.mine()).toBeNull();
    expect(await t.as(biller).promotion.mine()).toBeNull();
  });
});

describe('deciding', () => {
  const ask = async (user: Actor, role: 'admin' | 'biller' | 'dispatcher', area?: string) =>
    t.as(user).promotion.request({ role, reason: `please make me ${role}`, ...(area ? { area } : {}) });

  it('approving changes the role with the user rules, ends the user\'s sessions, and audits both for good', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const token = await sessionFor(t.deps, biller.id);
    const request = await ask(biller, 'admin');
    const decided = await admin().promotion.decide({ id: request.id, approve: true });
    expect(decided).toMatchObject({ status: 'approved', decidedBy: staff.admin.username, currentRole: 'admin', decidedAt: expect.any(String) });
    expect(await roleOf(biller.id)).toEqual({ role: 'admin', area: null });
    expect(await t.deps.sessions.touch(token)).toBeNull();
    expect(await auditOf('promotion', request.id)).toEqual([
      expect.objectContaining({ action: 'promotion.request' }),
      expect.objectContaining({ action: 'promotion.approve', actor_id: staff.admin.id, is_permanent: true, after: expect.objectContaining({ status: 'approved', role: 'admin' }) }),
    ]);
    expect(await auditOf('user', biller.id)).toEqual([
      expect.objectContaining({ action: 'user.update', is_permanent: true, before: expect.objectContaining({ role: 'biller' }), after: expect.objectContaining({ role: 'admin' }) }),
    ]);
    expect(await t.as({ ...biller, role: 'admin' }).promotion.mine()).toMatchObject({ id: request.id, status: 'approved' });
  });

  it('a decided request cannot be decided again', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await ask(biller, 'admin');
    await admin().promotion.decide({ id: request.id, approve: false });
    const again = await refusal(admin().promotion.decide({ id: request.id, approve: true }));
    expect(again).toMatchObject({ code: 'CONFLICT', appCode: 'PROMOTION_DECIDED', message: `This request was already declined by ${staff.admin.username}.` });
    expect(await roleOf(biller.id)).toEqual({ role: 'biller', area: null });
    expect(await refusal(admin().promotion.decide({ id: 987_654, approve: true }))).toMatchObject({ code: 'NOT_FOUND', appCode: 'PROMOTION_NOT_FOUND' });
  });

  it('declining keeps the role, is audited, and the requester sees it; then they may ask again', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'akola' });
    const token = await sessionFor(t.deps, dispatcher.id);
    const request = await ask(dispatcher, 'biller');
    expect(await refusal(admin().promotion.decide({ id: request.id, approve: false, area: 'hisar' }))).toMatchObject({ appCode: 'VALIDATION' });
    const declined = await admin().promotion.decide({ id: request.id, approve: false });
    expect(declined).toMatchObject({ status: 'declined', decidedBy: staff.admin.username, currentRole: 'dispatcher', currentArea: 'akola' });
    expect(await roleOf(dispatcher.id)).toEqual({ role: 'dispatcher', area: 'akola' });
    expect(await t.deps.sessions.touch(token)).not.toBeNull();
    expect((await auditOf('promotion', request.id)).map((r) => [r.action, r.is_permanent])).toEqual([['promotion.request', false], ['promotion.decline', true]]);
    expect(await t.as(dispatcher).promotion.mine()).toMatchObject({ id: request.id, status: 'declined' });
    expect(await ask(dispatcher, 'biller')).toMatchObject({ status: 'pending' });
  });

  it('a dispatcher role needs an area: refused without one (the request stays pending), approved with the admin\'s choice', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await ask(biller, 'dispatcher');
    expect(await refusal(admin().promotion.decide({ id: request.id, approve: true }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'AREA_REQUIRED' });
    expect(await t.as(biller).promotion.mine()).toMatchObject({ status: 'pending' });
    expect(await roleOf(biller.id)).toEqual({ role: 'biller', area: null });
    expect(await admin().promotion.decide({ id: request.id, approve: true, area: 'ranchi' })).toMatchObject({ status: 'approved', currentRole: 'dispatcher', currentArea: 'ranchi' });
    expect(await roleOf(biller.id)).toEqual({ role: 'dispatcher', area: 'ranchi' });
  });

  it('approving into a full area is refused AREA_FULL and leaves the request pending', async () => {
    for (let i = 0; i < 10; i++) await createUser(t.deps.db, { role: 'dispatcher', area: 'sangaria' });
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await ask(biller, 'dispatcher', 'sangaria');
    expect(request.area).toBe('sangaria');
    expect(await refusal(admin().promotion.decide({ id: request.id, approve: true }))).toMatchObject({ appCode: 'AREA_FULL' });
    expect(await t.as(biller).promotion.mine()).toMatchObject({ status: 'pending' });
    expect(await roleOf(biller.id)).toEqual({ role: 'biller', area: null });
    expect((await auditOf('promotion', request.id)).map((r) => r.action)).toEqual(['promotion.request']);
  });

  it('nobody approves a change of their own role, and a role the user already got is not approved again', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await ask(biller, 'dispatcher', 'hisar');
    await admin().user.update({ id: biller.id, role: 'admin' });
    const promoted = { ...biller, role: 'admin' as const };
    expect(await refusal(t.as(promoted).promotion.decide({ id: request.id, approve: true }))).toMatchObject({ code: 'FORBIDDEN', appCode: 'OWN_ROLE' });
    expect(await roleOf(biller.id)).toEqual({ role: 'admin', area: null });

    const other = await createUser(t.deps.db, { role: 'biller' });
    const second = await ask(other, 'admin');
    await admin().user.update({ id: other.id, role: 'admin' });
    expect(await refusal(admin().promotion.decide({ id: second.id, approve: true }))).toMatchObject({ appCode: 'PROMOTION_SAME_ROLE' });
    expect(await admin().promotion.decide({ id: second.id, approve: false })).toMatchObject({ status: 'declined' });
  });

  it('two admins deciding at once: one decision wins, the other is told it was decided', async () => {
    const otherAdmin = await createUser(t.deps.db, { role: 'admin' });
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const request = await ask(biller, 'admin');
    const both = await Promise.allSettled([
      admin().promotion.decide({ id: request.id, approve: true }),
      t.as(otherAdmin).promotion.decide({ id: request.id, approve: false }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((await refusal(Promise.reject(lost.reason))).appCode).toBe('PROMOTION_DECIDED');
    const final = await t.as(biller).promotion.mine();
    expect((await roleOf(biller.id)).role).toBe(final?.status === 'approved' ? 'admin' : 'biller');
  });
});

describe('the admins\' list', () => {
  it('lists pending requests first, newest first, then decided ones, a page at a time; filters by status', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => createUser(t.deps.db, { role: 'biller' })));
    const made = [];
    for (const u of users) made.push(await t.as(u).promotion.request({ role: 'admin', reason: `r${u.id}` }));
    await admin().promotion.decide({ id: made[1]!.id, approve: false });

    const all = [];
    let cursor: string | undefined;
    do {
      const page = await admin().promotion.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const statuses = all.map((p) => p.status);
    const firstDecided = statuses.findIndex((s) => s !== 'pending');
    expect(statuses.slice(firstDecided).every((s) => s !== 'pending')).toBe(true);
    const pendingIds = all.filter((p) => p.status === 'pending').map((p) => p.id);
    expect(pendingIds).toEqual([...pendingIds].sort((a, b) => b - a));
    const decidedIds = all.filter((p) => p.status !== 'pending').map((p) => p.id);
    expect(decidedIds).toEqual([...decidedIds].sort((a, b) => b - a));
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const id of [made[0]!.id, made[2]!.id, made[3]!.id]) expect(pendingIds).toContain(id);
    expect(decidedIds).toContain(made[1]!.id);
    expect(all).toHaveLength(Number((await sql<{ n: number }>`select count(*)::int as n from promotion_requests`.execute(t.deps.db)).rows[0]?.n));

    const declined = await admin().promotion.list({ status: 'declined' });
    expect(declined.items.every((p) => p.status === 'declined')).toBe(true);
    expect(declined.items.map((p) => p.id)).toContain(made[1]!.id);
    expect(await refusal(admin().promotion.list({ cursor: 'bm9wZQ' }))).toMatchObject({ appCode: 'VALIDATION' });
  });
});
