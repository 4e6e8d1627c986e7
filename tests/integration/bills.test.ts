import type { TRPCError } from '@trpc/server';
import { isAppError, type Role } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createLooseChild, createParentBag, nextBillNumber } from '../factories/bills';
import { createStaff, createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { countersAndRecount } from '../helpers/recount';
import { type Caller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let admin: Caller;
let biller: Caller;
let dispatcher: Caller;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
  admin = t.as(staff.admin);
  biller = t.as(staff.biller);
  dispatcher = t.as(staff.dispatcher);
});
afterAll(() => t.close());

const one = async <T>(q: { execute: (db: TestApp['deps']['db']) => Promise<{ rows: T[] }> }) => (await q.execute(t.deps.db)).rows[0];
const billRow = (billNumber: string) =>
  one(sql<{ id: number; status: string; parent_count: number; is_short: boolean; completed_by: number | null; completed_at: Date | null }>`
    select id, status, parent_count, is_short, completed_by, completed_at from bills where bill_number = ${billNumber}`);
const parentsOnBill = async (billNumber: string) =>
  (await sql<{ code: string }>`
    select p.code from bill_parents bp join bags p on p.id = bp.parent_id join bills b on b.id = bp.bill_id
    where b.bill_number = ${billNumber} order by p.code`.execute(t.deps.db)).rows.map((r) => r.code);
const billOfParent = async (code: string) =>
  (await one(sql<{ bill_number: string }>`
    select b.bill_number from bill_parents bp join bags p on p.id = bp.parent_id join bills b on b.id = bp.bill_id where p.code = ${code}`))?.bill_number ?? null;
const auditOf = async (billNumber: string) =>
  (await sql<{ action: string; actor_username: string; before: any; after: any; is_permanent: boolean }>`
    select action, actor_username, before, after, is_permanent from audit_log
    where entity_type = 'bill' and entity_id = (select id::text from bills where bill_number = ${billNumber})
       or (action = 'bill.delete' and before->>'billNumber' = ${billNumber})
    order by id`.execute(t.deps.db)).rows;
/** Everything a refused or malformed call must leave untouched. */
const worldState = async () =>
  one(sql<{ bills: number; bill_parents: number; audit: number; counters: number; updated: string }>`
    select (select count(*)::int from bills) as bills, (select count(*)::int from bill_parents) as bill_parents,
           (select count(*)::int from audit_log) as audit, (select coalesce(sum(value), 0)::int from counters) as counters,
           (select coalesce(max(updated_at)::text, '') from bills) as updated`);
const expectCountersMatchRecount = async () => {
  const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
  expect(parentsWithWrongCount).toEqual([]);
  expect(counters).toEqual(recount);
};

/** A bill created by the biller, with freshly registered parents added to it. */
async function billWith(opts: { capacity: number; parents?: number; prefix?: string }) {
  const billNumber = nextBillNumber(opts.prefix);
  await biller.bill.create({ billNumber, capacity: opts.capacity });
  const codes: string[] = [];
  for (let i = 0; i < (opts.parents ?? 0); i++) {
    const p = await createParentBag(t.deps.db);
    await biller.bill.addParent({ billNumber, parentCode: p.code });
    codes.push(p.code);
  }
  return { billNumber, codes };
}

/** 'ok' for a call that went through, else the shared refusal code it carried. */
const settledCode = (r: PromiseSettledResult<unknown>) => {
  if (r.status === 'fulfilled') return 'ok';
  const cause = (r.reason as TRPCError).cause;
  return isAppError(cause) ? cause.code : String(r.reason);
};

describe('bill.create', () => {
  it('creates an open bill with a normalised number, the creator, zero totals and an audit row', async () => {
    const res = await biller.bill.create({ billNumber: ' \u200bbl-create-1\r\n', capacity: 10, description: '  Mustard for Jaipur ', destination: 'Jaipur', vehicleNumber: 'RJ14 GA 1234' });
    expect(res.outcome).toBe('applied');
    expect(res.bill).toMatchObject({
      billNumber: 'BL-CREATE-1', capacity: 10, status: 'open', isShort: false, parentCount: 0, childCount: 0,
      actualWeightKg: 0, expectedWeightKg: 0, varianceKg: 0, description: 'Mustard for Jaipur', destination: 'Jaipur',
      vehicleNumber: 'RJ14 GA 1234', createdBy: staff.biller.username, completedAt: null, completedBy: null,
    });
    expect(new Date(res.bill.createdAt).toISOString()).toBe(res.bill.createdAt);
    const audit = await auditOf('BL-CREATE-1');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'bill.create', actor_username: staff.biller.username, before: null, after: { billNumber: 'BL-CREATE-1', capacity: 10, status: 'open' } });
  });

  it('refuses a duplicate number in any case with BILL_EXISTS and keeps the first bill', async () => {
    await biller.bill.create({ billNumber: 'BL-DUP-1', capacity: 5 });
    const before = await worldState();
    const r = await refusal(admin.bill.create({ billNumber: 'bl-dup-1', capacity: 9 }));
    expect(r).toMatchObject({ code: 'CONFLICT', appCode: 'BILL_EXISTS', details: { billNumber: 'BL-DUP-1' } });
    expect(await worldState()).toEqual(before);
    expect((await admin.bill.get({ billNumber: 'BL-DUP-1' })).bill.capacity).toBe(5);
  });

  it('accepts capacity 1 and 500 and stores blank optional text as null', async () => {
    const small = await biller.bill.create({ billNumber: nextBillNumber(), capacity: 1, description: '   ' });
    expect(small.bill).toMatchObject({ capacity: 1, description: null });
    expect((await biller.bill.create({ billNumber: nextBillNumber(), capacity: 500 })).bill.capacity).toBe(500);
  });
});

