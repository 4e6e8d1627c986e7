import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutationQueue } from '../factories/mutations';
import { createStaff, createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { countersAndRecount } from '../helpers/recount';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let now = new Date();
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

const linkCount = async (parentCode: string) =>
  Number(
    (await sql<{ n: number }>`select count(*)::int as n from links l join bags p on p.id = l.parent_id where p.code = ${parentCode}`.execute(t.deps.db))
      .rows[0]?.n,
  );

describe('scanning parents', () => {
  it('registers an unknown parent in the dispatcher area, then opens it unchanged', async () => {
    const d = t.as(staff.dispatcher);
    const first = await d.bag.scanParent({ code: ' sb10001\r\n' });
    expect(first).toMatchObject({ outcome: 'applied', parent: { code: 'SB10001', format: 'SB', childCount: 0, capacity: 30, status: 'empty' } });
    const again = await d.bag.scanParent({ code: 'SB10001' });
    expect(again.outcome).toBe('unchanged');
    const detail = await d.bag.get({ code: 'sb10001' });
    expect(detail.bag).toMatchObject({ type: 'parent', area: 'lucknow', createdBy: staff.dispatcher.username });
    expect(detail.events.map((e) => e.status)).toEqual(['unchanged', 'applied']);
  });

  it('strips a NUL a scanner sends like any control character, and stores the normalised code as the scan', async () => {
    const res = await t.as(staff.dispatcher).bag.scanParent({ code: 'sb1\u00000002\u0000' });
    expect(res.parent.code).toBe('SB10002');
    const linked = await t.as(staff.dispatcher).bag.linkChild({ parentCode: 'SB10002', childCode: '\u0000c1000\u200b2a' });
    expect(linked.childCode).toBe('C10002A');
    const stored = await sql<{ args: unknown }>`select args from scan_events where name = 'child.link' and args->>'parentCode' = 'SB10002'`.execute(t.deps.db);
    expect(stored.rows.map((r) => r.args)).toEqual([{ parentCode: 'SB10002', childCode: 'C10002A' }]);
  });

  it('registers M444 parents with capacity 15 and no area for billers', async () => {
    const res = await t.as(staff.biller).bag.scanParent({ code: 'm444-10001' });
    expect(res.parent).toMatchObject({ code: 'M444-10001', capacity: 15 });
    expect((await t.as(staff.biller).bag.get({ code: 'M444-10001' })).bag.area).toBeNull();
  });

  it.each(['SB-12345', 'M445-00001', 'SB123456', 'M44400001', 'AB'])('refuses %s as a parent with INVALID_CODE', async (code) => {
    const r = await refusal(t.as(staff.dispatcher).bag.scanParent({ code }));
    expect(r.appCode).toBe('INVALID_CODE');
    expect(r.code).toBe('BAD_REQUEST');
    expect(r.message).toMatch(/SB00001/);
  });

  it('refuses a known child scanned as a parent (WRONG_BAG_TYPE), never converting it', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB10002' });
    await d.bag.linkChild({ parentCode: 'SB10002', childCode: '0016586' });
    const r = await refusal(d.bag.scanParent({ code: '0016586' }));
    expect(r.appCode).toBe('WRONG_BAG_TYPE');
    expect((await d.bag.get({ code: '0016586' })).bag.type).toBe('child');
  });
});

