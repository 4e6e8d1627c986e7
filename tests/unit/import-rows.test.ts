import { describe, expect, it } from 'vitest';
import { LabelSheetReader, readLabelRow } from '../../server/src/modules/imports/label-sheet-rows';
import { BagListReader, BillListReader } from '../../server/src/modules/imports/list-rows';
import type { ReadContext } from '../../server/src/modules/imports/types';
import { mutationIdOf } from '../../server/src/modules/imports/unit-work';

const ctx = (kind: ReadContext['kind'], area: string | null = null): ReadContext => ({
  kind, area, areaOf: (t) => ({ jaipur: 'jaipur', 'sri ganganagar': 'sri_ganganagar' } as Record<string, string>)[t.toLowerCase()] ?? null,
});

describe('label-sheet rows', () => {
  it('reads the child code after LABEL NO. or LABEL NO.:, and parent rows by prefix or "Parent Code"', () => {
    expect(readLabelRow(['1', 'LABEL NO.:0016586 LOT NO.:STAR44GG24611, D.O.T.:30/09/2025'])).toEqual({ kind: 'child', code: '0016586' });
    expect(readLabelRow(['2', 'LABEL NO. 0016587 LOT NO.:X'])).toEqual({ kind: 'child', code: '0016587' });
    expect(readLabelRow(['31', 'sb00001'])).toEqual({ kind: 'parent', code: 'SB00001', error: null });
    expect(readLabelRow(['Parent Code', 'M444-00002'])).toEqual({ kind: 'parent', code: 'M444-00002', error: null });
    expect(readLabelRow(['', ''])).toEqual({ kind: 'blank' });
  });

  it('refuses unreadable labels and malformed parents with a sentence', () => {
    expect(readLabelRow(['3', 'LOT NO.: smudged'])).toMatchObject({ kind: 'unreadable', error: { code: 'ROW_INVALID', message: expect.stringMatching(/unreadable/) } });
    expect(readLabelRow(['x', 'LABEL NO.:0016586'])).toMatchObject({ kind: 'unreadable', error: { code: 'ROW_INVALID' } });
    expect(readLabelRow(['4', 'LABEL NO.:123'])).toMatchObject({ kind: 'unreadable', error: { message: expect.stringMatching(/not a child code/) } });
    expect(readLabelRow(['5', 'SB123'])).toMatchObject({ kind: 'parent', error: { code: 'ROW_INVALID', message: expect.stringMatching(/not a parent code/) } });
    expect(readLabelRow(['Parent Code', ''])).toMatchObject({ kind: 'parent', error: { code: 'ROW_INVALID' } });
  });

  it('numbers batches across sheets, skips each sheet\'s header, closes a batch at its parent and orphans one left open', () => {
    const reader = new LabelSheetReader();
    const rows = [
      { sheet: 'A', rowNumber: 1, cells: ['Sr. No.', 'QR Code'] },
      { sheet: 'A', rowNumber: 2, cells: ['1', 'LABEL NO.:1000001'] },
      { sheet: 'A', rowNumber: 3, cells: ['2', 'SB00001'] },
      { sheet: 'A', rowNumber: 4, cells: ['3', 'LABEL NO.:1000002'] },
      { sheet: 'B', rowNumber: 1, cells: ['Sr. No.', 'QR Code'] },
      { sheet: 'B', rowNumber: 2, cells: ['1', 'LABEL NO.:1000003'] },
      { sheet: 'B', rowNumber: 3, cells: ['Parent Code', 'M444-00001'] },
    ].flatMap((r) => [...reader.read(r)]);
    reader.finish();
    expect(rows.map((r) => [r.sheet, r.rowNumber, r.op, r.code, r.unit])).toEqual([
      ['A', 2, 'child', '1000001', 1], ['A', 3, 'parent', 'SB00001', 1], ['A', 4, 'child', '1000002', 2],
      ['B', 2, 'child', '1000003', 3], ['B', 3, 'parent', 'M444-00001', 3],
    ]);
    expect(reader.orphanUnits).toEqual([2]);
  });

  it('refuses a batch larger than its parent holds on the parent row', () => {
    const reader = new LabelSheetReader();
    const children = Array.from({ length: 16 }, (_, i) => ({ sheet: 'S', rowNumber: i + 2, cells: [String(i + 1), `LABEL NO.:${2000000 + i}`] }));
    const rows = [...children, { sheet: 'S', rowNumber: 18, cells: ['17', 'M444-00009'] }].flatMap((r) => [...reader.read(r)]);
    expect(rows.at(-1)).toMatchObject({ op: 'parent', error: { code: 'BATCH_OVER_CAPACITY', message: 'This batch has 16 children; a M444 parent holds at most 15.' } });
  });
});

