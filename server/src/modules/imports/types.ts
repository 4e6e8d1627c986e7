import type { AppErrorCode, ImportKind } from '@tracetrack/shared';

/** A bill row's fields, as stored with the row (import_rows.bill). */
export interface BillFields {
  capacity: number;
  destination: string | null;
  vehicleNumber: string | null;
  description: string | null;
  parentCodes: string[];
}

export interface RowError {
  code: AppErrorCode;
  message: string;
}

/**
 * One row of an import file, read and normalised: what it asks for (op, codes, bill) or why it
 * cannot be read. A unit is what applies whole or not at all; the bags kind groups its units in
 * SQL once every row is read (a parent's child rows may be anywhere in the file).
 */
export interface StagedRow {
  seq: number;
  sheet: string | null;
  rowNumber: number;
  unit: number | null;
  op: 'parent' | 'child' | 'bill' | 'none';
  code: string | null;
  parentCode: string | null;
  area: string | null;
  bill: BillFields | null;
  raw: string;
  error: RowError | null;
}

export type StagedRowDraft = Omit<StagedRow, 'seq'>;

/** What a kind's reader needs to know beyond the rows. */
export interface ReadContext {
  kind: ImportKind;
  /** The area chosen for the import: label-sheet parents, and bags parent rows without their own. */
  area: string | null;
  /** Area codes by their code and display name, lower-cased. */
  areaOf: (text: string) => string | null;
}

/** Where a row is, as people read it: "Sheet1 row 12" or "row 12". */
export function placeOf(row: { sheet: string | null; rowNumber: number }): string {
  return row.sheet ? `${row.sheet} row ${row.rowNumber}` : `row ${row.rowNumber}`;
}

/** The row's cells as they were, for the report (bounded). */
export function rawOf(cells: readonly string[]): string {
  const text = cells.join(' | ').replace(/( \| )+$/, '');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
