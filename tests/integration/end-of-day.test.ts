import { computeBillWeights } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { runEodMailCheck, startEodMail } from '../../server/src/modules/reports/eod-mail';
import { createParentBag, nextBillNumber } from '../factories/bills';
import { createUser } from '../factories/users';
import { parseCsv, parseXlsx } from '../helpers/exports';
import { sessionCookieFor } from '../helpers/http';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * A seeded day (2026-03-10 in Asia/Kolkata, UTC+05:30): bills created and completed that day,
 * one created the day before and completed that day, one created that day and completed the next,
 * and bills of other days that must not show. Totals are computed here from the seed itself.
 */
const DAY = '2026-03-10';
const at = (localTime: string, day = DAY) => new Date(`${day}T${localTime}+05:30`);

interface SeedBill {
  number: string;
  by: 'biller1' | 'biller2';
  completedBy?: 'biller1' | 'biller2' | 'admin';
  createdAt: Date;
  completedAt?: Date;
  parents: Array<{ format: 'SB' | 'M444'; children: number }>;
  destination?: string;
}

let t: TestApp;
let smtp: TestSmtpServer;
let now = at('20:05');
const people = {} as Record<'admin' | 'biller1' | 'biller2' | 'dispatcher' | 'lockedBiller', Actor>;
const bills: SeedBill[] = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ smtpUrl: smtp.url, eodSendAt: '20:00', clock: () => now, publicUrl: 'https://tt.example' });
  people.admin = await createUser(t.deps.db, { role: 'admin', email: 'boss@example.test' });
  people.biller1 = await createUser(t.deps.db, { role: 'biller', email: 'b1@example.test' });
  people.biller2 = await createUser(t.deps.db, { role: 'biller', email: 'b2@example.test' });
  people.dispatcher = await createUser(t.deps.db, { role: 'dispatcher', email: 'd@example.test' });
  people.lockedBiller = await createUser(t.deps.db, { role: 'biller', email: 'gone@example.test' });
  await sql`update users set is_locked = true where id = ${people.lockedBiller.id}`.execute(t.deps.db);

  bills.push(
    { number: nextBillNumber('EOD'), by: 'biller1', createdAt: at('09:15'), completedAt: at('11:00'), completedBy: 'biller1', parents: [{ format: 'SB', children: 30 }, { format: 'SB', children: 28 }], destination: '=HYPERLINK("x")' },
    { number: nextBillNumber('EOD'), by: 'biller1', createdAt: at('00:10'), completedAt: at('23:50'), completedBy: 'admin', parents: [{ format: 'M444', children: 15 }, { format: 'SB', children: 12 }] },
    { number: nextBillNumber('EOD'), by: 'biller2', createdAt: at('13:00'), parents: [{ format: 'SB', children: 5 }] },
    { number: nextBillNumber('EOD'), by: 'biller2', createdAt: at('14:00'), parents: [] },
    { number: nextBillNumber('EOD'), by: 'biller2', createdAt: at('18:00', '2026-03-09'), completedAt: at('08:30'), completedBy: 'biller2', parents: [{ format: 'M444', children: 10 }] },
    { number: nextBillNumber('EOD'), by: 'biller1', createdAt: at('22:00'), completedAt: at('07:00', '2026-03-11'), completedBy: 'biller1', parents: [{ format: 'SB', children: 30 }] },
    // Other days only: never listed.
    { number: nextBillNumber('EOD'), by: 'biller1', createdAt: at('23:59', '2026-03-09'), parents: [{ format: 'SB', children: 3 }] },
    { number: nextBillNumber('EOD'), by: 'biller2', createdAt: at('00:00', '2026-03-11'), completedAt: at('01:00', '2026-03-11'), completedBy: 'biller2', parents: [{ format: 'SB', children: 1 }] },
  );
  for (const b of bills) {
    const actor = people[b.by];
    await t.as(actor).bill.create({ billNumber: b.number, capacity: 10, ...(b.destination ? { destination: b.destination } : {}) });
    for (const p of b.parents) {
      const parent = await createParentBag(t.deps.db, { format: p.format, children: p.children });
      await t.as(actor).bill.addParent({ billNumber: b.number, parentCode: parent.code });
    }
    if (b.completedAt) await t.as(people[b.completedBy!]).bill.complete({ billNumber: b.number, allowShort: true });
    await sql`update bills set created_at = ${b.createdAt}, completed_at = ${b.completedAt ?? null} where bill_number = ${b.number}`.execute(t.deps.db);
  }
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const dayStart = at('00:00').getTime();
const dayEnd = dayStart + 86_400_000;
const inDay = (d: Date | undefined) => d !== undefined && d.getTime() >= dayStart && d.getTime() < dayEnd;
const weightsOf = (list: SeedBill[]) => {
  const w = computeBillWeights(list.flatMap((b) => b.parents.map((p) => ({ format: p.format, parents: 1, children: p.children }))));
  return { parents: w.parentCount, children: w.childCount, actualWeightKg: w.actualWeightKg, expectedWeightKg: w.expectedWeightKg, varianceKg: w.varianceKg };
};