describe('linking children', () => {
  it('registers an unknown child and links it; a repeat is unchanged with the count', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB20001' });
    const res = await d.bag.linkChild({ parentCode: 'SB20001', childCode: 'c20001a' });
    expect(res).toMatchObject({ outcome: 'applied', childCode: 'C20001A', parent: { childCount: 1, status: 'filling', weightKg: 1 } });
    const again = await d.bag.linkChild({ parentCode: 'sb20001', childCode: 'C20001A' });
    expect(again.outcome).toBe('unchanged');
    expect(again.message).toBe('C20001A is already in SB20001 (1/30)');
    expect(await linkCount('SB20001')).toBe(1);
    const child = await d.bag.get({ code: 'C20001A' });
    expect(child.bag).toMatchObject({ parentCode: 'SB20001', area: 'lucknow', weightKg: 1 });
    expect(child.parent?.code).toBe('SB20001');
  });

  it('refuses a child that is in another parent, naming it', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB20002' });
    await d.bag.scanParent({ code: 'SB20003' });
    await d.bag.linkChild({ parentCode: 'SB20002', childCode: 'C20002A' });
    const r = await refusal(d.bag.linkChild({ parentCode: 'SB20003', childCode: 'C20002A' }));
    expect(r.appCode).toBe('CHILD_IN_OTHER_PARENT');
    expect(r.message).toContain('SB20002');
    expect(r.details).toMatchObject({ otherParentCode: 'SB20002' });
    expect(await linkCount('SB20003')).toBe(0);
    // The refusal is in the child's history too.
    const events = (await d.bag.get({ code: 'C20002A' })).events;
    expect(events[0]).toMatchObject({ status: 'rejected', code: 'CHILD_IN_OTHER_PARENT' });
  });

  it('fills an SB parent at 30 and an M444 parent at 15, then refuses PARENT_FULL', async () => {
    const d = t.as(staff.dispatcher);
    for (const [code, max] of [['SB20010', 30], ['M444-20010', 15]] as const) {
      await d.bag.scanParent({ code });
      for (let i = 0; i < max; i++) await d.bag.linkChild({ parentCode: code, childCode: `F${code.replace('-', '')}${i}` });
      const detail = await d.bag.get({ code });
      expect(detail.bag).toMatchObject({ childCount: max, status: 'full', weightKg: max });
      expect(detail.children).toHaveLength(max);
      const r = await refusal(d.bag.linkChild({ parentCode: code, childCode: 'EXTRA' + max }));
      expect(r.appCode).toBe('PARENT_FULL');
      expect(await linkCount(code)).toBe(max);
      // The refused child was not registered either: a refusal changes nothing.
      expect((await refusal(d.bag.get({ code: 'EXTRA' + max }))).appCode).toBe('BAG_NOT_FOUND');
    }
  });

  it('refuses parent codes as children, unknown parents, and children as parents', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB20020' });
    await d.bag.scanParent({ code: 'SB20021' });
    expect((await refusal(d.bag.linkChild({ parentCode: 'SB20020', childCode: 'SB20021' }))).appCode).toBe('WRONG_BAG_TYPE');
    expect((await refusal(d.bag.linkChild({ parentCode: 'SB29999', childCode: 'C20020A' }))).appCode).toBe('BAG_NOT_FOUND');
    await d.bag.linkChild({ parentCode: 'SB20020', childCode: 'C20020B' });
    expect((await refusal(d.bag.linkChild({ parentCode: 'C20020B', childCode: 'C20020C' }))).appCode).toBe('WRONG_BAG_TYPE');
    expect((await refusal(d.bag.linkChild({ parentCode: 'SB20020', childCode: 'AB' }))).appCode).toBe('INVALID_CODE');
  });

  it('gives linked children their parent area', async () => {
    const indore = await createUser(t.deps.db, { role: 'dispatcher', area: 'indore' });
    await t.as(indore).bag.scanParent({ code: 'SB20030' });
    // A biller may link into any area's parent (a dispatcher only into their own: area-rule.test.ts).
    const biller = await createUser(t.deps.db, { role: 'biller' });
    await t.as(biller).bag.linkChild({ parentCode: 'SB20030', childCode: 'C20030A' });
    expect((await t.as(staff.admin).bag.get({ code: 'C20030A' })).bag.area).toBe('indore');
  });
});

