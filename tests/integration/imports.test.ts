import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ImportCounts } from '@tracetrack/shared';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { childCodes, generateLabelSheets, labelText, tableCsv, writeLabelSheetXlsx, writeTableXlsx } from '../factories/label-sheets';
import { createStaff } from '../factories/users';
import { sessionCookieFor } from '../helpers/http';
import { importReport, postImport } from '../helpers/imports';
import { countersAndRecount } from '../helpers/recount';
import { waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let app: ReturnType<typeof createApp>;
let cookie: string;
const dir = mkdtempSync(path.join(tmpdir(), 'tt-imports-'));
const base = 'http://localhost';
const fetcher = (url: string, init?: RequestInit) => app.request(url, init);

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
  app = createApp(t.deps);
  cookie = await sessionCookieFor(t.deps, staff.admin.id);
});
afterAll(() => t.close());

const counts = (c: Partial<ImportCounts>): ImportCounts => ({
  rowsRead: 0, parentsCreated: 0, childrenCreated: 0, linksCreated: 0, billsCreated: 0, parentsBilled: 0,
  rowsPresent: 0, rowsWithErrors: 0, rowsNotImported: 0, ...c,
});

async function one<T>(query: string, params: unknown[] = []): Promise<T> {
  const raw = sql.raw(query.replace(/\$(\d+)/g, (_, i) => `'${String(params[Number(i) - 1]).replace(/'/g, "''")}'`));
  return (await sql<{ v: T }>`select (${raw}) as v`.execute(t.deps.db)).rows[0]!.v;
}

/** Commits a checked dry run and waits for the job to finish. */
async function commit(id: string) {
  const admin = t.as(staff.admin);
  await admin.import.commit({ id });
  await waitFor(async () => {
    const imp = await admin.import.get({ id });
    return imp.status === 'committed' && !imp.isRunning;
  }, 120_000, 'the commit to finish');
  return admin.import.get({ id });
}

