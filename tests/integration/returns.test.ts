import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_TICKET_NUMBER_PATTERN } from '@tracetrack/shared';
import { createApp } from '../../server/src/app';
import { createLooseChild, createParentBag, nextBillNumber } from '../factories/bills';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { parseCsv, parseXlsx } from '../helpers/exports';
import { countersAndRecount } from '../helpers/recount';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
let app: ReturnType<typeof createApp>;
let biller: Actor;
let admin: Actor;
let dispatcher: Actor;
beforeAll(async () => {
  t = await createTestApp();
  app = createApp(t.deps);
  biller = await createUser(t.deps.db, { role: 'biller' });
  admin = await createUser(t.deps.db, { role: 'admin' });
  dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
});
afterAll(() => t.close());

/** A completed bill of `children.length` SB parents holding those many children each. */
async function completedBill(children: number[], opts: { complete?: boolean } = {}) {
  const billNumber = nextBillNumber('RT');
  await t.as(biller).bill.create({ billNumber, capacity: children.length + 2 });
  const parents: string[] = [];
  for (const n of children) {
    const p = await createParentBag(t.deps.db, { children: n });
    await t.as(biller).bill.addParent({ billNumber, parentCode: p.code });
    parents.push(p.code);
  }
  if (opts.complete !== false) await t.as(biller).bill.complete({ billNumber, allowShort: true });
  return { billNumber, parents };
}

async function openTicket(actor: Actor = biller, area = 'jaipur') {
  const ticketId = randomUUID();
  const res = await t.as(actor).return.create({ ticketId, area, notes: 'dealer sent back unsold bags' });
  return { ticketId, number: res.ticket.number };
}

const ticketRow = async (ticketId: string) =>
  (await sql<{ parent_count: number; child_count: number; weight_kg: number; status: string }>`
    select parent_count, child_count, weight_kg::float as weight_kg, status::text from return_tickets where ref = ${ticketId}`.execute(t.deps.db)).rows[0];

async function expectInvariants() {
  const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
  expect(parentsWithWrongCount).toEqual([]);
  expect(counters).toEqual(recount);
  const billCounts = await sql<{ bill_number: string }>`
    select bl.bill_number from bills bl left join bill_parents bp on bp.bill_id = bl.id
    group by bl.id having bl.parent_count <> count(bp.parent_id)`.execute(t.deps.db);
  expect(billCounts.rows).toEqual([]);
}