describe('unlinking', () => {
  it('removes only the link; bags and history stay', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB30001' });
    await d.bag.linkChild({ parentCode: 'SB30001', childCode: 'C30001A' });
    const res = await d.bag.unlinkChild({ childCode: 'C30001A' });
    expect(res.parent.childCount).toBe(0);
    const child = await d.bag.get({ code: 'C30001A' });
    expect(child.bag.parentCode).toBeNull();
    expect(child.events.map((e) => e.name)).toEqual(['child.unlink', 'child.link']);
    expect((await refusal(d.bag.unlinkChild({ childCode: 'C30001A' }))).appCode).toBe('CHILD_NOT_LINKED');
    expect((await refusal(d.bag.unlinkChild({ childCode: 'C3NOPE' }))).appCode).toBe('BAG_NOT_FOUND');
  });

  it('lets a dispatcher unlink own links within the hour only; billers and admins any', async () => {
    const d = t.as(staff.dispatcher);
    const other = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    await d.bag.scanParent({ code: 'SB30002' });
    await t.as(other).bag.linkChild({ parentCode: 'SB30002', childCode: 'C30002A' });
    expect((await refusal(d.bag.unlinkChild({ childCode: 'C30002A' }))).appCode).toBe('UNLINK_NOT_ALLOWED');

    await d.bag.linkChild({ parentCode: 'SB30002', childCode: 'C30002B' });
    await d.bag.linkChild({ parentCode: 'SB30002', childCode: 'C30002C' });
    // The parent's view carries who linked each child and when: what the unlink rule looks at.
    const view = await d.bag.get({ code: 'SB30002' });
    expect(view.children.map((c) => [c.code, c.linkedBy, c.linkedAt])).toEqual([
      ['C30002A', other.username, now.toISOString()],
      ['C30002B', staff.dispatcher.username, now.toISOString()],
      ['C30002C', staff.dispatcher.username, now.toISOString()],
    ]);
    const start = now;
    try {
      now = new Date(start.getTime() + 59 * 60_000);
      await d.bag.unlinkChild({ childCode: 'C30002B' });
      now = new Date(start.getTime() + 61 * 60_000);
      expect((await refusal(d.bag.unlinkChild({ childCode: 'C30002C' }))).appCode).toBe('UNLINK_NOT_ALLOWED');
      await t.as(staff.biller).bag.unlinkChild({ childCode: 'C30002C' });
      await t.as(staff.admin).bag.unlinkChild({ childCode: 'C30002A' });
    } finally {
      now = start;
    }
    expect(await linkCount('SB30002')).toBe(0);
  });

  it('judges a synced unlink by when the device scanned it, at most server now (a time before the link is a wrong clock: server now); online by server now', async () => {
    const d = t.as(staff.dispatcher);
    const deviceId = randomUUID();
    await d.device.register({ deviceId });
    const queue = mutationQueue();
    const start = now;
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    const unlinkAt = (childCode: string, minutes: number) => queue.next('child.unlink', { childCode }, at(minutes));
    await d.bag.scanParent({ code: 'SB30005' });
    for (const c of ['A', 'B', 'C', 'D', 'E']) await d.bag.linkChild({ parentCode: 'SB30005', childCode: `C30005${c}` });
    try {
      // A device clock ahead of the server counts as now: 30 minutes after the link, allowed.
      now = at(30);
      const ahead = await d.sync.push({ deviceId, mutations: [unlinkAt('C30005D', 120)] });
      expect(ahead.results.map((r) => r.status)).toEqual(['applied']);

      // Synced three hours late: scanned 30 minutes after the link, allowed; 61 minutes after, not;
      // a device time before the link (a reset clock) counts as server now, three hours on: not.
      now = at(180);
      const late = await d.sync.push({ deviceId, mutations: [unlinkAt('C30005A', 30), unlinkAt('C30005B', 61), unlinkAt('C30005C', -120)] });
      expect(late.results.map((r) => r.code ?? r.status)).toEqual(['applied', 'UNLINK_NOT_ALLOWED', 'UNLINK_NOT_ALLOWED']);
      // Online calls happen at server now.
      expect((await refusal(d.bag.unlinkChild({ childCode: 'C30005E' }))).appCode).toBe('UNLINK_NOT_ALLOWED');
      // A link synced late is stamped with server time, so the window runs from then.
      const relinked = await d.sync.push({
        deviceId, mutations: [queue.next('child.link', { parentCode: 'SB30005', childCode: 'C30005A' }, at(40)), unlinkAt('C30005A', 50)],
      });
      expect(relinked.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    } finally {
      now = start;
    }
    expect(await linkCount('SB30005')).toBe(3);
  });

  it('refuses links and unlinks inside a parent on a completed bill', async () => {
    const d = t.as(staff.dispatcher);
    await d.bag.scanParent({ code: 'SB30003' });
    await d.bag.linkChild({ parentCode: 'SB30003', childCode: 'C30003A' });
    const b = t.as(staff.biller);
    await b.bill.create({ billNumber: 'BILL-LOCK', capacity: 1 });
    await b.bill.addParent({ billNumber: 'BILL-LOCK', parentCode: 'SB30003' });
    await b.bill.complete({ billNumber: 'BILL-LOCK' });
    expect((await refusal(t.as(staff.admin).bag.unlinkChild({ childCode: 'C30003A' }))).appCode).toBe('BILL_COMPLETED');
    expect((await refusal(d.bag.linkChild({ parentCode: 'SB30003', childCode: 'C30003B' }))).appCode).toBe('BILL_COMPLETED');
    expect(await linkCount('SB30003')).toBe(1);
  });
});