describe('label sheets', () => {
  it('dry run reports exactly what the commit creates, over 3 sheets and 10,000 children; a second import creates nothing', async () => {
    const gen = generateLabelSheets({ sheets: 3, children: 10_000, batchSize: 30, firstChild: 1_000_000, firstParent: 10_000 });
    const file = path.join(dir, 'labels-10k.xlsx');
    await writeLabelSheetXlsx(file, gen.sheets);
    const rowsRead = gen.children.length + gen.parents.length;
    const before = await countersAndRecount(t.deps.db);

    const dry = await importReport(fetcher, base, cookie, { kind: 'label-sheet', file, fileName: 'labels-10k.xlsx', area: 'indore' });
    expect([dry.status, dry.failure]).toEqual(['checked', null]);
    const expected = counts({ rowsRead, parentsCreated: gen.parents.length, childrenCreated: 10_000, linksCreated: 10_000 });
    expect(dry.dryRunCounts).toEqual(expected);
    expect(dry.errors).toEqual([]);
    // Nothing was written by the dry run.
    expect(await one<number>(`select count(*)::int from bags where code = any(array['${gen.parents[0]}', '${gen.children[0]}'])`)).toBe(0);
    expect(await countersAndRecount(t.deps.db)).toEqual(before);

    const done = await commit(dry.id);
    expect(done.commitCounts).toEqual(expected);
    expect(done.rowsDone).toBe(rowsRead);
    expect(await one<number>(`select count(*)::int from bags where type = 'parent' and area = 'indore' and code like 'SB1%'`)).toBe(gen.parents.length);
    expect(await one<number>(`select count(*)::int from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id where p.area = 'indore' and c.area = 'indore'`)).toBe(10_000);
    // Batches land in the parent that closed them.
    expect(await one<string>(`select p.code from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id where c.code = '${gen.children[31]}'`)).toBe(gen.parents[1]);
    const after = await countersAndRecount(t.deps.db);
    expect(after.counters).toEqual(after.recount);
    expect(after.parentsWithWrongCount).toEqual([]);
    // Every write is a scan event of the importing admin, and the import has its audit row.
    expect(await one<number>(`select count(*)::int from scan_events where user_id = $1 and device_id is null and name in ('parent.scan', 'child.link')`, [staff.admin.id])).toBe(rowsRead);
    const audit = await sql<{ after: { fileName: string; counts: ImportCounts; reportId: string } }>`
      select after from audit_log where action = 'import.commit' and entity_id = ${dry.id}`.execute(t.deps.db);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.after).toMatchObject({ fileName: 'labels-10k.xlsx', counts: expected, reportId: dry.id });

    const again = await importReport(fetcher, base, cookie, { kind: 'label-sheet', file, fileName: 'labels-10k.xlsx', area: 'indore', dryRun: false });
    expect(again.status).toBe('committed');
    expect(again.commitCounts).toEqual(counts({ rowsRead, rowsPresent: rowsRead }));
    expect(await countersAndRecount(t.deps.db)).toEqual(after);
  }, 240_000);

  it('reports an orphaned batch, a duplicate child, a child in another parent, an unreadable label and a batch over capacity by sheet and row, and writes none of those batches', async () => {
    await t.as(staff.admin).bag.scanParent({ code: 'SB29999' });
    await t.as(staff.admin).bag.linkChild({ parentCode: 'SB29999', childCode: '2999999' });
    const a = childCodes(2_000_000, 3);
    const file = path.join(dir, 'labels-bad.xlsx');
    await writeLabelSheetXlsx(file, [
      { name: 'Good', batches: [{ children: a, parent: 'SB20001' }] },
      {
        name: 'Bad',
        batches: [
          { children: ['2000101', a[0]!, '2000103'], parent: 'SB20002' }, // rows 2-4, parent row 5: a duplicate at row 3
          { children: ['2000201', '2999999', '2000203'], parent: 'SB20003' }, // rows 6-8, 9: 2999999 is in SB29999
          { children: ['2000301', { qr: 'LOT NO.:STAR44 D.O.T.:30/09/2025' }, '2000303'], parent: 'SB20004' }, // rows 10-12, 13
          { children: childCodes(2_000_400, 31), parent: 'SB20005' }, // rows 14-44, parent row 45: 31 > 30
          { children: ['2000501', '2000502'], parent: 'M444-20006', isParentCodeSerial: true }, // rows 46-47, 48: good
          { children: ['2000601', '2000602'], parent: null }, // rows 49-50: no parent before the sheet ends
        ],
      },
      { name: 'Good2', batches: [{ children: childCodes(2_000_700, 15), parent: 'M444-20007' }] },
    ]);
    const dry = await importReport(fetcher, base, cookie, { kind: 'label-sheet', file, fileName: 'labels-bad.xlsx', area: 'jaipur' });
    const errors = dry.errors.map((e) => `${e.sheet}:${e.row}:${e.code}:${e.errorCode}`);
    expect(errors).toEqual([
      `Bad:3:${a[0]}:ROW_DUPLICATE`,
      'Bad:7:2999999:CHILD_IN_OTHER_PARENT',
      'Bad:11:null:ROW_INVALID',
      'Bad:45:SB20005:BATCH_OVER_CAPACITY',
      'Bad:49:2000601:BATCH_ORPHANED',
      'Bad:50:2000602:BATCH_ORPHANED',
    ]);
    expect(dry.errors[0]!.message).toBe(`${a[0]} is already on Good row 2 of this file.`);
    expect(dry.errors[1]!.message).toMatch(/already in SB29999/);
    expect(dry.errors[2]!.message).toMatch(/unreadable/);
    expect(dry.errors[3]!.message).toMatch(/31 children; a SB parent holds at most 30/);
    const good = 3 + 1 + 2 + 1 + 15 + 1;
    const expected = counts({
      rowsRead: 4 + 49 + 16, parentsCreated: 3, childrenCreated: 20, linksCreated: 20, rowsWithErrors: 6, rowsNotImported: 4 + 49 + 16 - good - 6,
    });
    expect(dry.dryRunCounts).toEqual(expected);

    const done = await commit(dry.id);
    expect(done.commitCounts).toEqual(expected);
    const written = await sql<{ code: string }>`select code from bags where code like '20%' or code like 'SB200%' or code like 'M444-200%' order by code`.execute(t.deps.db);
    expect(written.rows.map((r) => r.code)).toEqual([...a, '2000501', '2000502', ...childCodes(2_000_700, 15), 'M444-20006', 'M444-20007', 'SB20001'].sort());
    expect(await one<string>(`select p.code from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id where c.code = '2999999'`)).toBe('SB29999');
  }, 60_000);

  it('the downloadable report lists every row in CSV and XLSX, and neutralises formulas the file held', async () => {
    const file = path.join(dir, 'labels-report.xlsx');
    await writeLabelSheetXlsx(file, [{ name: 'S', batches: [{ children: ['3100001', { qr: 'LOT NO.: smudged' }], parent: 'SB31001' }] }]);
    const dry = await importReport(fetcher, base, cookie, { kind: 'label-sheet', file, fileName: 'labels-report.xlsx', area: 'akola' });
    const csv = await fetcher(`${base}/api/imports/${dry.id}/report.csv`, { headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="import-report_labels-report.csv"');
    const records = await csvRecords(csv);
    const header = records.findIndex((r) => r[0] === 'Sheet');
    expect(records.slice(header + 1).map((r) => [r[1], r[2], r[4], r[6]])).toEqual([
      ['2', '3100001', 'Not imported', 'BATCH_REFUSED'],
      ['3', '', 'Error', 'ROW_INVALID'],
      ['4', 'SB31001', 'Not imported', 'BATCH_REFUSED'],
    ]);

    const xlsx = await fetcher(`${base}/api/imports/${dry.id}/report.xlsx`, { headers: { cookie } });
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(await xlsx.arrayBuffer())]), { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
    const sheets: Record<string, unknown[][]> = {};
    for await (const ws of reader) {
      const rows: unknown[][] = [];
      for await (const row of ws) rows.push((row.values as unknown[]).slice(1));
      sheets[(ws as unknown as { name: string }).name] = rows;
    }
    expect(sheets.Summary!.find((r) => r[0] === 'Rows with errors')).toEqual(['Rows with errors', 1]);
    expect(sheets.Rows!.slice(1).map((r) => r[4])).toEqual(['Not imported', 'Error', 'Not imported']);

    // A cell of the file that a spreadsheet would run as a formula is echoed as text.
    const bad = await importReport(fetcher, base, cookie, { kind: 'bags', file: { text: 'code,type\n"=HYPERLINK(""http://evil.example"",""x"")",parent\n' }, fileName: 'evil.csv', area: 'akola' });
    const echoed = await csvRecords(await fetcher(`${base}/api/imports/${bad.id}/report.csv`, { headers: { cookie } }));
    expect(echoed.at(-1)![8]).toBe(`'=HYPERLINK("http://evil.example","x") | parent`);
  });
});