describe('return tickets', () => {
  it('opens a ticket numbered RTN-YYYYMMDD-XXXX (the day in TIME_ZONE), open, with its notes; the same id again changes nothing', async () => {
    const ticketId = randomUUID();
    const first = await t.as(biller).return.create({ ticketId, area: 'jaipur', notes: '  from dealer 7  ' });
    expect(first.outcome).toBe('applied');
    expect(first.ticket).toMatchObject({ ticketId, area: 'jaipur', notes: 'from dealer 7', status: 'open', parentCount: 0, createdBy: biller.username });
    expect(first.ticket.number).toMatch(RETURN_TICKET_NUMBER_PATTERN);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()).replaceAll('-', '');
    expect(first.ticket.number.slice(4, 12)).toBe(day);
    const again = await t.as(admin).return.create({ ticketId, area: 'indore' });
    expect(again).toMatchObject({ outcome: 'unchanged', ticket: { number: first.ticket.number, area: 'jaipur' } });
    const audit = await sql<{ action: string }>`select action from audit_log where entity_type = 'return_ticket' and entity_id = ${first.ticket.number}`.execute(t.deps.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['return.create']);
  });

  it('refuses bad input with typed errors and changes nothing', async () => {
    expect((await refusal(t.as(biller).return.create({ ticketId: randomUUID(), area: 'atlantis' }))).appCode).toBe('AREA_NOT_FOUND');
    expect((await refusal(t.as(biller).return.create({ ticketId: randomUUID(), area: 'jaipur', notes: 'x'.repeat(501) }))).appCode).toBe('VALIDATION');
    expect((await refusal(t.as(biller).return.create({ ticketId: 'not-a-uuid', area: 'jaipur' }))).appCode).toBe('VALIDATION');
    expect((await refusal(t.as(biller).return.scan({ ticketId: randomUUID(), code: 'SB00001' }))).appCode).toBe('TICKET_NOT_FOUND');
    const { ticketId } = await openTicket();
    expect((await refusal(t.as(biller).return.scan({ ticketId, code: 'A1' }))).appCode).toBe('INVALID_CODE');
    expect((await refusal(t.as(biller).return.update({ ticketId, area: 'nowhere' }))).appCode).toBe('AREA_NOT_FOUND');
    expect(await ticketRow(ticketId)).toMatchObject({ parent_count: 0, status: 'open' });
  });

  it('refuses each check in the issue order, each with its code and a sentence', async () => {
    const { billNumber, parents } = await completedBill([4, 5]);
    const mine = await openTicket();
    const other = await openTicket();
    const unbilled = await createParentBag(t.deps.db, { children: 2 });
    const child = await createLooseChild(t.deps.db, `LC${Date.now() % 1_000_000}`);

    expect(await refusal(t.as(biller).return.scan({ ticketId: mine.ticketId, code: 'SB99998' }))).toMatchObject({ appCode: 'BAG_NOT_FOUND' });
    expect(await refusal(t.as(biller).return.scan({ ticketId: mine.ticketId, code: child.code }))).toMatchObject({ appCode: 'WRONG_BAG_TYPE' });
    expect(await refusal(t.as(biller).return.scan({ ticketId: mine.ticketId, code: unbilled.code }))).toMatchObject({ appCode: 'NOT_ON_A_BILL' });

    await t.as(biller).return.scan({ ticketId: mine.ticketId, code: parents[0]! });
    expect(await refusal(t.as(biller).return.scan({ ticketId: mine.ticketId, code: parents[0]! }))).toMatchObject({ appCode: 'ALREADY_ON_TICKET' });
    const onOther = await refusal(t.as(biller).return.scan({ ticketId: other.ticketId, code: parents[0]! }));
    expect(onOther.appCode).toBe('ON_OTHER_TICKET');
    expect(onOther.message).toContain(mine.number);

    await t.as(biller).return.finalize({ ticketId: mine.ticketId });
    // Closed is checked first: even a bag that could be returned is refused on a closed ticket.
    expect(await refusal(t.as(biller).return.scan({ ticketId: mine.ticketId, code: parents[1]! }))).toMatchObject({ appCode: 'TICKET_CLOSED' });
    // Once that ticket is committed, the parent is on no open ticket and on no bill.
    expect(await refusal(t.as(biller).return.scan({ ticketId: other.ticketId, code: parents[0]! }))).toMatchObject({ appCode: 'NOT_ON_A_BILL' });
    const bill = await t.as(biller).bill.get({ billNumber });
    expect(bill.bill.parentCount).toBe(1);
    expect(bill.returns).toHaveLength(1);
  });

  it('takes a parent off a completed bill: bill totals before and after, the return event, the ticket totals, audit rows', async () => {
    const { billNumber, parents } = await completedBill([10, 7, 3]);
    const before = (await t.as(biller).bill.get({ billNumber })).bill;
    expect(before).toMatchObject({ status: 'completed', parentCount: 3, childCount: 20, actualWeightKg: 20, expectedWeightKg: 90 });
    const { ticketId, number } = await openTicket();

    const res = await t.as(biller).return.scan({ ticketId, code: parents[1]!.toLowerCase() });
    expect(res.outcome).toBe('applied');
    expect(res.ticket).toMatchObject({ parentCount: 1, childCount: 7, weightKg: 7, status: 'open' });
    expect(res.event).toMatchObject({
      parentCode: parents[1], ticketNumber: number, parentsBefore: 3, parentsAfter: 2, childrenBefore: 20, childrenAfter: 13, weightBeforeKg: 20, weightAfterKg: 13,
    });
    const after = await t.as(biller).bill.get({ billNumber });
    expect(after.bill).toMatchObject({ status: 'completed', parentCount: 2, childCount: 13, actualWeightKg: 13, expectedWeightKg: 60, varianceKg: -47 });
    expect(after.parents.map((p) => p.code)).not.toContain(parents[1]);
    expect(after.returns).toEqual([
      expect.objectContaining({ parentCode: parents[1], ticketId, ticketNumber: number, parentsBefore: 3, parentsAfter: 2, returnedBy: biller.username }),
    ]);

    await t.as(biller).return.scan({ ticketId, code: parents[0]! });
    await t.as(admin).return.scan({ ticketId, code: parents[2]! });
    // Every parent came back: the bill stays completed (the truck left with it), holding none.
    const emptied = await t.as(biller).bill.get({ billNumber });
    expect(emptied.bill).toMatchObject({ status: 'completed', parentCount: 0, actualWeightKg: 0 });
    expect(emptied.returns.map((r) => r.parentsAfter)).toEqual([0, 1, 2]);
    expect(await ticketRow(ticketId)).toEqual({ parent_count: 3, child_count: 20, weight_kg: 20, status: 'open' });
    const detail = await t.as(biller).return.get({ ticketId });
    expect(detail.bags.map((b) => [b.parentCode, b.billNumber, b.childCount])).toEqual([[parents[2], billNumber, 3], [parents[0], billNumber, 10], [parents[1], billNumber, 7]]);

    // The returned parent can go on a new bill.
    const next = nextBillNumber('RT');
    await t.as(biller).bill.create({ billNumber: next, capacity: 5 });
    expect((await t.as(biller).bill.addParent({ billNumber: next, parentCode: parents[1]! })).outcome).toBe('applied');

    const audits = await sql<{ action: string; entity_type: string }>`
      select action, entity_type from audit_log where after->>'returnedParent' = ${parents[1]!} order by id`.execute(t.deps.db);
    expect(audits.rows).toEqual([{ action: 'return.scan', entity_type: 'return_ticket' }, { action: 'bill.return_parent', entity_type: 'bill' }]);
    await expectInvariants();
  });

  it('a loading bill that loses its last parent is open again; counters follow', async () => {
    const { billNumber, parents } = await completedBill([2], { complete: false });
    const { ticketId } = await openTicket();
    await t.as(biller).return.scan({ ticketId, code: parents[0]! });
    expect((await t.as(biller).bill.get({ billNumber })).bill).toMatchObject({ status: 'open', parentCount: 0 });
    await expectInvariants();
  });

  it('edits while open, finalises (needs a bag), cancels (bags stay off their bills), and refuses once closed', async () => {
    const empty = await openTicket();
    expect(await refusal(t.as(biller).return.finalize({ ticketId: empty.ticketId }))).toMatchObject({ appCode: 'TICKET_EMPTY' });
    const edited = await t.as(biller).return.update({ ticketId: empty.ticketId, area: 'akola', notes: '' });
    expect(edited.ticket).toMatchObject({ area: 'akola', notes: null });
    const cancelled = await t.as(biller).return.cancel({ ticketId: empty.ticketId });
    expect(cancelled.ticket).toMatchObject({ status: 'cancelled', closedBy: biller.username });
    expect((await t.as(biller).return.cancel({ ticketId: empty.ticketId })).outcome).toBe('unchanged');
    expect(await refusal(t.as(biller).return.update({ ticketId: empty.ticketId, notes: 'late' }))).toMatchObject({ appCode: 'TICKET_CLOSED' });
    expect(await refusal(t.as(biller).return.finalize({ ticketId: empty.ticketId }))).toMatchObject({ appCode: 'TICKET_CLOSED' });

    const { billNumber, parents } = await completedBill([5, 6]);
    const used = await openTicket();
    await t.as(biller).return.scan({ ticketId: used.ticketId, code: parents[0]! });
    const res = await t.as(biller).return.cancel({ ticketId: used.ticketId });
    expect(res.message).toContain('can go on new bills');
    expect((await t.as(biller).bill.get({ billNumber })).bill.parentCount).toBe(1);
    // A cancelled ticket holds nobody back: the other parent goes on a new ticket.
    const fresh = await openTicket();
    await t.as(biller).return.scan({ ticketId: fresh.ticketId, code: parents[1]! });
    const done = await t.as(biller).return.finalize({ ticketId: fresh.ticketId });
    expect(done.ticket).toMatchObject({ status: 'committed', parentCount: 1, closedBy: biller.username });
    expect((await t.as(biller).return.finalize({ ticketId: fresh.ticketId })).outcome).toBe('unchanged');
    expect(await refusal(t.as(biller).return.cancel({ ticketId: fresh.ticketId }))).toMatchObject({ appCode: 'TICKET_CLOSED' });
    const actions = await sql<{ action: string }>`select action from audit_log where entity_type = 'return_ticket' and entity_id = ${fresh.number} order by id`.execute(t.deps.db);
    expect(actions.rows.map((r) => r.action)).toEqual(['return.create', 'return.scan', 'return.finalize']);
  });

  it('lists tickets newest first with status, location and date filters and a keyset cursor', async () => {
    const a = await openTicket(biller, 'ranchi');
    const b = await openTicket(biller, 'ranchi');
    const c = await openTicket(biller, 'ranchi');
    await t.as(biller).return.cancel({ ticketId: b.ticketId });
    const page1 = await t.as(biller).return.list({ area: 'ranchi', limit: 2 });
    expect(page1.items.map((i) => i.number)).toEqual([c.number, b.number]);
    const page2 = await t.as(biller).return.list({ area: 'ranchi', limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.number)).toEqual([a.number]);
    expect(page2.nextCursor).toBeNull();
    expect((await t.as(biller).return.list({ area: 'ranchi', status: 'cancelled' })).items.map((i) => i.number)).toEqual([b.number]);
    expect((await t.as(biller).return.list({ area: 'ranchi', from: new Date(Date.now() + 3_600_000).toISOString() })).items).toEqual([]);
    expect((await refusal(t.as(biller).return.list({ cursor: 'garbage' }))).appCode).toBe('VALIDATION');
  });

  it('refuses dispatchers every return procedure (FORBIDDEN), online and through sync', async () => {
    expect((await refusal(t.as(dispatcher).return.create({ ticketId: randomUUID(), area: 'lucknow' }))).appCode).toBe('FORBIDDEN');
    expect((await refusal(t.as(dispatcher).return.list({}))).appCode).toBe('FORBIDDEN');
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, dispatcher.id));
    const deviceId = randomUUID();
    await http.mutate('device.register', { deviceId });
    const queue = mutationQueue();
    const res = await http.mutate('sync.push', { deviceId, mutations: [queue.next('return.create', { ticketId: randomUUID(), area: 'lucknow' })] });
    expect(res.data.results[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
  });
});