describe('bill.update', () => {
  it('edits capacity and text, clears with null, and answers unchanged (no audit) when nothing differs', async () => {
    const { billNumber } = await billWith({ capacity: 4 });
    const res = await biller.bill.update({ billNumber, capacity: 6, destination: 'Indore', vehicleNumber: 'MP09 1' });
    expect(res).toMatchObject({ outcome: 'applied', bill: { capacity: 6, destination: 'Indore', vehicleNumber: 'MP09 1' } });
    const cleared = await biller.bill.update({ billNumber, destination: null });
    expect(cleared.bill).toMatchObject({ destination: null, vehicleNumber: 'MP09 1', capacity: 6 });
    const auditCount = (await auditOf(billNumber)).length;
    const same = await biller.bill.update({ billNumber, capacity: 6, vehicleNumber: 'MP09 1' });
    expect(same.outcome).toBe('unchanged');
    expect(await auditOf(billNumber)).toHaveLength(auditCount);
    const updates = (await auditOf(billNumber)).filter((a) => a.action === 'bill.update');
    expect(updates[0]).toMatchObject({ before: { capacity: 4, destination: null }, after: { capacity: 6, destination: 'Indore' } });
  });

  it('never lets capacity go below the current parent count (CAPACITY_BELOW_COUNT)', async () => {
    const { billNumber } = await billWith({ capacity: 5, parents: 3 });
    const before = await worldState();
    const r = await refusal(biller.bill.update({ billNumber, capacity: 2 }));
    expect(r).toMatchObject({ appCode: 'CAPACITY_BELOW_COUNT', details: { parentCount: 3 } });
    expect(await worldState()).toEqual(before);
    expect((await biller.bill.update({ billNumber, capacity: 3 })).bill.capacity).toBe(3);
    expect((await refusal(biller.bill.addParent({ billNumber, parentCode: (await createParentBag(t.deps.db)).code }))).appCode).toBe('BILL_FULL');
  });

  it('refuses BILL_NOT_FOUND for an unknown bill', async () => {
    expect(await refusal(biller.bill.update({ billNumber: 'NO-SUCH-BILL', capacity: 3 }))).toMatchObject({ code: 'NOT_FOUND', appCode: 'BILL_NOT_FOUND' });
  });
});