async function csvRecords(res: Response): Promise<string[][]> {
  const records: string[][] = [];
  for await (const r of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream).pipe(parse({ bom: true, relax_column_count: true }))) records.push(r as string[]);
  return records;
}

describe('bags lists', () => {
  const rows = (p: string) => [
    ['code', 'type', 'parent_code', 'area'],
    [`SB${p}001`, 'parent', '', 'Jaipur'],
    [`${p}0001`, 'child', `SB${p}001`, ''],
    [`${p}0002`, 'child', `sb${p}001`, ''],
    [`M444-${p}002`, 'parent', '', ''],
    [`${p}0003`, 'child', `M444-${p}002`, ''],
    [`${p}0004`, 'child', 'SB39999', ''],
    [`${p}0005`, 'banana', '', ''],
    [`SB${p}003`, 'parent', '', 'atlantis'],
    [`${p}0006`, 'child', '', ''],
    ['SB1234', 'parent', '', ''],
  ];
  const expectBagImport = async (report: Awaited<ReturnType<typeof importReport>>, p: string) => {
    expect(report.errors.map((e) => `${e.row}:${e.errorCode}`)).toEqual(['7:BAG_NOT_FOUND', '8:ROW_INVALID', '9:AREA_NOT_FOUND', '10:ROW_INVALID', '11:INVALID_CODE']);
    expect(report.commitCounts).toEqual(counts({ rowsRead: 10, parentsCreated: 2, childrenCreated: 3, linksCreated: 3, rowsWithErrors: 5 }));
    const bags = await sql<{ code: string; area: string | null; parent: string | null }>`
      select b.code, b.area, p.code as parent from bags b left join links l on l.child_id = b.id left join bags p on p.id = l.parent_id
      where b.code = any(${[`${p}0001`, `${p}0002`, `${p}0003`, `${p}0004`, `${p}0005`, `${p}0006`, `M444-${p}002`, `SB${p}001`, `SB${p}003`]}::text[])
      order by b.code`.execute(t.deps.db);
    expect(bags.rows).toEqual([
      { code: `${p}0001`, area: 'jaipur', parent: `SB${p}001` },
      { code: `${p}0002`, area: 'jaipur', parent: `SB${p}001` },
      { code: `${p}0003`, area: 'hisar', parent: `M444-${p}002` },
      { code: `M444-${p}002`, area: 'hisar', parent: null },
      { code: `SB${p}001`, area: 'jaipur', parent: null },
    ]);
  };

  it('imports a CSV with per-row errors, and the same file again changes nothing', async () => {
    const text = tableCsv(rows('41'));
    const report = await importReport(fetcher, base, cookie, { kind: 'bags', file: { text }, fileName: 'bags.csv', area: 'hisar', dryRun: false });
    await expectBagImport(report, '41');
    const again = await importReport(fetcher, base, cookie, { kind: 'bags', file: { text }, fileName: 'bags.csv', area: 'hisar', dryRun: false });
    expect(again.commitCounts).toEqual(counts({ rowsRead: 10, rowsPresent: 5, rowsWithErrors: 5 }));
  });

  it('imports the same rows from XLSX', async () => {
    const file = path.join(dir, 'bags.xlsx');
    await writeTableXlsx(file, rows('42'));
    const dry = await importReport(fetcher, base, cookie, { kind: 'bags', file, fileName: 'bags.xlsx', area: 'hisar' });
    const done = await commit(dry.id);
    expect(done.commitCounts).toEqual(dry.dryRunCounts);
    await expectBagImport(done, '42');
  });

  it('a file without the required columns cannot be read, and says which are missing', async () => {
    const report = await importReport(fetcher, base, cookie, { kind: 'bags', file: { text: 'code,kind\nSB43001,parent\n' }, fileName: 'wrong.csv', area: 'hisar' });
    expect(report.status).toBe('failed');
    expect(report.failure).toMatch(/lacks the column type/);
    const garbage = await importReport(fetcher, base, cookie, { kind: 'bags', file: Buffer.from('PK\u0003\u0004 not a zip at all'), fileName: 'x.xlsx', area: 'hisar' });
    expect(garbage.status).toBe('failed');
    expect(garbage.failure).toMatch(/not a readable XLSX/);
  });
});