describe('returns on the bill print data, the end-of-day summary and in exports', () => {
  it('exports a ticket (CSV and XLSX) and the ticket list to billers, counts the day\'s returns apart, and puts them in the bill manifest', async () => {
    const { billNumber, parents } = await completedBill([6, 4]);
    const { ticketId, number } = await openTicket(biller, 'bathinda');
    await t.as(biller).return.scan({ ticketId, code: parents[0]! });
    const cookie = await sessionCookieFor(t.deps, biller.id);
    const get = (url: string) => app.request(url, { headers: { cookie } });

    const one = await get(`/api/exports/return/${number}.csv`);
    expect(one.status).toBe(200);
    const records = await parseCsv(one.body!);
    expect(records.filter((r) => r.length === 1 && r[0]).map((r) => r[0])).toEqual(['Return ticket', 'Bags']);
    expect(records.find((r) => r[0] === parents[0])).toEqual([parents[0], 'SB', '6', '6', billNumber, biller.username, expect.any(String)]);
    const sheets = await parseXlsx(Buffer.from(await (await get(`/api/exports/return/${number}.xlsx`)).arrayBuffer()));
    expect(sheets.map((x) => x.name)).toEqual(['Return ticket', 'Bags']);
    expect(sheets[0]!.rows[1]!.slice(0, 6)).toEqual([number, 'open', 'bathinda', 1, 6, 6]);

    const list = await parseCsv((await get('/api/exports/returns.csv?area=bathinda')).body!);
    expect(list.filter((r) => r[0] === number)).toHaveLength(1);
    expect((await get('/api/exports/return/RTN-1.csv')).status).toBe(400);
    expect((await get('/api/exports/return/RTN-20260101-0000.csv')).status).toBe(404);
    const dispatcherCookie = await sessionCookieFor(t.deps, dispatcher.id);
    expect((await app.request(`/api/exports/return/${number}.csv`, { headers: { cookie: dispatcherCookie } })).status).toBe(403);

    // The manifest of the bill an admin exports has the Returns sheet; the bills export counts them.
    const adminGet = async (url: string) => app.request(url, { headers: { cookie: await sessionCookieFor(t.deps, admin.id) } });
    const manifest = await parseXlsx(Buffer.from(await (await adminGet(`/api/exports/bill/${billNumber}.xlsx`)).arrayBuffer()));
    expect(manifest.find((x) => x.name === 'Returns')!.rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([[parents[0], number, 2, 1]]);
    const billsCsv = await parseCsv((await adminGet(`/api/exports/bills.csv?search=${billNumber}`)).body!);
    expect(billsCsv[1]![billsCsv[0]!.indexOf('Returned parents')]).toBe('1');

    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const eod = await t.as(admin).report.endOfDay({ date: day });
    expect(eod.returns.items.filter((r) => r.ticketNumber === number)).toEqual([expect.objectContaining({ billNumber, parentCode: parents[0], childrenBefore: 10, childrenAfter: 4 })]);
    expect(eod.returns.parents).toBe(eod.returns.items.length);
  });
});

describe('returns through sync.push', () => {
  async function deviceFor(user: Actor) {
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, user.id));
    const deviceId = randomUUID();
    expect((await http.mutate('device.register', { deviceId, label: 'C&F desk' })).status).toBe(200);
    return { http, deviceId, queue: mutationQueue() };
  }

  it('creates, scans and finalises offline-queued; a resent push is replay: true and applied once', async () => {
    const { billNumber, parents } = await completedBill([8, 9, 10]);
    const { http, deviceId, queue } = await deviceFor(biller);
    const ticketId = randomUUID();
    const mutations = [
      queue.next('return.create', { ticketId, area: 'hisar', notes: 'came back on truck 12' }),
      ...parents.map((code) => queue.next('return.scan', { ticketId, code })),
      queue.next('return.scan', { ticketId, code: parents[0]! }),
      queue.next('return.scan', { ticketId, code: 'SB99997' }),
      queue.next('return.finalize', { ticketId }),
    ];
    const first = await http.mutate('sync.push', { deviceId, mutations });
    expect(first.status).toBe(200);
    expect(first.data.results.map((r: any) => r.code ?? r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'ALREADY_ON_TICKET', 'BAG_NOT_FOUND', 'applied']);
    expect(first.data.results.every((r: any) => r.replay === false)).toBe(true);
    expect(first.data.ackedThroughSeq).toBe(7);

    const eventsBefore = Number((await sql<{ n: number }>`select count(*)::int as n from bill_return_events`.execute(t.deps.db)).rows[0]!.n);
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results.every((r: any) => r.replay === true)).toBe(true);
    expect(again.data.results.map((r: any) => [r.status, r.code, r.message])).toEqual(first.data.results.map((r: any) => [r.status, r.code, r.message]));
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from bill_return_events`.execute(t.deps.db)).rows[0]!.n)).toBe(eventsBefore);

    const bill = await t.as(biller).bill.get({ billNumber });
    expect(bill.bill).toMatchObject({ status: 'completed', parentCount: 0, childCount: 0 });
    expect(bill.returns).toHaveLength(3);
    expect(await ticketRow(ticketId)).toEqual({ parent_count: 3, child_count: 27, weight_kg: 27, status: 'committed' });
    const scanAudits = await sql<{ n: number }>`select count(*)::int as n from audit_log where device_id = ${deviceId} and action in ('return.scan', 'bill.return_parent')`.execute(t.deps.db);
    expect(scanAudits.rows[0]!.n).toBe(6);
    await expectInvariants();
  });

  it('refuses a scan on a ticket closed offline by another device, as a final outcome', async () => {
    const { parents } = await completedBill([3, 3]);
    const a = await deviceFor(biller);
    const b = await deviceFor(admin);
    const ticketId = randomUUID();
    const created = await a.http.mutate('sync.push', { deviceId: a.deviceId, mutations: [a.queue.next('return.create', { ticketId, area: 'sangaria' }), a.queue.next('return.scan', { ticketId, code: parents[0]! })] });
    expect(created.data.results.map((r: any) => r.status)).toEqual(['applied', 'applied']);
    await b.http.mutate('sync.push', { deviceId: b.deviceId, mutations: [b.queue.next('return.cancel', { ticketId })] });
    const late = await a.http.mutate('sync.push', { deviceId: a.deviceId, mutations: [a.queue.next('return.scan', { ticketId, code: parents[1]! })] });
    expect(late.data.results[0]).toMatchObject({ status: 'rejected', code: 'TICKET_CLOSED', replay: false });
    expect(late.data.ackedThroughSeq).toBe(3);
  });
});

describe('returns under concurrency', () => {
  it('two tickets scanning the same parent at once: exactly one wins, the other is ON_OTHER_TICKET', async () => {
    for (let round = 0; round < 8; round++) {
      const { parents } = await completedBill([5]);
      const [x, y] = [await openTicket(biller), await openTicket(admin)];
      const results = await Promise.allSettled([
        t.as(biller).return.scan({ ticketId: x.ticketId, code: parents[0]! }),
        t.as(admin).return.scan({ ticketId: y.ticketId, code: parents[0]! }),
      ]);
      const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : ((r.reason as { cause?: { code?: string } }).cause?.code ?? 'unknown')));
      expect(codes.sort()).toEqual(['ON_OTHER_TICKET', 'ok']);
      const bagRows = await sql<{ n: number }>`select count(*)::int as n from return_ticket_bags where parent_code = ${parents[0]!}`.execute(t.deps.db);
      expect(bagRows.rows[0]!.n).toBe(1);
    }
    await expectInvariants();
  });

  it('returns racing bill completion, additions and removals leave the invariants intact', async () => {
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const { billNumber, parents } = await completedBill([4, 6, 2, 9], { complete: false });
      const extra = await createParentBag(t.deps.db, { children: 3 });
      const { ticketId } = await openTicket();
      await Promise.allSettled([
        t.as(biller).return.scan({ ticketId, code: parents[0]! }),
        t.as(admin).bill.complete({ billNumber, allowShort: true }),
        t.as(biller).return.scan({ ticketId, code: parents[1]! }),
        t.as(admin).bill.addParent({ billNumber, parentCode: extra.code }),
        t.as(biller).bill.removeParent({ billNumber, parentCode: parents[2]! }),
        t.as(admin).return.finalize({ ticketId }),
      ]);
      const bill = await t.as(biller).bill.get({ billNumber });
      expect(bill.bill.parentCount).toBe(bill.parents.length);
      // Each scanned parent is either still on the bill or returned from it (with its event), never both.
      const onBill = new Set(bill.parents.map((p) => p.code));
      const returned = new Set(bill.returns.map((r) => r.parentCode));
      for (const code of [parents[0]!, parents[1]!]) expect([code, onBill.has(code) !== returned.has(code)]).toEqual([code, true]);
      expect(returned.size).toBe((await ticketRow(ticketId))!.parent_count);
    }
    await expectInvariants();
  });
});