describe('bags and bills rows', () => {
  it('maps bags columns in any order and case, with the import area for parents without one', () => {
    const reader = new BagListReader(ctx('bags', 'jaipur'));
    const read = (cells: string[], rowNumber: number) => [...reader.read({ sheet: null, rowNumber, cells })];
    expect(read(['Type', 'CODE', 'Area', 'parent code'], 1)).toEqual([]);
    expect(read(['parent', 'sb00001', '', ''], 2)[0]).toMatchObject({ op: 'parent', code: 'SB00001', area: 'jaipur', error: null });
    expect(read(['parent', 'SB00002', 'Sri Ganganagar', ''], 3)[0]).toMatchObject({ area: 'sri_ganganagar' });
    expect(read(['child', '0016586', '', 'SB00001'], 4)[0]).toMatchObject({ op: 'child', code: '0016586', parentCode: 'SB00001' });
    expect(read(['child', '0016587', '', ''], 5)[0]).toMatchObject({ op: 'none', error: { code: 'ROW_INVALID' } });
    expect(read(['box', '0016588', '', ''], 6)[0]).toMatchObject({ error: { code: 'ROW_INVALID', message: 'type must be parent or child, not "box".' } });
    expect(read(['parent', 'SB00003', 'mars', ''], 7)[0]).toMatchObject({ error: { code: 'AREA_NOT_FOUND' } });
  });

  it('refuses a bags file without code and type columns', () => {
    const reader = new BagListReader(ctx('bags'));
    expect(() => [...reader.read({ sheet: null, rowNumber: 1, cells: ['code', 'kind'] })]).toThrow(/lacks the column type/);
  });

  it('reads bills with their parent codes and refuses bad capacities and repeated parents', () => {
    const reader = new BillListReader(ctx('bills'));
    const read = (cells: string[]) => [...reader.read({ sheet: null, rowNumber: 2, cells })];
    read(['bill_number', 'capacity', 'destination', 'vehicle', 'description', 'parent_codes']);
    expect(read(['bl-1', '3', ' Delhi ', '', '', 'SB00001  m444-00002'])[0]).toMatchObject({
      op: 'bill', code: 'BL-1', bill: { capacity: 3, destination: 'Delhi', vehicleNumber: null, parentCodes: ['SB00001', 'M444-00002'] },
    });
    expect(read(['BL-2', '501', '', '', '', ''])[0]).toMatchObject({ error: { code: 'ROW_INVALID' } });
    expect(read(['BL-3', '2', '', '', '', 'SB00001 SB00001'])[0]).toMatchObject({ error: { message: 'parent_codes lists SB00001 twice.' } });
    expect(read(['BL-4', '1', '', '', '', 'SB00001 SB00002'])[0]).toMatchObject({ error: { code: 'BATCH_OVER_CAPACITY' } });
  });
});

describe('mutation ids of import rows', () => {
  it('are UUIDs, the same for the same import, row and scan, and different otherwise', () => {
    const id = mutationIdOf('0d1c1f0e-1c1a-4c1e-9c1e-1c1e1c1e1c1e', 12, 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mutationIdOf('0d1c1f0e-1c1a-4c1e-9c1e-1c1e1c1e1c1e', 12, 0)).toBe(id);
    expect(new Set([id, mutationIdOf('0d1c1f0e-1c1a-4c1e-9c1e-1c1e1c1e1c1e', 12, 1), mutationIdOf('0d1c1f0e-1c1a-4c1e-9c1e-1c1e1c1e1c1f', 12, 0)]).size).toBe(3);
  });
});
