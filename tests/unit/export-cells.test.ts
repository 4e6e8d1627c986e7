import { exportHref, exportQueryString } from '@tracetrack/shared/export-links';
import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../server/src/modules/exports/file-name';
import { localDateTime } from '../../server/src/modules/exports/local-time';
import { neutralise } from '../../server/src/modules/exports/sheet';

describe('formula neutralising (CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+SUM(1,2)', `'+SUM(1,2)`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tcmd', `'\tcmd`],
    ['\rcmd', `'\rcmd`],
    ['Indore', 'Indore'],
    ['SB00001', 'SB00001'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(neutralise(input)).toBe(output);
  });

  it('leaves numbers and empty cells alone, negative ones too', () => {
    expect(neutralise(-15)).toBe(-15);
    expect(neutralise(0)).toBe(0);
    expect(neutralise(null)).toBeNull();
  });
});

describe('export file names and links', () => {
  const at = new Date('2026-03-10T14:35:20Z');
  it('names the filters and the time in the time zone', () => {
    expect(exportFileName('bags', {}, at, 'Asia/Kolkata', 'csv')).toBe('bags_all_20260310-2005.csv');
    expect(exportFileName('bags', { type: 'child', linked: true, billed: false, code: 'AB1', from: '2026-03-01T00:00:00.000Z' }, at, 'Asia/Kolkata', 'xlsx'))
      .toBe('bags_type-child_linked-yes_billed-no_code-AB1_from-20260301_20260310-2005.xlsx');
    expect(exportFileName('bill', { bill: 'BL/2026.01' }, at, 'UTC', 'csv')).toBe('bill_bill-BL-2026-01_20260310-1435.csv');
    expect(exportFileName('eod', { date: '2026-03-10' }, at, 'Asia/Kolkata', 'csv')).toBe('eod_date-20260310_20260310-2005.csv');
  });

  it('keeps only safe characters, however odd the filter', () => {
    const name = exportFileName('bills', { search: '"; rm -rf /\r\n', createdBy: undefined }, at, 'UTC', 'csv');
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('writes local times for people', () => {
    expect(localDateTime('2026-03-10T18:30:00.000Z', 'Asia/Kolkata')).toBe('2026-03-11 00:00:00');
    expect(localDateTime(null, 'Asia/Kolkata')).toBeNull();
  });

  it('builds the download links the server parses back', () => {
    expect(exportQueryString({ type: 'child', linked: false, code: '', area: undefined, days: 7 })).toBe('?type=child&linked=false&days=7');
    expect(exportHref('bags', 'csv')).toBe('/api/exports/bags.csv');
    expect(exportHref('eod', 'xlsx', { date: '2026-03-10' })).toBe('/api/exports/eod.xlsx?date=2026-03-10');
  });
});
