import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLooseChild, createParentBag } from '../factories/bills';
import { createStaff } from '../factories/users';
import { refusal } from '../helpers/errors';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

const range = (prefix: string, from: number, count: number, digits = 5) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(digits, '0')}`);
const codesOf = async (id: number) =>
  (await sql<{ code: string }>`select code from label_codes where reservation_id = ${id} order by position`.execute(t.deps.db)).rows.map((r) => r.code);

describe('label reservations', () => {
  it('hands out the next parent codes after every code in use and every code reserved, never twice', async () => {
    const admin = t.as(staff.admin);
    await createParentBag(t.deps.db, { code: 'SB00041' });
    await createParentBag(t.deps.db, { code: 'M444-00007', format: 'M444' });
    const first = await admin.label.reserve({ kind: 'parent', format: 'SB', count: 60 });
    expect(first).toMatchObject({ kind: 'parent', format: 'SB', firstCode: 'SB00042', lastCode: 'SB00101', count: 60, createdBy: staff.admin.username });
    expect(await codesOf(first.id)).toEqual(range('SB', 42, 60));
    const second = await admin.label.reserve({ kind: 'parent', format: 'SB', count: 5 });
    expect(second).toMatchObject({ firstCode: 'SB00102', lastCode: 'SB00106' });
    // A bag registered past the reserved block moves the next reservation past it too.
    await createParentBag(t.deps.db, { code: 'SB00500' });
    expect(await admin.label.reserve({ kind: 'parent', format: 'SB', count: 1 })).toMatchObject({ firstCode: 'SB00501' });
    expect(await admin.label.reserve({ kind: 'parent', format: 'M444', count: 3 })).toMatchObject({ firstCode: 'M444-00008', lastCode: 'M444-00010' });
  });

  it('gives concurrent reservations disjoint codes', async () => {
    const admin = t.as(staff.admin);
    const all = await Promise.all(Array.from({ length: 6 }, () => admin.label.reserve({ kind: 'parent', format: 'M444', count: 10 })));
    const codes = (await Promise.all(all.map((r) => codesOf(r.id)))).flat();
    expect(new Set(codes).size).toBe(60);
  });

  it('refuses more codes than a format has left, naming how many are', async () => {
    await createParentBag(t.deps.db, { code: 'SB99990' });
    const r = await refusal(t.as(staff.admin).label.reserve({ kind: 'parent', format: 'SB', count: 20 }));
    expect(r).toMatchObject({ appCode: 'LABEL_CODES_EXHAUSTED', message: 'Only 9 new SB codes are left after SB99990.' });
  });

  it('reserves a child range once, refusing codes that are bags or were reserved', async () => {
    const admin = t.as(staff.admin);
    const block = await admin.label.reserve({ kind: 'child', prefix: 'lbl', firstNumber: 1, digits: 4, count: 20 });
    expect(block).toMatchObject({ kind: 'child', format: null, firstCode: 'LBL0001', lastCode: 'LBL0020', count: 20 });
    const again = await refusal(admin.label.reserve({ kind: 'child', prefix: 'LBL', firstNumber: 15, digits: 4, count: 10 }));
    expect(again).toMatchObject({ appCode: 'LABEL_CODES_TAKEN', message: 'LBL0015, LBL0016, LBL0017, LBL0018, LBL0019 were reserved before; choose another range.' });
    await createLooseChild(t.deps.db, 'LBL0100');
    const taken = await refusal(admin.label.reserve({ kind: 'child', prefix: 'LBL', firstNumber: 90, digits: 4, count: 20 }));
    expect(taken).toMatchObject({ appCode: 'LABEL_CODES_TAKEN', message: 'LBL0100 is already a bag; choose another range.' });
    expect(await refusal(admin.label.reserve({ kind: 'child', prefix: 'SB', firstNumber: 1, digits: 5, count: 2 }))).toMatchObject({ appCode: 'INVALID_CODE' });
    expect(await refusal(admin.label.reserve({ kind: 'child', prefix: '', firstNumber: 1, digits: 2, count: 2 }))).toMatchObject({ appCode: 'INVALID_CODE' });
    expect(await refusal(admin.label.reserve({ kind: 'child', prefix: 'X', firstNumber: 95, digits: 2, count: 10 }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.label.reserve({ kind: 'child', prefix: 'A B', firstNumber: 1, digits: 4, count: 1 }))).toMatchObject({ appCode: 'VALIDATION' });
    expect(await refusal(admin.label.reserve({ kind: 'parent', format: 'SB', count: 1001 }))).toMatchObject({ appCode: 'VALIDATION' });
  });

  it('audits each reservation and lists them newest first for reprinting', async () => {
    const admin = t.as(staff.admin);
    const made = await admin.label.reserve({ kind: 'child', prefix: 'AUD', firstNumber: 1, digits: 3, count: 4 });
    const audit = await sql<{ action: string; after: unknown }>`select action, after from audit_log where entity_type = 'label_reservation' and entity_id = ${String(made.id)}`.execute(t.deps.db);
    expect(audit.rows).toEqual([{ action: 'label.reserve', after: { kind: 'child', format: null, firstCode: 'AUD001', lastCode: 'AUD004', count: 4 } }]);
    const page = await admin.label.list({ limit: 2 });
    expect(page.items[0]).toEqual(made);
    expect(page.nextCursor).not.toBeNull();
    const next = await admin.label.list({ limit: 200, cursor: page.nextCursor! });
    expect(next.items.every((r) => r.id < page.items[1]!.id)).toBe(true);
  });

  it('draws the sheet: each code with its barcode as SVG, in order', async () => {
    const made = await t.as(staff.admin).label.reserve({ kind: 'child', prefix: 'SVG', firstNumber: 7, digits: 3, count: 3 });
    const sheet = await t.as(staff.admin).label.sheet({ id: made.id });
    expect(sheet.labels.map((l) => l.code)).toEqual(['SVG007', 'SVG008', 'SVG009']);
    for (const l of sheet.labels) {
      expect(l.svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(l.svg).not.toMatch(/<script|href=|on\w+=/i);
    }
    const bars = await t.as(staff.admin).label.sheet({ id: made.id, symbology: 'code128' });
    expect(bars.labels[0]!.svg).not.toBe(sheet.labels[0]!.svg);
    expect(await refusal(t.as(staff.admin).label.sheet({ id: 99_999_999 }))).toMatchObject({ appCode: 'RESERVATION_NOT_FOUND', code: 'NOT_FOUND' });
  });

  it('is for admins only', async () => {
    for (const role of ['biller', 'dispatcher'] as const) {
      expect(await refusal(t.as(staff[role]).label.reserve({ kind: 'parent', format: 'SB', count: 1 }))).toMatchObject({ appCode: 'FORBIDDEN' });
      expect(await refusal(t.as(staff[role]).label.list({}))).toMatchObject({ appCode: 'FORBIDDEN' });
    }
  });
});
