import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

export type ParsedCell = string | number | null;

/** Every record of a CSV export, as csv-parse reads it (the BOM dropped). */
export async function parseCsv(body: ReadableStream<Uint8Array> | Buffer): Promise<string[][]> {
  const input = Buffer.isBuffer(body) ? Readable.from([body]) : Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  const records: string[][] = [];
  for await (const record of input.pipe(parse({ bom: true, relax_column_count: true }))) records.push(record as string[]);
  return records;
}

export interface ParsedSheet {
  name: string;
  rows: ParsedCell[][];
  /** Cells written as formulas (there must be none). */
  formulas: number;
}

function cellOf(v: unknown, sheet: ParsedSheet): ParsedCell {
  if (v && typeof v === 'object' && 'formula' in (v as object)) sheet.formulas += 1;
  return v === undefined || v === null ? null : typeof v === 'number' ? v : typeof v === 'object' && 'result' in (v as object) ? String((v as { result: unknown }).result) : String(v);
}

/** A row's cells from exceljs's `row.values` (1-based: index 0 is empty). */
function addRow(sheet: ParsedSheet, values: unknown[]): void {
  const cells: ParsedCell[] = [];
  for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i], sheet));
  sheet.rows.push(cells);
}

/**
 * Every worksheet of an XLSX export. A whole file (a Buffer) is read with exceljs's workbook
 * loader, which finds the zip's parts wherever they are; its streaming reader (for response
 * bodies: flat memory for 200k rows) needs the workbook part before a worksheet that follows the
 * relationships part, and crashed on ("reading 'sheets'") a small manifest in a loaded full run.
 */
export async function parseXlsx(body: ReadableStream<Uint8Array> | Buffer): Promise<ParsedSheet[]> {
  const sheets: ParsedSheet[] = [];
  if (Buffer.isBuffer(body)) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    for (const worksheet of workbook.worksheets) {
      const sheet: ParsedSheet = { name: worksheet.name, rows: [], formulas: 0 };
      worksheet.eachRow((row) => addRow(sheet, row.values as unknown[]));
      sheets.push(sheet);
    }
    return sheets;
  }
  const input = Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  for await (const worksheet of reader) {
    const sheet: ParsedSheet = { name: (worksheet as unknown as { name: string }).name, rows: [], formulas: 0 };
    for await (const row of worksheet) addRow(sheet, row.values as unknown[]);
    sheets.push(sheet);
  }
  return sheets;
}
