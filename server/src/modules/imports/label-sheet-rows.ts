import { classifyCode, normalizeCode, PARENT_FORMATS } from '@tracetrack/shared';
import type { TableRow } from './read-table';
import { rawOf, type RowError, type StagedRowDraft } from './types';

/** A child label's code: the digits after "LABEL NO." or "LABEL NO.:". */
const LABEL_NUMBER = /LABEL\s*NO\.\s*:?\s*(\d+)/i;
const PARENT_PREFIXES = PARENT_FORMATS.map((f) => f.example.replace(/\d+$/, ''));

export type LabelRow =
  | { kind: 'child'; code: string }
  | { kind: 'parent'; code: string; error: RowError | null }
  | { kind: 'blank' }
  | { kind: 'unreadable'; error: RowError };

/**
 * One "Sr. No. / QR Code" row of a printer's label sheet. A parent row (its QR starts with a
 * parent prefix, SB or M444-, or its Sr. No. reads "Parent Code") closes a batch; a child row has
 * a numeric Sr. No. and a QR text holding LABEL NO.
 */
export function readLabelRow(cells: readonly string[]): LabelRow {
  const serial = (cells[0] ?? '').trim();
  const qr = (cells[1] ?? '').trim();
  if (!serial && !qr) return { kind: 'blank' };
  const qrCode = normalizeCode(qr);
  const isParent = /^parent\s*code$/i.test(serial) || PARENT_PREFIXES.some((p) => qrCode.startsWith(p));
  if (isParent) {
    if (!qrCode) return { kind: 'parent', code: '', error: { code: 'ROW_INVALID', message: 'This parent row has no code in its QR Code column.' } };
    const parsed = classifyCode(qrCode);
    if (parsed.kind !== 'parent') {
      const formats = PARENT_FORMATS.map((f) => f.example).join(' or ');
      return { kind: 'parent', code: qrCode.slice(0, 50), error: { code: 'ROW_INVALID', message: `"${qrCode.slice(0, 50)}" is not a parent code; parent codes look like ${formats}.` } };
    }
    return { kind: 'parent', code: parsed.code, error: null };
  }
  if (!/^\d+$/.test(serial)) {
    return { kind: 'unreadable', error: { code: 'ROW_INVALID', message: `Sr. No. "${serial.slice(0, 40)}" is neither a number (a child label) nor "Parent Code".` } };
  }
  const match = LABEL_NUMBER.exec(qr);
  if (!match) return { kind: 'unreadable', error: { code: 'ROW_INVALID', message: 'The label is unreadable: its QR Code text has no "LABEL NO." followed by digits.' } };
  const code = match[1]!;
  if (classifyCode(code).kind !== 'child') {
    return { kind: 'unreadable', error: { code: 'ROW_INVALID', message: `LABEL NO. ${code.slice(0, 30)} is not a child code (4–20 letters and digits).` } };
  }
  return { kind: 'child', code };
}

function looksLikeHeader(cells: readonly string[]): boolean {
  return readLabelRow(cells).kind === 'unreadable';
}

/**
 * Reads a label sheet row by row into batches: children since the previous parent row belong to
 * the parent row that follows them, within one sheet. Row 1 of each sheet is its header (unless it
 * reads as a label). Children left open when their sheet ends have no parent: their batch is
 * orphaned (`orphanUnits`). A batch with more children than its parent's format holds is refused
 * on the parent row.
 */
export class LabelSheetReader {
  readonly orphanUnits: number[] = [];
  private unit = 1;
  private childCount = 0;
  private sheet: string | null | undefined = undefined;

  *read(row: TableRow): Generator<StagedRowDraft> {
    if (row.sheet !== this.sheet) {
      this.closeSheet();
      this.sheet = row.sheet;
      if (row.rowNumber === 1 && looksLikeHeader(row.cells)) return;
    }
    const label = readLabelRow(row.cells);
    if (label.kind === 'blank') return;
    const base = { sheet: row.sheet, rowNumber: row.rowNumber, unit: this.unit, area: null, bill: null, raw: rawOf(row.cells.slice(0, 2)) };
    if (label.kind === 'child') {
      this.childCount += 1;
      yield { ...base, op: 'child', code: label.code, parentCode: null, error: null };
    } else if (label.kind === 'unreadable') {
      this.childCount += 1;
      yield { ...base, op: 'none', code: null, parentCode: null, error: label.error };
    } else {
      const capacity = classifyCode(label.code);
      const error = label.error ?? (capacity.kind === 'parent' && this.childCount > capacity.spec.maxChildren
        ? { code: 'BATCH_OVER_CAPACITY' as const, message: `This batch has ${this.childCount} children; a ${capacity.format} parent holds at most ${capacity.spec.maxChildren}.` }
        : null);
      yield { ...base, op: error && !label.code ? 'none' : 'parent', code: label.code || null, parentCode: null, error };
      this.unit += 1;
      this.childCount = 0;
    }
  }

  /** Call once after the last row. */
  finish(): void {
    this.closeSheet();
  }

  /** The unit the label rows of a batch share; the next parent row closes it. */
  private closeSheet() {
    if (this.childCount > 0) {
      this.orphanUnits.push(this.unit);
      this.unit += 1;
      this.childCount = 0;
    }
  }
}
