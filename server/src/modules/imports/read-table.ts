import { createReadStream } from 'node:fs';
import { AppError, stripInvisible } from '@tracetrack/shared';
import { CsvError, parse } from 'csv-parse';

/** One row of an uploaded table: its sheet (null for CSV), its 1-based row number there, and its cells as text. */
export interface TableRow {
  sheet: string | null;
  rowNumber: number;
  cells: string[];
}

export type TableFormat = 'csv' | 'xlsx';

/** XLSX files are zip archives: they start with "PK\x03\x04". Anything else is read as CSV text. */
export function formatOf(firstBytes: Buffer): TableFormat {
  return firstBytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ? 'xlsx' : 'csv';
}

/**
 * The rows of a stored upload, streamed: csv-parse for CSV, exceljs's WorkbookReader for XLSX
 * (every sheet, in workbook order), so only the current row is held, whatever the file's size.
 * A file that is neither is FILE_UNREADABLE with the reader's reason.
 */
export async function* readTable(filePath: string, format: TableFormat): AsyncGenerator<TableRow> {
  try {
    yield* format === 'csv' ? readCsv(filePath) : readXlsx(filePath);
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof CsvError) throw new AppError('FILE_UNREADABLE', `The file is not a readable CSV file: ${e.message}`);
    throw new AppError('FILE_UNREADABLE', format === 'xlsx'
      ? `The file is not a readable XLSX workbook (${e instanceof Error ? e.message : String(e)}).`
      : `The file could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

async function* readCsv(filePath: string): AsyncGenerator<TableRow> {
  const parser = createReadStream(filePath).pipe(parse({ bom: true, relax_column_count: true, info: true, skip_empty_lines: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { sheet: null, rowNumber: info.lines, cells: record.map(cleanText) };
  }
}

async function* readXlsx(filePath: string): AsyncGenerator<TableRow> {
  // Loaded when first needed: exceljs takes over a second to load, which every server start would pay.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore',
  });
  for await (const worksheet of reader) {
    const sheet = (worksheet as unknown as { name: string }).name;
    for await (const row of worksheet) {
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield { sheet, rowNumber: row.number, cells };
    }
  }
}

/** Text without the invisible characters spreadsheets and copy-paste carry, trimmed. */
function cleanText(text: string): string {
  return stripInvisible(text).trim();
}

/** A cell's shown text: numbers as written, rich text joined, a formula's last result. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return cleanText(v.richText.map((r) => r.text).join(''));
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error) return '';
  }
  return cleanText(String(value));
}