describe('areas, lists and deletion', () => {
  it('scopes dispatcher lists to their own area in SQL; exact lookups work everywhere', async () => {
    const jaipur = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    await t.as(jaipur).bag.scanParent({ code: 'SB40001' });
    const own = await t.as(staff.dispatcher).bag.list({ type: 'parent', limit: 200 });
    expect(own.items.every((b) => b.area === 'lucknow')).toBe(true);
    expect(own.items.some((b) => b.code === 'SB40001')).toBe(false);
    expect((await refusal(t.as(staff.dispatcher).bag.list({ area: 'jaipur' }))).appCode).toBe('FORBIDDEN');
    expect((await t.as(staff.dispatcher).bag.get({ code: 'SB40001' })).bag.area).toBe('jaipur');
    const all = await t.as(staff.biller).bag.list({ area: 'jaipur' });
    expect(all.items.map((b) => b.code)).toContain('SB40001');
  });

  it('pages with a keyset cursor and filters by type, linked, billed and scanner', async () => {
    const a = t.as(staff.admin);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.bag.list({ limit: 7, cursor });
      seen.push(...page.items.map((b) => b.code));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from bags`.execute(t.deps.db)).rows[0]?.n);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);

    const unlinked = await a.bag.list({ type: 'child', linked: false, limit: 200 });
    expect(unlinked.items.every((b) => b.parentCode === null)).toBe(true);
    expect(unlinked.items.map((b) => b.code)).toContain('C30001A');
    const linked = await a.bag.list({ type: 'child', linked: true, limit: 200 });
    expect(linked.items.every((b) => b.parentCode !== null)).toBe(true);
    const billed = await a.bag.list({ billed: true, limit: 200 });
    expect(billed.items.map((b) => b.code)).toEqual(['SB30003']);
    const byScanner = await a.bag.list({ scannedBy: staff.biller.username, limit: 200 });
    expect(byScanner.items.map((b) => b.code)).toEqual(['M444-10001']);
    expect((await refusal(a.bag.list({ cursor: 'not-a-cursor' }))).appCode).toBe('VALIDATION');
  });

  it('deletes only unlinked, unbilled bags, admin only', async () => {
    const a = t.as(staff.admin);
    await a.bag.scanParent({ code: 'SB40010' });
    await a.bag.linkChild({ parentCode: 'SB40010', childCode: 'C40010A' });
    expect((await refusal(a.bag.delete({ code: 'SB40010' }))).appCode).toBe('BAG_IN_USE');
    expect((await refusal(a.bag.delete({ code: 'C40010A' }))).appCode).toBe('BAG_IN_USE');
    expect((await refusal(a.bag.delete({ code: 'SB30003' }))).appCode).toBe('BAG_IN_USE');
    await a.bag.unlinkChild({ childCode: 'C40010A' });
    expect((await refusal(t.as(staff.biller).bag.delete({ code: 'C40010A' }))).code).toBe('FORBIDDEN');
    await a.bag.delete({ code: 'C40010A' });
    await a.bag.delete({ code: 'SB40010' });
    expect((await refusal(a.bag.get({ code: 'SB40010' }))).appCode).toBe('BAG_NOT_FOUND');
  });

  it('keeps dashboard counters equal to a recount', async () => {
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(counters).toEqual(recount);
    expect(parentsWithWrongCount).toEqual([]);
    const dash = await t.as(staff.admin).stats.dashboard();
    expect(dash.parents).toBe(Object.entries(recount).filter(([k]) => k.startsWith('parents|')).reduce((s, [, n]) => s + n, 0));
    expect(dash.daily).toHaveLength(14);
    expect(dash.scansToday).toBeGreaterThan(0);
    const own = await t.as(staff.dispatcher).stats.dashboard();
    expect(own.scope).toBe('lucknow');
    expect(own.parents).toBe(recount['parents|lucknow']);
  });
});
