/** A cell as both writers take it: text, a number, or empty. */
export type CellValue = string | number | null;

export interface Column<R> {
  header: string;
  value: (row: R) => CellValue;
  /** XLSX column width in characters. */
  width?: number;
}

/** One table of an export: a CSV section or an XLSX worksheet. Rows are pulled page by page. */
export interface Sheet<R = any> {
  name: string;
  columns: readonly Column<R>[];
  rows: AsyncIterable<readonly R[]>;
}

/**
 * Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage
 * return that some programs strip before looking) gets a leading apostrophe, so a bill's
 * destination such as `=HYPERLINK(…)` opens as the text it is (OWASP, CSV injection). Numbers are
 * written as numbers and never touched: -15 kg of variance stays a number.
 */
export function neutralise(value: CellValue): CellValue {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The cells of one row, neutralised, in column order. */
export function cellsOf<R>(columns: readonly Column<R>[], row: R): CellValue[] {
  return columns.map((c) => neutralise(c.value(row)));
}

/** Rows given all at once, as a one-page source. */
export async function* onePage<R>(rows: readonly R[]): AsyncIterable<readonly R[]> {
  yield rows;
}
