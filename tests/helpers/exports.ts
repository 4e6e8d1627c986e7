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

/** Every worksheet of an XLSX export, read with exceljs's streaming reader (flat memory for 200k rows). */
export async function parseXlsx(body: ReadableStream<Uint8Array> | Buffer): Promise<ParsedSheet[]> {
  const input = Buffer.isBuffer(body) ? Readable.from([body]) : Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  const sheets: ParsedSheet[] = [];
  for await (const worksheet of reader) {
    const sheet: ParsedSheet = { name: (worksheet as unknown as { name: string }).name, rows: [], formulas: 0 };
    for await (const row of worksheet) {
      const cells: ParsedCell[] = [];
      const values = row.values as unknown[];
      for (let i = 1; i < values.length; i++) {
        const v = values[i];
        if (v && typeof v === 'object' && 'formula' in (v as object)) sheet.formulas += 1;
        cells.push(v === undefined || v === null ? null : typeof v === 'number' ? v : typeof v === 'object' && 'result' in (v as object) ? String((v as { result: unknown }).result) : String(v));
      }
      sheet.rows.push(cells);
    }
    sheets.push(sheet);
  }
  // exceljs's streaming reader loses the names of a workbook of five or more sheets written without
  // shared strings (it falls back to SheetN; the file itself names them): read them from workbook.xml.
  if (Buffer.isBuffer(body) && sheets.some((s) => /^Sheet\d+$/.test(s.name))) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const names = workbook.worksheets.map((w) => w.name);
    sheets.forEach((s, i) => (s.name = names[i] ?? s.name));
  }
  return sheets;
}
