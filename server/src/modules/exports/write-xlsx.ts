import { PassThrough, type Readable } from 'node:stream';
import { cellsOf, type Sheet } from './sheet';

/**
 * The export as XLSX through exceljs's streaming WorkbookWriter: rows are committed as they come,
 * so only the current page is in memory. No shared-strings table (it would keep every distinct
 * text until the end). The writer pushes rows into the zip without waiting, so after each page
 * this waits while the output is full (the client has not taken what is queued): a slow download
 * pauses the database reads instead of piling rows up in memory.
 */
export function xlsxStream(sheets: readonly Sheet[]): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const whileBacklogged = () =>
    new Promise<void>((resolve) => {
      if (!out.writableNeedDrain || out.destroyed) return resolve();
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
    });
  void (async () => {
    // Loaded when first needed: exceljs takes over a second to load, which every server start would pay.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    for (const sheet of sheets) {
      const worksheet = workbook.addWorksheet(sheet.name.slice(0, 31));
      worksheet.columns = sheet.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length + 2) }));
      worksheet.getRow(1).font = { bold: true };
      worksheet.getRow(1).commit();
      for await (const page of sheet.rows) {
        for (const row of page) worksheet.addRow(cellsOf(sheet.columns, row)).commit();
        await whileBacklogged();
        if (out.destroyed) return;
      }
      worksheet.commit();
    }
    await workbook.commit();
  })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}
