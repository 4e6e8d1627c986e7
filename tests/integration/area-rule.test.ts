import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { applyPulled, hasAll, lastOf, pullUntil } from '../helpers/pull';
import { countersAndRecount } from '../helpers/recount';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: Actor;
let biller: Actor;
let lucknow: Actor;
let indore: Actor;
let ganganagar: Actor;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t.deps.db, { role: 'admin' });
  biller = await createUser(t.deps.db, { role: 'biller' });
  lucknow = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
  indore = await createUser(t.deps.db, { role: 'dispatcher', area: 'indore' });
  ganganagar = await createUser(t.deps.db, { role: 'dispatcher', area: 'sri_ganganagar' });
});
afterAll(() => t.close());

const bagRow = (code: string) => t.deps.db.selectFrom('bags').select(['id', 'area', 'child_count']).where('code', '=', code).executeTakeFirst();
const linkOf = async (child: string) =>
  (await sql<{ parent: string }>`select p.code as parent from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id where c.code = ${child}`.execute(t.deps.db)).rows[0]?.parent ?? null;
async function expectCountersRight() {
  const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
  expect(parentsWithWrongCount).toEqual([]);
  expect(counters).toEqual(recount);
}
const pullAs = (actor: Actor) => (cursor?: string) => t.as(actor).sync.pull({ cursor, limit: 50 });