describe('end-of-day summary', () => {
  it('matches the totals computed from the seeded day, by status and by user, each bill listed once', async () => {
    const report = await t.as(people.admin).report.endOfDay({ date: DAY });
    const listed = bills.filter((b) => inDay(b.createdAt) || inDay(b.completedAt));
    expect(report.bills.map((b) => b.billNumber).sort()).toEqual(listed.map((b) => b.number).sort());
    expect(report.totals).toEqual({
      billsCreated: bills.filter((b) => inDay(b.createdAt)).length,
      billsCompleted: bills.filter((b) => inDay(b.completedAt)).length,
      bills: listed.length,
      ...weightsOf(listed),
    });
    const statusOf = (b: SeedBill) => (b.completedAt ? 'completed' : b.parents.length ? 'loading' : 'open');
    expect(report.byStatus).toEqual((['open', 'loading', 'completed'] as const).map((status) => {
      const of = listed.filter((b) => statusOf(b) === status);
      return { status, bills: of.length, ...weightsOf(of) };
    }));
    const names = { biller1: people.biller1.username, biller2: people.biller2.username, admin: people.admin.username };
    const byUser = (['admin', 'biller1', 'biller2'] as const).map((who) => {
      const completed = bills.filter((b) => b.completedBy === who && inDay(b.completedAt));
      return { username: names[who], billsCreated: bills.filter((b) => b.by === who && inDay(b.createdAt)).length, billsCompleted: completed.length, ...weightsOf(completed) };
    }).filter((u) => u.billsCreated + u.billsCompleted > 0).sort((a, b) => a.username.localeCompare(b.username));
    expect(report.byUser).toEqual(byUser);
    const crossing = report.bills.find((b) => b.billNumber === bills[5]!.number)!;
    expect(crossing).toMatchObject({ isCreatedThatDay: true, isCompletedThatDay: false, status: 'completed' });
    expect(report.mail).toMatchObject({ isConfigured: true, sendAt: '20:00' });
  });

  it('exports the same summary as CSV (five sections) and XLSX (five sheets, returns apart), formulas neutralised', async () => {
    const cookie = await sessionCookieFor(t.deps, people.admin.id);
    const app = createApp(t.deps);
    const csv = await app.request(`/api/exports/eod.csv?date=${DAY}`, { headers: { cookie } });
    expect(csv.headers.get('content-disposition')).toMatch(/filename="eod_date-20260310_\d{8}-\d{4}\.csv"/);
    const records = await parseCsv(csv.body!);
    expect(records.filter((r) => r.length === 1 && r[0]).map((r) => r[0])).toEqual(['Totals', 'By status', 'By user', 'Bills', 'Returns']);
    expect(records.some((r) => r.includes(`'=HYPERLINK("x")`))).toBe(true);
    const sheets = await parseXlsx(Buffer.from(await (await app.request(`/api/exports/eod.xlsx?date=${DAY}`, { headers: { cookie } })).arrayBuffer()));
    expect(sheets.map((s) => s.name)).toEqual(['Totals', 'By status', 'By user', 'Bills', 'Returns']);
    const report = await t.as(people.admin).report.endOfDay({ date: DAY });
    expect(sheets[0]!.rows[1]).toEqual([DAY, report.totals.billsCreated, report.totals.billsCompleted, report.totals.bills, report.totals.parents, report.totals.children, report.totals.actualWeightKg, report.totals.expectedWeightKg, report.totals.varianceKg]);
    expect(sheets[3]!.rows).toHaveLength(report.bills.length + 1);
  });

  it('refuses a date that is not a calendar day', async () => {
    for (const date of ['2026-02-30', '10/03/2026', '1999-12-31', '']) {
      await expect(t.as(people.admin).report.endOfDay({ date })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(t.as(people.biller1).report.endOfDay({ date: DAY })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the daily mail', () => {
  it('waits for EOD_SEND_AT in the time zone', async () => {
    now = at('19:59');
    expect(await runEodMailCheck(t.deps)).toBe('not-yet');
  });

  it('is sent once by the scheduler to the admins and billers with an email, with the summary attached', async () => {
    now = at('20:05');
    const stop = startEodMail(t.deps, 60_000);
    try {
      const mail = await smtp.waitFor((m) => m.raw.includes(`end-of-day summary ${DAY}`));
      expect(mail.to.sort()).toEqual(['b1@example.test', 'b2@example.test', 'boss@example.test']);
      const report = await t.as(people.admin).report.endOfDay({ date: DAY });
      expect(mail.raw).toContain(`Bills completed: ${report.totals.billsCompleted}`);
      expect(mail.raw).toContain(`filename=eod_${DAY}.csv`);
      expect(mail.raw).toContain(`https://tt.example/reports/end-of-day?date=${DAY}`);
      await expect.poll(async () => (await t.as(people.admin).report.endOfDay({ date: DAY })).mail.run?.status).toBe('sent');
    } finally {
      stop();
    }
    // Another worker's check, or this one's next tick: the day is claimed, nothing is sent again.
    expect(await Promise.all([runEodMailCheck(t.deps), runEodMailCheck(t.deps)])).toEqual(['done-already', 'done-already']);
    expect(smtp.received.filter((m) => m.raw.includes(`end-of-day summary ${DAY}`))).toHaveLength(1);
    const run = (await t.as(people.admin).report.endOfDay({ date: DAY })).mail.run;
    expect(run).toMatchObject({ status: 'sent', attempts: 1, recipients: 3 });
  });

  it('two processes racing for a new day send one mail', async () => {
    now = at('21:00', '2026-03-12');
    const results = await Promise.all([runEodMailCheck(t.deps), runEodMailCheck(t.deps), runEodMailCheck(t.deps)]);
    expect(results.filter((r) => r === 'sent')).toHaveLength(1);
    await smtp.waitFor((m) => m.raw.includes('end-of-day summary 2026-03-12'));
    expect(smtp.received.filter((m) => m.raw.includes('end-of-day summary 2026-03-12'))).toHaveLength(1);
  });
});