describe('bills lists', () => {
  it('imports bills with their parents, with per-row errors, from CSV and XLSX', async () => {
    const admin = t.as(staff.admin);
    for (const code of ['SB50001', 'SB50002', 'M444-50003']) await admin.bag.scanParent({ code });
    await admin.bill.create({ billNumber: 'BL-OLD', capacity: 9 });
    const table = [
      ['bill_number', 'capacity', 'destination', 'vehicle', 'description', 'parent_codes'],
      ['BL-1', 3, 'Delhi', 'MH12AB1234', 'first', 'SB50001 M444-50003'],
      ['bl-2', 2, '', '', '', ''],
      ['BL-3', 1, '', '', '', 'SB59998'],
      ['BL-4', 0, '', '', '', ''],
      ['BL-1', 3, 'Delhi', '', '', ''],
      ['BL-5', 2, '', '', '', 'SB50001'],
      ['BL-6', 5, '=HYPERLINK("x")', '', '', 'SB50002'],
      ['BL-OLD', 5, '', '', '', ''],
    ];
    const report = await importReport(fetcher, base, cookie, { kind: 'bills', file: { text: tableCsv(table) }, fileName: 'bills.csv', dryRun: false });
    expect(report.errors.map((e) => `${e.row}:${e.code}:${e.errorCode}`)).toEqual([
      '4:BL-3:BAG_NOT_FOUND', '5:BL-4:ROW_INVALID', '6:BL-1:ROW_DUPLICATE', '7:BL-5:ROW_DUPLICATE', '9:BL-OLD:BILL_EXISTS',
    ]);
    expect(report.commitCounts).toEqual(counts({ rowsRead: 8, billsCreated: 3, parentsBilled: 3, rowsWithErrors: 5 }));
    const bl1 = await admin.bill.get({ billNumber: 'BL-1' });
    expect(bl1.bill).toMatchObject({ capacity: 3, destination: 'Delhi', vehicleNumber: 'MH12AB1234', description: 'first', parentCount: 2, status: 'loading' });
    expect((await admin.bill.get({ billNumber: 'BL-2' })).bill.parentCount).toBe(0);
    expect(await one<number>(`select count(*)::int from bills where bill_number = 'BL-3'`)).toBe(0);
    const after = await countersAndRecount(t.deps.db);
    expect(after.counters).toEqual(after.recount);

    const file = path.join(dir, 'bills.xlsx');
    await writeTableXlsx(file, table);
    const again = await importReport(fetcher, base, cookie, { kind: 'bills', file, fileName: 'bills.xlsx', dryRun: false });
    expect(again.commitCounts).toEqual(counts({ rowsRead: 8, rowsPresent: 3, rowsWithErrors: 5 }));
  });
});