describe("a dispatcher's scans into another area's parent (finding 3)", () => {
  it('refuses a link into another area\'s parent, even one on a bill, naming the area; nothing changes', async () => {
    await t.as(indore).bag.scanParent({ code: 'SB81001' });
    await t.as(indore).bag.linkChild({ parentCode: 'SB81001', childCode: 'AREAC001' });
    await t.as(biller).bill.create({ billNumber: 'AREA-1', capacity: 2 });
    await t.as(biller).bill.addParent({ billNumber: 'AREA-1', parentCode: 'SB81001' });

    const refused = await refusal(t.as(lucknow).bag.linkChild({ parentCode: 'SB81001', childCode: 'AREAC002' }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', appCode: 'PARENT_IN_OTHER_AREA' });
    expect(refused.message).toBe('SB81001 belongs to Indore; dispatchers link and unlink only in parents of their own area (Lucknow).');
    expect(refused.details).toMatchObject({ area: 'indore', areaName: 'Indore' });
    expect(await bagRow('AREAC002')).toBeUndefined();
    expect(await bagRow('SB81001')).toMatchObject({ area: 'indore', child_count: 1 });

    // A child of the dispatcher's own area is not pulled into the other area either.
    await t.as(lucknow).bag.scanParent({ code: 'SB81002' });
    await t.as(lucknow).bag.linkChild({ parentCode: 'SB81002', childCode: 'AREAC003' });
    await t.as(lucknow).bag.unlinkChild({ childCode: 'AREAC003' });
    expect((await refusal(t.as(lucknow).bag.linkChild({ parentCode: 'SB81001', childCode: 'AREAC003' }))).appCode).toBe('PARENT_IN_OTHER_AREA');
    expect(await bagRow('AREAC003')).toMatchObject({ area: 'lucknow' });
    await expectCountersRight();
  });

  it('names the area by its display name', async () => {
    await t.as(ganganagar).bag.scanParent({ code: 'SB81101' });
    const refused = await refusal(t.as(lucknow).bag.linkChild({ parentCode: 'SB81101', childCode: 'AREAC101' }));
    expect(refused.message).toContain('SB81101 belongs to Sri Ganganagar');
  });

  it('refuses an unlink from another area\'s parent', async () => {
    await t.as(indore).bag.scanParent({ code: 'SB81201' });
    await t.as(indore).bag.linkChild({ parentCode: 'SB81201', childCode: 'AREAC201' });
    expect(await refusal(t.as(lucknow).bag.unlinkChild({ childCode: 'AREAC201' }))).toMatchObject({ appCode: 'PARENT_IN_OTHER_AREA' });
    expect(await linkOf('AREAC201')).toBe('SB81201');
    expect(await t.as(indore).bag.unlinkChild({ childCode: 'AREAC201' })).toMatchObject({ outcome: 'applied' });
  });

  it('refuses it through sync too, as a stored outcome of that scan alone', async () => {
    await t.as(indore).bag.scanParent({ code: 'SB81301' });
    const deviceId = randomUUID();
    await t.as(lucknow).device.register({ deviceId });
    const queue = mutationQueue();
    const res = await t.as(lucknow).sync.push({
      deviceId,
      mutations: [
        queue.next('parent.scan', { code: 'SB81302' }),
        queue.next('child.link', { parentCode: 'SB81301', childCode: 'AREAC301' }),
        queue.next('child.link', { parentCode: 'SB81302', childCode: 'AREAC302' }),
      ],
    });
    expect(res.results.map((r) => r.code ?? r.status)).toEqual(['applied', 'PARENT_IN_OTHER_AREA', 'applied']);
    expect(res.results[1]?.message).toContain('SB81301 belongs to Indore');
    expect(await bagRow('AREAC301')).toBeUndefined();
    await expectCountersRight();
  });

  it('lets billers and admins scan into any area, and dispatchers into parents without one', async () => {
    await t.as(indore).bag.scanParent({ code: 'SB81401' });
    expect(await t.as(biller).bag.linkChild({ parentCode: 'SB81401', childCode: 'AREAC401' })).toMatchObject({ outcome: 'applied' });
    expect(await t.as(admin).bag.linkChild({ parentCode: 'SB81401', childCode: 'AREAC402' })).toMatchObject({ outcome: 'applied' });
    expect(await t.as(admin).bag.unlinkChild({ childCode: 'AREAC401' })).toMatchObject({ outcome: 'applied' });
    await t.as(biller).bag.scanParent({ code: 'SB81402' });
    expect((await bagRow('SB81402'))?.area).toBeNull();
    expect(await t.as(lucknow).bag.linkChild({ parentCode: 'SB81402', childCode: 'AREAC403' })).toMatchObject({ outcome: 'applied' });
    await expectCountersRight();
  });
});

describe('moving a parent to another area (bag.setArea)', () => {
  it('moves the parent and its children, keeps the counters right, audits it, and the area rule follows', async () => {
    await t.as(indore).bag.scanParent({ code: 'M444-81501' });
    for (let i = 1; i <= 15; i++) await t.as(indore).bag.linkChild({ parentCode: 'M444-81501', childCode: `AREAM${i}` });
    await t.as(biller).bill.create({ billNumber: 'AREA-2', capacity: 1 });
    await t.as(biller).bill.addParent({ billNumber: 'AREA-2', parentCode: 'M444-81501' });
    const before = await t.as(admin).stats.dashboard();

    const moved = await t.as(admin).bag.setArea({ code: 'm444-81501', area: 'lucknow' });
    expect(moved).toEqual({ outcome: 'applied', message: 'Moved M444-81501 and 15 children to Lucknow.', code: 'M444-81501', area: 'lucknow' });
    expect(await bagRow('M444-81501')).toMatchObject({ area: 'lucknow', child_count: 15 });
    const areas = await sql<{ area: string; n: number }>`select area, count(*)::int as n from bags where code like 'AREAM%' group by area`.execute(t.deps.db);
    expect(areas.rows).toEqual([{ area: 'lucknow', n: 15 }]);
    await expectCountersRight();
    const after = await t.as(admin).stats.dashboard();
    expect(after).toEqual(before);

    const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after']).where('action', '=', 'bag.set_area').execute();
    expect(audit).toEqual([{ action: 'bag.set_area', actor_id: admin.id, before: { code: 'M444-81501', area: 'indore' }, after: { code: 'M444-81501', area: 'lucknow', childrenMoved: 15 } }]);

    // The dispatchers' area rule and lists follow the move.
    expect((await refusal(t.as(indore).bag.unlinkChild({ childCode: 'AREAM1' }))).appCode).toBe('PARENT_IN_OTHER_AREA');
    const lucknowList = await t.as(lucknow).bag.list({ type: 'child', limit: 200 });
    expect(lucknowList.items.filter((b) => b.code.startsWith('AREAM'))).toHaveLength(15);
  });

  it('sends the move through the sync feeds: a removal to the old area, the parent with its children to the new one', async () => {
    await t.as(ganganagar).bag.scanParent({ code: 'SB81601' });
    await t.as(ganganagar).bag.linkChild({ parentCode: 'SB81601', childCode: 'AREAF1' });
    const old = await pullUntil(pullAs(ganganagar), undefined, (c) => hasAll(c, ['SB81601']));
    expect(lastOf(old.changes, 'SB81601')).toMatchObject({ isActive: true, area: 'sri_ganganagar' });
    const fresh = await pullUntil(pullAs(lucknow), undefined, () => true);

    await t.as(admin).bag.setArea({ code: 'SB81601', area: 'lucknow' });
    const gone = await pullUntil(pullAs(ganganagar), old.cursor, (c) => hasAll(c, ['SB81601']));
    expect(lastOf(gone.changes, 'SB81601')).toMatchObject({ isActive: false, isRemoved: true });
    expect(applyPulled(applyPulled(new Map(), old), gone).has('SB81601')).toBe(false);
    const arrived = await pullUntil(pullAs(lucknow), fresh.cursor, (c) => hasAll(c, ['SB81601']));
    expect(lastOf(arrived.changes, 'SB81601')).toMatchObject({ isActive: true, area: 'lucknow', children: ['AREAF1'] });
  });

  it('moves a parent with no area into one, and says when it is already there', async () => {
    await t.as(biller).bag.scanParent({ code: 'SB81701' });
    await t.as(biller).bag.linkChild({ parentCode: 'SB81701', childCode: 'AREAN1' });
    expect(await t.as(admin).bag.setArea({ code: 'SB81701', area: 'raipur' })).toMatchObject({ outcome: 'applied', message: 'Moved SB81701 and 1 child to Raipur.' });
    expect(await t.as(admin).bag.setArea({ code: 'SB81701', area: 'raipur' })).toEqual({ outcome: 'unchanged', message: 'SB81701 is already in Raipur.', code: 'SB81701', area: 'raipur' });
    expect(await bagRow('AREAN1')).toMatchObject({ area: 'raipur' });
    await expectCountersRight();
  });

  it('refuses a child, an unknown bag, an unknown area and anyone but an admin', async () => {
    await t.as(indore).bag.scanParent({ code: 'SB81801' });
    await t.as(indore).bag.linkChild({ parentCode: 'SB81801', childCode: 'AREAX1' });
    expect(await refusal(t.as(admin).bag.setArea({ code: 'AREAX1', area: 'lucknow' }))).toMatchObject({ appCode: 'WRONG_BAG_TYPE' });
    expect(await refusal(t.as(admin).bag.setArea({ code: 'SB89999', area: 'lucknow' }))).toMatchObject({ appCode: 'BAG_NOT_FOUND' });
    expect(await refusal(t.as(admin).bag.setArea({ code: 'SB81801', area: 'atlantis' }))).toMatchObject({ appCode: 'AREA_NOT_FOUND' });
    expect(await refusal(t.as(admin).bag.setArea({ code: 'SB81801', area: 'Lucknow!' }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(t.as(biller).bag.setArea({ code: 'SB81801', area: 'lucknow' }))).toMatchObject({ appCode: 'FORBIDDEN' });
    expect(await refusal(t.as(indore).bag.setArea({ code: 'SB81801', area: 'lucknow' }))).toMatchObject({ appCode: 'FORBIDDEN' });
    expect(await bagRow('SB81801')).toMatchObject({ area: 'indore' });
  });
});