describe('adding and removing parents', () => {
  it('adds a registered parent by its normalised code; a repeat is unchanged; status goes open → loading', async () => {
    const { billNumber } = await billWith({ capacity: 3 });
    const p = await createParentBag(t.deps.db, { children: 5 });
    const res = await biller.bill.addParent({ billNumber: billNumber.toLowerCase(), parentCode: ` ${p.code.toLowerCase()}\u200b\t` });
    expect(res).toMatchObject({ outcome: 'applied', bill: { status: 'loading', parentCount: 1, childCount: 5, actualWeightKg: 5, expectedWeightKg: 30, varianceKg: -25 } });
    expect(res.message).toContain(`(1/3)`);
    const again = await admin.bill.addParent({ billNumber, parentCode: p.code });
    expect(again).toMatchObject({ outcome: 'unchanged', bill: { parentCount: 1 } });
    expect(again.message).toBe(`${p.code} is already on ${billNumber} (1/3).`);
    expect(await parentsOnBill(billNumber)).toEqual([p.code]);
    expect((await auditOf(billNumber)).map((a) => a.action)).toEqual(['bill.create', 'bill.add_parent']);
  });

  it.each(['AB', 'SB-12345', 'SB123456', 'M445-00001'])('refuses %s as INVALID_CODE listing the accepted formats', async (code) => {
    const { billNumber } = await billWith({ capacity: 2 });
    const before = await worldState();
    const r = await refusal(biller.bill.addParent({ billNumber, parentCode: code }));
    expect(r).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_CODE' });
    expect(r.message).toContain('SB00001');
    expect(r.message).toContain('M444-00001');
    expect(await worldState()).toEqual(before);
  });

  it('refuses a known child (WRONG_BAG_TYPE), an unknown child-shaped code (INVALID_CODE) and an unregistered parent (BAG_NOT_FOUND)', async () => {
    const { billNumber } = await billWith({ capacity: 2 });
    const linked = await createParentBag(t.deps.db, { children: 1 });
    await createLooseChild(t.deps.db, 'LOOSE0001');
    const before = await worldState();
    expect((await refusal(biller.bill.addParent({ billNumber, parentCode: linked.childCodes[0]! }))).appCode).toBe('WRONG_BAG_TYPE');
    expect((await refusal(biller.bill.addParent({ billNumber, parentCode: 'loose0001' }))).appCode).toBe('WRONG_BAG_TYPE');
    expect((await refusal(biller.bill.addParent({ billNumber, parentCode: 'NEVERSEEN1' }))).appCode).toBe('INVALID_CODE');
    const unknown = await refusal(biller.bill.addParent({ billNumber, parentCode: 'M444-99999' }));
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', appCode: 'BAG_NOT_FOUND' });
    expect(await worldState()).toEqual(before);
    // Refused codes were not registered either.
    expect(await one(sql<{ n: number }>`select count(*)::int as n from bags where code in ('M444-99999', 'NEVERSEEN1')`)).toEqual({ n: 0 });
  });

  it('refuses a parent that is on another bill, naming that bill', async () => {
    const a = await billWith({ capacity: 2, parents: 1 });
    const b = await billWith({ capacity: 2 });
    const before = await worldState();
    const r = await refusal(biller.bill.addParent({ billNumber: b.billNumber, parentCode: a.codes[0]! }));
    expect(r).toMatchObject({ code: 'CONFLICT', appCode: 'PARENT_ON_OTHER_BILL', details: { otherBillNumber: a.billNumber, parentCode: a.codes[0] } });
    expect(r.message).toContain(a.billNumber);
    expect(await worldState()).toEqual(before);
    expect(await billOfParent(a.codes[0]!)).toBe(a.billNumber);
  });

  it('fills a bill to capacity, then refuses BILL_FULL without changing it', async () => {
    const { billNumber } = await billWith({ capacity: 2, parents: 2 });
    const extra = await createParentBag(t.deps.db);
    const before = await worldState();
    const r = await refusal(biller.bill.addParent({ billNumber, parentCode: extra.code }));
    expect(r).toMatchObject({ appCode: 'BILL_FULL', details: { parentCount: 2, capacity: 2 } });
    expect(r.message).toContain('2/2');
    expect(await worldState()).toEqual(before);
    expect(await billOfParent(extra.code)).toBeNull();
  });

  it('refuses BILL_NOT_FOUND for an unknown bill, even with a valid parent', async () => {
    const p = await createParentBag(t.deps.db);
    expect((await refusal(biller.bill.addParent({ billNumber: 'NOPE-1', parentCode: p.code }))).appCode).toBe('BILL_NOT_FOUND');
  });

  it('removes a parent: frees it for another bill, keeps the bag and its children, back to open at zero', async () => {
    const a = await billWith({ capacity: 3 });
    const p = await createParentBag(t.deps.db, { format: 'M444', children: 7 });
    await biller.bill.addParent({ billNumber: a.billNumber, parentCode: p.code });
    const res = await biller.bill.removeParent({ billNumber: a.billNumber, parentCode: p.code.toLowerCase() });
    expect(res).toMatchObject({ outcome: 'applied', bill: { status: 'open', parentCount: 0, childCount: 0, actualWeightKg: 0, expectedWeightKg: 0 } });
    expect((await billRow(a.billNumber))?.status).toBe('open');
    const bag = await one(sql<{ child_count: number; links: number }>`
      select child_count, (select count(*)::int from links where parent_id = bags.id) as links from bags where code = ${p.code}`);
    expect(bag).toEqual({ child_count: 7, links: 7 });
    const b = await billWith({ capacity: 1 });
    expect((await biller.bill.addParent({ billNumber: b.billNumber, parentCode: p.code })).outcome).toBe('applied');
    expect((await auditOf(a.billNumber)).at(-1)).toMatchObject({ action: 'bill.remove_parent', after: { removedParent: p.code, parentCount: 0 } });
  });

  it('refuses removing a parent that is not on the bill (PARENT_NOT_ON_BILL), naming where it is', async () => {
    const a = await billWith({ capacity: 2, parents: 1 });
    const b = await billWith({ capacity: 2, parents: 1 });
    const loose = await createParentBag(t.deps.db);
    const before = await worldState();
    const r = await refusal(biller.bill.removeParent({ billNumber: b.billNumber, parentCode: a.codes[0]! }));
    expect(r).toMatchObject({ appCode: 'PARENT_NOT_ON_BILL', details: { otherBillNumber: a.billNumber } });
    expect((await refusal(biller.bill.removeParent({ billNumber: b.billNumber, parentCode: loose.code }))).appCode).toBe('PARENT_NOT_ON_BILL');
    expect((await refusal(biller.bill.removeParent({ billNumber: b.billNumber, parentCode: 'SB99998' }))).appCode).toBe('BAG_NOT_FOUND');
    expect(await worldState()).toEqual(before);
  });
});

