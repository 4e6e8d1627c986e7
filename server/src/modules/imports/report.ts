import { PassThrough, Readable } from 'node:stream';
import { IMPORT_KIND_LABELS, type ImportCounts, type ImportKind } from '@tracetrack/shared';
import { stringify } from 'csv-stringify';
import type { Deps } from '../../deps';
import * as q from './queries';

const PAGE = 2000;
const RESULT_WORDS: Record<string, string> = {
  created: 'Created',
  present: 'Already present',
  error: 'Error',
  skipped: 'Not imported',
  pending: 'Not judged yet',
};
const HEADER = ['Sheet', 'Row', 'Code', 'Parent', 'Result', 'New', 'Error code', 'Message', 'Row as read'];

/**
 * Text a spreadsheet would run as a formula (a leading =, +, -, @, tab or CR) gets a leading
 * apostrophe: the report echoes what the uploaded file held, and must open as text.
 */
function neutralise(value: string | number): string | number {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export interface ReportSource {
  importId: string;
  kind: ImportKind;
  fileName: string;
  status: string;
  counts: ImportCounts | null;
}

/** The summary lines above the rows: what was imported (or would be, for a dry run). */
function summaryLines(src: ReportSource): (string | number)[][] {
  const c = src.counts;
  const lines: (string | number)[][] = [
    ['Import report', IMPORT_KIND_LABELS[src.kind]],
    ['File', src.fileName],
    ['Status', src.status === 'committed' ? 'Committed' : src.status === 'checked' ? 'Dry run: nothing was written' : src.status],
  ];
  if (c) {
    lines.push(
      ['Rows read', c.rowsRead], ['Parents created', c.parentsCreated], ['Children created', c.childrenCreated],
      ['Links created', c.linksCreated], ['Bills created', c.billsCreated], ['Parents put on bills', c.parentsBilled],
      ['Rows already present', c.rowsPresent], ['Rows with errors', c.rowsWithErrors], ['Rows not imported (batch refused)', c.rowsNotImported],
    );
  }
  return lines;
}

/** Every row of the import in file order, page by page (one page in memory). */
async function* rowsOf(deps: Pick<Deps, 'db'>, importId: string): AsyncGenerator<(string | number)[]> {
  for (let after = 0; ;) {
    const page = await q.reportRows(deps.db, importId, after, PAGE);
    for (const r of page) {
      yield [
        r.sheet ?? '', r.row_number, r.code ?? '', r.parent_code ?? '', RESULT_WORDS[r.status] ?? r.status,
        r.is_new ? 'yes' : '', r.error_code ?? '', r.message ?? '', r.raw,
      ].map(neutralise);
    }
    if (page.length < PAGE) return;
    after = page.at(-1)!.seq;
  }
}

/** The report as CSV (UTF-8 with a BOM, so spreadsheet programs read it as UTF-8), streamed. */
export function reportCsv(deps: Pick<Deps, 'db'>, src: ReportSource): Readable {
  async function* records() {
    for (const line of summaryLines(src)) yield line.map(neutralise);
    yield [];
    yield HEADER;
    yield* rowsOf(deps, src.importId);
  }
  const stringifier = stringify({ bom: true, record_delimiter: 'windows', cast: { number: (n) => String(n) } });
  const source = Readable.from(records());
  source.on('error', (e) => stringifier.destroy(e));
  return source.pipe(stringifier);
}

/** The report as XLSX through exceljs's streaming WorkbookWriter: a Summary sheet and a Rows sheet. */
export function reportXlsx(deps: Pick<Deps, 'db'>, src: ReportSource): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const drained = () => new Promise<void>((resolve) => {
    if (!out.writableNeedDrain || out.destroyed) return resolve();
    out.once('drain', () => resolve());
    out.once('close', () => resolve());
  });
  void (async () => {
    // Loaded when first needed: exceljs takes over a second to load, which every server start would pay.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const summary = workbook.addWorksheet('Summary');
    summary.columns = [{ width: 34 }, { width: 40 }];
    for (const line of summaryLines(src)) summary.addRow(line.map(neutralise)).commit();
    summary.commit();
    const rows = workbook.addWorksheet('Rows');
    rows.columns = HEADER.map((h, i) => ({ header: h, width: [14, 8, 16, 14, 16, 6, 22, 60, 60][i] ?? 12 }));
    rows.getRow(1).font = { bold: true };
    rows.getRow(1).commit();
    let n = 0;
    for await (const row of rowsOf(deps, src.importId)) {
      rows.addRow(row).commit();
      if (++n % PAGE === 0) await drained();
      if (out.destroyed) return;
    }
    rows.commit();
    await workbook.commit();
  })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}
