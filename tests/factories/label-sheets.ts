import ExcelJS from 'exceljs';

/** A child label's QR text, as the printer writes it. */
export function labelText(childCode: string): string {
  return `LABEL NO.:${childCode} LOT NO.:STAR44GG24611, D.O.T.:30/09/2025 NET WT.:1 KG`;
}

/** A child as a code (its label is printed normally) or as the raw QR text of a damaged label. */
export type LabelChild = string | { qr: string };

export interface LabelBatch {
  children: LabelChild[];
  /** The parent row closing the batch; null leaves the batch open (orphaned when its sheet ends). */
  parent: string | null;
  /** The parent row's Sr. No. reads "Parent Code" (the printer's other layout) instead of a number. */
  isParentCodeSerial?: boolean;
}

export interface LabelSheet {
  name: string;
  batches: LabelBatch[];
}

/**
 * Writes a printer's label sheet workbook (column A "Sr. No.", column B "QR Code", a header row on
 * every sheet) with exceljs's streaming writer, so 50,000-row files cost no memory to make.
 */
export async function writeLabelSheetXlsx(filePath: string, sheets: LabelSheet[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: filePath, useSharedStrings: true });
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sheet.name);
    ws.addRow(['Sr. No.', 'QR Code']).commit();
    let serial = 0;
    for (const batch of sheet.batches) {
      for (const child of batch.children) {
        serial += 1;
        ws.addRow([serial, typeof child === 'string' ? labelText(child) : child.qr]).commit();
      }
      if (batch.parent !== null) ws.addRow([batch.isParentCodeSerial ? 'Parent Code' : ++serial, batch.parent]).commit();
    }
    ws.commit();
  }
  await workbook.commit();
}

/** Seven-digit child codes from `first` on, as printed labels carry them. */
export function childCodes(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i).padStart(7, '0'));
}

/**
 * `children` child labels over `sheets` sheets, in batches of `batchSize` each closed by a new
 * SB parent (numbered from `firstParent`); every other batch's parent row uses the "Parent Code"
 * layout. Returns the sheets and the codes they hold.
 */
export function generateLabelSheets(opts: { sheets: number; children: number; batchSize: number; firstChild: number; firstParent: number }) {
  const codes = childCodes(opts.firstChild, opts.children);
  const perSheet = Math.ceil(codes.length / opts.sheets);
  const sheets: LabelSheet[] = [];
  const parents: string[] = [];
  for (let s = 0; s < opts.sheets; s++) {
    const mine = codes.slice(s * perSheet, (s + 1) * perSheet);
    const batches: LabelBatch[] = [];
    for (let i = 0; i < mine.length; i += opts.batchSize) {
      const parent = `SB${String(opts.firstParent + parents.length).padStart(5, '0')}`;
      parents.push(parent);
      batches.push({ children: mine.slice(i, i + opts.batchSize), parent, isParentCodeSerial: parents.length % 2 === 0 });
    }
    sheets.push({ name: `Sheet${s + 1}`, batches });
  }
  return { sheets, children: codes, parents };
}

/** A plain table (bags or bills list) as XLSX, header first. */
export async function writeTableXlsx(filePath: string, rows: (string | number)[][], sheetName = 'Sheet1'): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: filePath, useSharedStrings: true });
  const ws = workbook.addWorksheet(sheetName);
  for (const row of rows) ws.addRow(row).commit();
  ws.commit();
  await workbook.commit();
}

/** The same table as CSV text (fields quoted where needed). */
export function tableCsv(rows: (string | number)[][]): string {
  const field = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