describe('weights', () => {
  it('an SB with 28 children and an M444 with 15 weigh 43 kg against 45 kg expected: variance −2', async () => {
    const { billNumber } = await billWith({ capacity: 3 });
    const sb = await createParentBag(t.deps.db, { format: 'SB', children: 28 });
    const m = await createParentBag(t.deps.db, { format: 'M444', children: 15 });
    await biller.bill.addParent({ billNumber, parentCode: sb.code });
    const added = await biller.bill.addParent({ billNumber, parentCode: m.code });
    const totals = { parentCount: 2, childCount: 43, actualWeightKg: 43, expectedWeightKg: 45, varianceKg: -2 };
    expect(added.bill).toMatchObject(totals);

    const detail = await dispatcher.bill.get({ billNumber });
    expect(detail.bill).toMatchObject(totals);
    expect(detail.parents).toEqual([
      expect.objectContaining({ code: sb.code, format: 'SB', childCount: 28, capacity: 30, status: 'filling', actualWeightKg: 28, expectedWeightKg: 30 }),
      expect.objectContaining({ code: m.code, format: 'M444', childCount: 15, capacity: 15, status: 'full', actualWeightKg: 15, expectedWeightKg: 15 }),
    ]);
    // When each parent was added, as the ISO instant stored (UTC, milliseconds).
    const stored = await sql<{ added_at: Date }>`
      select bp.added_at from bill_parents bp join bills b on b.id = bp.bill_id where b.bill_number = ${billNumber} order by bp.added_at, bp.parent_id`.execute(t.deps.db);
    expect(detail.parents.map((p) => p.addedAt)).toEqual(stored.rows.map((r) => r.added_at.toISOString()));
    const listed = (await dispatcher.bill.list({ search: billNumber })).items.find((b) => b.billNumber === billNumber);
    expect(listed).toMatchObject(totals);

    // An empty parent still counts its full expected weight; removing one updates the totals at once.
    const empty = await createParentBag(t.deps.db, { format: 'SB' });
    const withEmpty = await biller.bill.addParent({ billNumber, parentCode: empty.code });
    expect(withEmpty.bill).toMatchObject({ parentCount: 3, actualWeightKg: 43, expectedWeightKg: 75, varianceKg: -32 });
    expect((await biller.bill.get({ billNumber })).parents[2]).toMatchObject({ status: 'empty', actualWeightKg: 0, expectedWeightKg: 30 });
    const removed = await biller.bill.removeParent({ billNumber, parentCode: sb.code });
    expect(removed.bill).toMatchObject({ parentCount: 2, actualWeightKg: 15, expectedWeightKg: 45, varianceKg: -30 });
  });
});

describe('complete and reopen', () => {
  it('refuses to complete an empty bill (BILL_EMPTY)', async () => {
    const { billNumber } = await billWith({ capacity: 2 });
    expect((await refusal(biller.bill.complete({ billNumber, allowShort: true }))).appCode).toBe('BILL_EMPTY');
    expect((await billRow(billNumber))?.status).toBe('open');
  });

  it('needs allowShort below capacity, then records the bill as short with who and when', async () => {
    const { billNumber } = await billWith({ capacity: 3, parents: 2 });
    const before = await worldState();
    const r = await refusal(biller.bill.complete({ billNumber }));
    expect(r).toMatchObject({ appCode: 'BILL_SHORT_NOT_CONFIRMED', details: { parentCount: 2, capacity: 3 } });
    expect((await refusal(biller.bill.complete({ billNumber, allowShort: false }))).appCode).toBe('BILL_SHORT_NOT_CONFIRMED');
    expect(await worldState()).toEqual(before);
    const res = await biller.bill.complete({ billNumber, allowShort: true });
    expect(res).toMatchObject({ outcome: 'applied', bill: { status: 'completed', isShort: true, completedBy: staff.biller.username } });
    expect(res.bill.completedAt).not.toBeNull();
    expect((await admin.bill.get({ billNumber })).bill.completedBy).toBe(staff.biller.username);
    expect(await billRow(billNumber)).toMatchObject({ status: 'completed', is_short: true, completed_by: staff.biller.id });
  });

  it('completes a full bill without confirmation (not short); completing again is unchanged', async () => {
    const { billNumber } = await billWith({ capacity: 2, parents: 2 });
    expect((await admin.bill.complete({ billNumber })).bill).toMatchObject({ status: 'completed', isShort: false });
    const auditCount = (await auditOf(billNumber)).length;
    const again = await biller.bill.complete({ billNumber });
    expect(again.outcome).toBe('unchanged');
    expect(await auditOf(billNumber)).toHaveLength(auditCount);
    expect((await billRow(billNumber))?.completed_by).toBe(staff.admin.id);
  });

  it('locks a completed bill against add, remove and edit until reopened; reopen is audited', async () => {
    const { billNumber, codes } = await billWith({ capacity: 3, parents: 1 });
    await biller.bill.complete({ billNumber, allowShort: true });
    const extra = await createParentBag(t.deps.db);
    const before = await worldState();
    expect((await refusal(biller.bill.addParent({ billNumber, parentCode: extra.code }))).appCode).toBe('BILL_COMPLETED');
    expect((await refusal(biller.bill.removeParent({ billNumber, parentCode: codes[0]! }))).appCode).toBe('BILL_COMPLETED');
    expect((await refusal(biller.bill.update({ billNumber, capacity: 5 }))).appCode).toBe('BILL_COMPLETED');
    expect((await refusal(admin.bill.update({ billNumber, description: 'late note' }))).appCode).toBe('BILL_COMPLETED');
    expect(await worldState()).toEqual(before);

    const reopened = await biller.bill.reopen({ billNumber });
    expect(reopened).toMatchObject({ outcome: 'applied', bill: { status: 'loading', isShort: false, completedAt: null, completedBy: null } });
    expect((await biller.bill.addParent({ billNumber, parentCode: extra.code })).bill.parentCount).toBe(2);
    const actions = (await auditOf(billNumber)).map((a) => a.action);
    expect(actions).toEqual(['bill.create', 'bill.add_parent', 'bill.complete', 'bill.reopen', 'bill.add_parent']);
    const reopen = (await auditOf(billNumber)).find((a) => a.action === 'bill.reopen');
    expect(reopen).toMatchObject({ actor_username: staff.biller.username, before: { status: 'completed', isShort: true }, after: { status: 'loading' } });
  });

  it('reopening a bill that is not completed is unchanged', async () => {
    const { billNumber } = await billWith({ capacity: 2, parents: 1 });
    expect((await admin.bill.reopen({ billNumber })).outcome).toBe('unchanged');
    expect((await refusal(admin.bill.reopen({ billNumber: 'NOPE-2' }))).appCode).toBe('BILL_NOT_FOUND');
  });
});

