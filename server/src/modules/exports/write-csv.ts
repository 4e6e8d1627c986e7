import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { cellsOf, type Sheet } from './sheet';

/**
 * The export as CSV (RFC 4180, UTF-8 with a BOM so spreadsheet programs read the text as UTF-8),
 * streamed: each page of rows is read only when the client has taken the previous ones
 * (Readable.from pulls from the generator on demand; pipe() waits on the stringifier).
 * Several sheets (the end-of-day summary) follow each other, each after a title line, with a
 * blank line between them.
 */
export function csvStream(sheets: readonly Sheet[]): Readable {
  async function* records() {
    for (const [i, sheet] of sheets.entries()) {
      if (sheets.length > 1) {
        if (i > 0) yield [];
        yield [sheet.name];
      }
      yield sheet.columns.map((c) => c.header);
      for await (const page of sheet.rows) {
        for (const row of page) yield cellsOf(sheet.columns, row);
      }
    }
  }
  const stringifier = stringify({ bom: true, record_delimiter: 'windows', cast: { number: (n) => String(n) } });
  const source = Readable.from(records());
  source.on('error', (e) => stringifier.destroy(e));
  return source.pipe(stringifier);
}