describe('the upload route', () => {
  const small = { kind: 'label-sheet' as const, file: { text: `Sr. No.,QR Code\n1,${labelText('6100001')}\n2,SB61001\n` }, fileName: 'l.csv', area: 'ranchi' };

  it('is for admins: anonymous 401, biller and dispatcher 403, in JSON', async () => {
    expect((await postImport(fetcher, base, null, small)).status).toBe(401);
    for (const user of [staff.biller, staff.dispatcher]) {
      const res = await postImport(fetcher, base, await sessionCookieFor(t.deps, user.id), small);
      expect(res.status).toBe(403);
      expect(res.body.error?.data.appCode).toBe('FORBIDDEN');
      const report = await fetcher(`${base}/api/imports/00000000-0000-4000-8000-000000000000/report.csv`, { headers: { cookie: await sessionCookieFor(t.deps, user.id) } });
      expect(report.status).toBe(403);
    }
    await expect(t.as(staff.biller).import.list({})).rejects.toMatchObject({ cause: { code: 'FORBIDDEN' } });
  });

  it('refuses a foreign Origin, a body that is not multipart, bad fields, and files over 16 MB with 413', async () => {
    expect((await postImport(fetcher, base, cookie, small, { origin: 'http://evil.example' })).status).toBe(403);
    const notMultipart = await fetcher(`${base}/api/imports`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(400);
    const noArea = await postImport(fetcher, base, cookie, { ...small, area: undefined });
    expect([noArea.status, noArea.body.error?.data.appCode]).toEqual([400, 'AREA_REQUIRED']);
    const badKind = await postImport(fetcher, base, cookie, { ...small, kind: 'pallets' as 'bags' });
    expect([badKind.status, badKind.body.error?.data.appCode]).toEqual([400, 'VALIDATION']);
    const big = await postImport(fetcher, base, cookie, { ...small, file: Buffer.alloc(16 * 1_048_576 + 1, 65) });
    expect(big.status).toBe(413);
    expect(big.body.error?.message).toMatch(/larger than 16 MB/);
  });

  it('lists imports newest first with their progress, and commit and resume refuse what they cannot do', async () => {
    const id = crypto.randomUUID();
    const report = await importReport(fetcher, base, cookie, { ...small, id });
    expect(report.id).toBe(id);
    const admin = t.as(staff.admin);
    const list = await admin.import.list({ limit: 2 });
    expect(list.items[0]).toMatchObject({ id, status: 'checked', rowsTotal: 2, rowsDone: 2, isRunning: false, createdBy: staff.admin.username });
    expect(list.nextCursor).not.toBeNull();
    await expect(admin.import.resume({ id })).rejects.toMatchObject({ cause: { code: 'IMPORT_FINISHED' } });
    await commit(id);
    await expect(admin.import.commit({ id })).rejects.toMatchObject({ cause: { code: 'IMPORT_FINISHED' } });
    await expect(admin.import.get({ id: crypto.randomUUID() })).rejects.toMatchObject({ cause: { code: 'IMPORT_NOT_FOUND' } });
    const again = await postImport(fetcher, base, cookie, { ...small, id });
    expect([again.status, again.body.error?.data.appCode]).toEqual([400, 'VALIDATION']);
  });
});