describe('bill.delete', () => {
  it('frees the parents and deletes the bill; bags, children and the audit history stay', async () => {
    const { billNumber, codes } = await billWith({ capacity: 3, parents: 2 });
    await biller.bill.complete({ billNumber, allowShort: true });
    const bagsBefore = await one(sql<{ n: number }>`select count(*)::int as n from bags`);
    const res = await admin.bill.delete({ billNumber });
    expect(res).toMatchObject({ outcome: 'applied', bill: { billNumber, parentCount: 2 } });
    expect((await refusal(admin.bill.get({ billNumber }))).appCode).toBe('BILL_NOT_FOUND');
    expect(await billRow(billNumber)).toBeUndefined();
    for (const code of codes) expect(await billOfParent(code)).toBeNull();
    expect(await one(sql<{ n: number }>`select count(*)::int as n from bags`)).toEqual(bagsBefore);
    const deletion = (await auditOf(billNumber)).find((a) => a.action === 'bill.delete');
    expect(deletion).toMatchObject({ is_permanent: true, actor_username: staff.admin.username, before: { billNumber, parentCodes: codes } });
    const other = await billWith({ capacity: 2 });
    expect((await biller.bill.addParent({ billNumber: other.billNumber, parentCode: codes[0]! })).outcome).toBe('applied');
    // The number is free again.
    expect((await biller.bill.create({ billNumber, capacity: 1 })).outcome).toBe('applied');
    await expectCountersMatchRecount();
  });
});

describe('bill.list', () => {
  it('pages newest first with an opaque cursor, without repeats or gaps', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await billWith({ capacity: 1, prefix: 'PAGE' })).billNumber);
    const seen: string[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await dispatcher.bill.list({ search: 'page-', limit: 2, ...(cursor ? { cursor } : {}) });
      sizes.push(page.items.length);
      seen.push(...page.items.map((b) => b.billNumber));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...created].reverse());
    expect((await refusal(dispatcher.bill.list({ cursor: 'bm90LWEtY3Vyc29y' }))).appCode).toBe('VALIDATION');
  });

  it('filters by status, number prefix (wildcards literal), creator and creation time', async () => {
    const otherBiller = await createUser(t.deps.db, { role: 'biller' });
    const mine = await t.as(otherBiller).bill.create({ billNumber: 'FLT_A-1', capacity: 1 });
    const loading = await billWith({ capacity: 2, parents: 1, prefix: 'FLTX' });
    const done = await billWith({ capacity: 1, parents: 1, prefix: 'FLTX' });
    await biller.bill.complete({ billNumber: done.billNumber });

    const numbers = async (input: Parameters<Caller['bill']['list']>[0]) => (await admin.bill.list(input)).items.map((b) => b.billNumber);
    expect(await numbers({ search: 'fltx', status: 'completed' })).toEqual([done.billNumber]);
    expect(await numbers({ search: 'FLTX', status: 'loading' })).toEqual([loading.billNumber]);
    expect(await numbers({ search: 'FLTX', status: 'open' })).toEqual([]);
    // "_" is a literal in the prefix, not a LIKE wildcard: FLT_ matches FLT_A-1 but not FLTX-…
    expect(await numbers({ search: 'FLT_' })).toEqual(['FLT_A-1']);
    expect(await numbers({ createdBy: otherBiller.username.toUpperCase() })).toEqual(['FLT_A-1']);
    const createdAt = new Date(mine.bill.createdAt).getTime();
    expect(await numbers({ createdBy: otherBiller.username, from: new Date(createdAt - 1000).toISOString(), to: new Date(createdAt + 1000).toISOString() })).toEqual(['FLT_A-1']);
    expect(await numbers({ createdBy: otherBiller.username, from: new Date(createdAt + 1000).toISOString() })).toEqual([]);
    expect(await numbers({ createdBy: otherBiller.username, to: new Date(createdAt - 1000).toISOString() })).toEqual([]);
  });

  it('shows the same totals per bill as bill.get', async () => {
    const { billNumber } = await billWith({ capacity: 4, prefix: 'TOT' });
    for (const [format, children] of [['SB', 30], ['M444', 3], ['SB', 0]] as const) {
      await biller.bill.addParent({ billNumber, parentCode: (await createParentBag(t.deps.db, { format, children })).code });
    }
    const listed = (await biller.bill.list({ search: billNumber })).items.find((b) => b.billNumber === billNumber);
    const detail = await biller.bill.get({ billNumber });
    expect(listed).toEqual(detail.bill);
    expect(detail.bill).toMatchObject({ parentCount: 3, actualWeightKg: 33, expectedWeightKg: 75, varianceKg: -42 });
  });
});

describe('concurrency over real connections', () => {
  it('the same parent added to two bills at once lands on exactly one; the other gets PARENT_ON_OTHER_BILL', async () => {
    for (let round = 0; round < 8; round++) {
      const a = await billWith({ capacity: 2 });
      const b = await billWith({ capacity: 2 });
      const p = await createParentBag(t.deps.db);
      const results = await Promise.allSettled([
        biller.bill.addParent({ billNumber: a.billNumber, parentCode: p.code }),
        admin.bill.addParent({ billNumber: b.billNumber, parentCode: p.code }),
      ]);
      expect(results.map(settledCode).sort()).toEqual(['PARENT_ON_OTHER_BILL', 'ok']);
      const winner = results[0]!.status === 'fulfilled' ? a.billNumber : b.billNumber;
      expect(await billOfParent(p.code)).toBe(winner);
      const rows = await sql<{ bill_number: string; parent_count: number; status: string }>`
        select bill_number, parent_count, status::text from bills where bill_number in (${a.billNumber}, ${b.billNumber}) order by bill_number`.execute(t.deps.db);
      expect(rows.rows.map((r) => [r.bill_number, r.parent_count, r.status])).toEqual(
        [a.billNumber, b.billNumber].sort().map((n) => (n === winner ? [n, 1, 'loading'] : [n, 0, 'open'])),
      );
    }
  });

  it('10 concurrent adds of different parents into a capacity-5 bill leave exactly 5', async () => {
    const { billNumber } = await billWith({ capacity: 5 });
    const parents = await Promise.all(Array.from({ length: 10 }, () => createParentBag(t.deps.db, { children: 2 })));
    const callers = [biller, admin, t.as(await createUser(t.deps.db, { role: 'biller' }))];
    const results = await Promise.allSettled(parents.map((p, i) => callers[i % callers.length]!.bill.addParent({ billNumber, parentCode: p.code })));
    const codes = results.map(settledCode);
    expect(codes.filter((c) => c === 'ok')).toHaveLength(5);
    expect(codes.filter((c) => c === 'BILL_FULL')).toHaveLength(5);
    expect(await parentsOnBill(billNumber)).toHaveLength(5);
    expect(await billRow(billNumber)).toMatchObject({ parent_count: 5, status: 'loading' });
    expect((await biller.bill.get({ billNumber })).bill).toMatchObject({ parentCount: 5, actualWeightKg: 10, expectedWeightKg: 150 });
    await expectCountersMatchRecount();
  });

  it('a mixed concurrent workload leaves counters equal to a recount of the tables', async () => {
    const bills = await Promise.all(Array.from({ length: 4 }, () => billWith({ capacity: 3 })));
    const parents = await Promise.all(Array.from({ length: 12 }, (_, i) => createParentBag(t.deps.db, { area: i % 2 ? 'indore' : 'lucknow', children: i })));
    // 12 parents thrown at 4 bills of 3 twice over: every add either lands, is unchanged, or is refused.
    await Promise.allSettled(parents.flatMap((p, i) => [
      biller.bill.addParent({ billNumber: bills[i % 4]!.billNumber, parentCode: p.code }),
      admin.bill.addParent({ billNumber: bills[(i + 1) % 4]!.billNumber, parentCode: p.code }),
    ]));
    await Promise.allSettled([
      biller.bill.complete({ billNumber: bills[0]!.billNumber, allowShort: true }),
      admin.bill.removeParent({ billNumber: bills[1]!.billNumber, parentCode: parents[1]!.code }),
      admin.bill.removeParent({ billNumber: bills[1]!.billNumber, parentCode: parents[0]!.code }),
      admin.bill.delete({ billNumber: bills[2]!.billNumber }),
      biller.bill.complete({ billNumber: bills[3]!.billNumber, allowShort: true }),
      biller.bill.reopen({ billNumber: bills[3]!.billNumber }),
    ]);
    const billed = await one(sql<{ n: number }>`select count(*)::int as n from bill_parents where parent_id = any(${parents.map((p) => p.id)})`);
    expect(billed?.n).toBeGreaterThan(0);
    await expectCountersMatchRecount();
    // Per-bill stored counts equal the rows.
    const drift = await sql<{ bill_number: string }>`
      select b.bill_number from bills b left join bill_parents bp on bp.bill_id = b.id
      group by b.id having b.parent_count <> count(bp.parent_id)`.execute(t.deps.db);
    expect(drift.rows).toEqual([]);
  });
});

describe('roles', () => {
  type Proc = 'create' | 'update' | 'addParent' | 'removeParent' | 'complete' | 'reopen' | 'delete' | 'get' | 'list';
  const STAFF: Role[] = ['admin', 'biller'];
  const ALL: Role[] = ['admin', 'biller', 'dispatcher'];
  const allowedRoles: Record<Proc, Role[]> = {
    create: STAFF, update: STAFF, addParent: STAFF, removeParent: STAFF, complete: STAFF, reopen: STAFF,
    delete: ['admin'], get: ALL, list: ALL,
  };
  /** Builds fresh data for one call and returns the call, so an allowed call succeeds on its own merits. */
  const prepare: Record<Proc, () => Promise<(c: Caller) => Promise<unknown>>> = {
    create: async () => { const billNumber = nextBillNumber('ROLE'); return (c) => c.bill.create({ billNumber, capacity: 2 }); },
    update: async () => { const { billNumber } = await billWith({ capacity: 2 }); return (c) => c.bill.update({ billNumber, capacity: 4 }); },
    addParent: async () => {
      const { billNumber } = await billWith({ capacity: 2 });
      const p = await createParentBag(t.deps.db);
      return (c) => c.bill.addParent({ billNumber, parentCode: p.code });
    },
    removeParent: async () => { const { billNumber, codes } = await billWith({ capacity: 2, parents: 1 }); return (c) => c.bill.removeParent({ billNumber, parentCode: codes[0]! }); },
    complete: async () => { const { billNumber } = await billWith({ capacity: 1, parents: 1 }); return (c) => c.bill.complete({ billNumber }); },
    reopen: async () => {
      const { billNumber } = await billWith({ capacity: 1, parents: 1 });
      await biller.bill.complete({ billNumber });
      return (c) => c.bill.reopen({ billNumber });
    },
    delete: async () => { const { billNumber } = await billWith({ capacity: 1, parents: 1 }); return (c) => c.bill.delete({ billNumber }); },
    get: async () => { const { billNumber } = await billWith({ capacity: 1 }); return (c) => c.bill.get({ billNumber }); },
    list: async () => (c) => c.bill.list({ limit: 5 }),
  };
  const cases = (Object.keys(allowedRoles) as Proc[]).flatMap((proc) => ALL.map((role) => [proc, role, allowedRoles[proc].includes(role)] as const));

  it.each(cases)('bill.%s as %s → allowed: %s', async (proc, role, allowed) => {
    const call = await prepare[proc]();
    const caller = t.as(staff[role]);
    if (allowed) {
      const res = (await call(caller)) as { outcome?: string };
      if ('outcome' in res) expect(res.outcome).toBe('applied');
      return;
    }
    const before = await worldState();
    expect(await refusal(call(caller))).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    expect(await worldState()).toEqual(before);
  });

  it.each(Object.keys(allowedRoles) as Proc[])('bill.%s without a session → UNAUTHORIZED', async (proc) => {
    const call = await prepare[proc]();
    const before = await worldState();
    expect(await refusal(call(t.anonymous()))).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
    expect(await worldState()).toEqual(before);
  });
});

describe('malformed input over HTTP', () => {
  const LONG = 'x'.repeat(10_000);
  const SQLI = "'; drop table bills; --";
  const XSS = '<script>alert(1)</script>';
  type Case = [procedure: string, kind: 'mutation' | 'query', input: unknown, field: string];
  const cases: Case[] = [
    ['create', 'mutation', {}, 'billNumber'],
    ['create', 'mutation', { billNumber: 42, capacity: 'ten' }, 'billNumber'],
    ['create', 'mutation', { billNumber: LONG, capacity: 5 }, 'billNumber'],
    ['create', 'mutation', { billNumber: SQLI, capacity: 5 }, 'billNumber'],
    ['create', 'mutation', { billNumber: XSS, capacity: 5 }, 'billNumber'],
    ['create', 'mutation', { billNumber: 'MAL-OK-1', capacity: 0 }, 'capacity'],
    ['create', 'mutation', { billNumber: 'MAL-OK-1', capacity: 501 }, 'capacity'],
    ['create', 'mutation', { billNumber: 'MAL-OK-1', capacity: 2.5 }, 'capacity'],
    ['create', 'mutation', { billNumber: 'MAL-OK-1', capacity: 5, description: LONG }, 'description'],
    ['create', 'mutation', { billNumber: 'MAL-OK-1', capacity: 5, vehicleNumber: { $ne: 1 } }, 'vehicleNumber'],
    ['update', 'mutation', { capacity: 5 }, 'billNumber'],
    ['update', 'mutation', { billNumber: 'MAL-TARGET', capacity: '7' }, 'capacity'],
    ['update', 'mutation', { billNumber: 'MAL-TARGET', destination: LONG }, 'destination'],
    ['update', 'mutation', { billNumber: SQLI, capacity: 7 }, 'billNumber'],
    ['addParent', 'mutation', { billNumber: 'MAL-TARGET' }, 'parentCode'],
    ['addParent', 'mutation', { billNumber: 'MAL-TARGET', parentCode: LONG }, 'parentCode'],
    ['addParent', 'mutation', { billNumber: 'MAL-TARGET', parentCode: 12345 }, 'parentCode'],
    ['addParent', 'mutation', { billNumber: XSS, parentCode: 'SB00001' }, 'billNumber'],
    ['removeParent', 'mutation', { billNumber: 'MAL-TARGET', parentCode: '' }, 'parentCode'],
    ['removeParent', 'mutation', { billNumber: LONG, parentCode: 'SB00001' }, 'billNumber'],
    ['complete', 'mutation', { billNumber: 'MAL-TARGET', allowShort: 'yes' }, 'allowShort'],
    ['complete', 'mutation', { billNumber: null }, 'billNumber'],
    ['reopen', 'mutation', { billNumber: SQLI }, 'billNumber'],
    ['reopen', 'mutation', {}, 'billNumber'],
    ['delete', 'mutation', { billNumber: XSS }, 'billNumber'],
    ['delete', 'mutation', { billNumber: ['MAL-TARGET'] }, 'billNumber'],
    ['get', 'query', { billNumber: LONG }, 'billNumber'],
    ['get', 'query', { billNumber: SQLI }, 'billNumber'],
    ['get', 'query', {}, 'billNumber'],
    ['list', 'query', { limit: 0 }, 'limit'],
    ['list', 'query', { limit: 201 }, 'limit'],
    ['list', 'query', { limit: 'all' }, 'limit'],
    ['list', 'query', { status: 'closed' }, 'status'],
    ['list', 'query', { search: LONG }, 'search'],
    ['list', 'query', { createdBy: SQLI }, 'createdBy'],
    ['list', 'query', { createdBy: XSS }, 'createdBy'],
    ['list', 'query', { from: 'yesterday' }, 'from'],
    ['list', 'query', { cursor: LONG }, 'cursor'],
  ];
  let http: ReturnType<typeof trpcHttp>;
  beforeAll(async () => {
    const app = createApp(t.deps);
    http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, staff.admin.id));
    await biller.bill.create({ billNumber: 'MAL-TARGET', capacity: 5 });
  });

  it.each(cases)('bill.%s (%s) with %j → 400 VALIDATION on %s, nothing changed', async (procedure, kind, input, field) => {
    const before = await worldState();
    const res = kind === 'mutation' ? await http.mutate(`bill.${procedure}`, input) : await http.query(`bill.${procedure}`, input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
    expect(await worldState()).toEqual(before);
  });

  it('stores injection-looking free text verbatim and refuses such codes as field errors', async () => {
    const res = await http.mutate('bill.create', { billNumber: 'MAL-TEXT-1', capacity: 2, description: SQLI, destination: XSS });
    expect(res.status).toBe(200);
    expect(res.data.outcome).toBe('applied');
    const detail = await admin.bill.get({ billNumber: 'MAL-TEXT-1' });
    expect(detail.bill).toMatchObject({ description: SQLI, destination: XSS });
    const before = await worldState();
    for (const parentCode of [SQLI, XSS]) {
      const bad = await http.mutate('bill.addParent', { billNumber: 'MAL-TEXT-1', parentCode });
      expect(bad.status).toBe(400);
      expect(bad.error?.data.appCode).toBe('VALIDATION');
      expect(Object.keys(bad.error?.data.fieldErrors ?? {})).toEqual(['parentCode']);
    }
    expect(await worldState()).toEqual(before);
    expect(await one(sql<{ n: number }>`select count(*)::int as n from bills where bill_number = 'MAL-TARGET'`)).toEqual({ n: 1 });
  });
});

describe('counters', () => {
  it('equal a recount of bills and billed parents after every kind of bill write', async () => {
    const open = await billWith({ capacity: 2 });
    const loading = await billWith({ capacity: 3, parents: 2 });
    const completed = await billWith({ capacity: 1, parents: 1 });
    await biller.bill.complete({ billNumber: completed.billNumber });
    const reopened = await billWith({ capacity: 2, parents: 1 });
    await biller.bill.complete({ billNumber: reopened.billNumber, allowShort: true });
    await biller.bill.reopen({ billNumber: reopened.billNumber });
    const emptied = await billWith({ capacity: 2, parents: 1 });
    await biller.bill.removeParent({ billNumber: emptied.billNumber, parentCode: emptied.codes[0]! });
    const deleted = await billWith({ capacity: 2, parents: 2 });
    await admin.bill.delete({ billNumber: deleted.billNumber });
    await biller.bill.update({ billNumber: open.billNumber, capacity: 3 });
    await biller.bill.removeParent({ billNumber: loading.billNumber, parentCode: loading.codes[0]! });

    const byName = await sql<{ name: string; n: number }>`
      select name, sum(value)::int as n from counters where name in ('billed_parents', 'bills_open', 'bills_loading', 'bills_completed')
      group by name having sum(value) <> 0 order by name`.execute(t.deps.db);
    const recount = await sql<{ name: string; n: number }>`
      select name, n from (
        select 'billed_parents' as name, count(*)::int as n from bill_parents
        union all select 'bills_' || status, count(*)::int from bills group by status) r
      where n <> 0 order by name`.execute(t.deps.db);
    expect(byName.rows).toEqual(recount.rows);
    expect(recount.rows.map((r) => r.name)).toEqual(['billed_parents', 'bills_completed', 'bills_loading', 'bills_open']);
    await expectCountersMatchRecount();
  });
});
