import {
  AppError,
  BAG_IMPORT_COLUMNS,
  BILL_IMPORT_COLUMNS,
  BILL_MAX_CAPACITY,
  billNumberSchema,
  rawCodeSchema,
  storableTextSchema,
} from '@tracetrack/shared';
import type { z } from 'zod';
import type { TableRow } from './read-table';
import { type BillFields, rawOf, type ReadContext, type RowError, type StagedRowDraft } from './types';

type Columns<C extends string> = Record<C, number | undefined>;

const invalid = (message: string): RowError => ({ code: 'ROW_INVALID', message });

/** The first issue of a failed parse, as a sentence about the named field. */
function issueOf(field: string, result: z.ZodSafeParseResult<unknown>): string {
  return `${field}: ${result.error?.issues[0]?.message ?? 'invalid'}.`;
}

/**
 * A plain list (bags or bills): the first non-empty row of each sheet names the columns
 * (case-insensitive, in any order); required columns missing make the file unreadable.
 */
abstract class ListReader<C extends string> {
  private columns: Columns<C> | null = null;
  private sheet: string | null | undefined = undefined;

  constructor(protected readonly ctx: ReadContext, private readonly names: readonly C[], private readonly required: readonly C[]) {}

  *read(row: TableRow): Generator<StagedRowDraft> {
    if (row.cells.every((c) => c === '')) return;
    if (row.sheet !== this.sheet || !this.columns) {
      this.sheet = row.sheet;
      this.columns = this.header(row);
      return;
    }
    const cell = (name: C) => {
      const i = this.columns![name];
      return i === undefined ? '' : (row.cells[i] ?? '');
    };
    yield this.toRow(row, cell);
  }

  protected abstract toRow(row: TableRow, cell: (name: C) => string): StagedRowDraft;

  private header(row: TableRow): Columns<C> {
    const names = row.cells.map((c) => c.trim().toLowerCase().replace(/\s+/g, '_'));
    const columns = Object.fromEntries(this.names.map((n) => [n, names.indexOf(n) >= 0 ? names.indexOf(n) : undefined])) as Columns<C>;
    const missing = this.required.filter((n) => columns[n] === undefined);
    if (missing.length > 0) {
      const where = row.sheet ? ` (sheet ${row.sheet}, row ${row.rowNumber})` : ` (row ${row.rowNumber})`;
      throw new AppError('FILE_UNREADABLE', `The header row${where} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Expected columns: ${this.names.join(', ')}.`);
    }
    return columns;
  }
}

type BagColumn = (typeof BAG_IMPORT_COLUMNS)[number];

/** code, type (parent | child), parent_code (children), area (parents; else the import's area). */
export class BagListReader extends ListReader<BagColumn> {
  constructor(ctx: ReadContext) {
    super(ctx, BAG_IMPORT_COLUMNS, ['code', 'type']);
  }

  protected toRow(row: TableRow, cell: (name: BagColumn) => string): StagedRowDraft {
    const base = { sheet: row.sheet, rowNumber: row.rowNumber, unit: null, bill: null, raw: rawOf(row.cells) };
    const none = (error: RowError, code: string | null = null): StagedRowDraft => ({ ...base, op: 'none', code, parentCode: null, area: null, error });
    const code = rawCodeSchema.safeParse(cell('code'));
    if (!code.success) return none(invalid(issueOf('code', code)));
    const type = cell('type').toLowerCase();
    if (type !== 'parent' && type !== 'child') return none(invalid(`type must be parent or child, not "${cell('type').slice(0, 20)}".`), code.data);
    const areaText = cell('area');
    const area = areaText ? this.ctx.areaOf(areaText) : null;
    if (areaText && !area) return none({ code: 'AREA_NOT_FOUND', message: `"${areaText.slice(0, 40)}" is not a dispatch area.` }, code.data);
    if (type === 'parent') {
      if (cell('parent_code')) return none(invalid('A parent row has no parent_code; leave it empty.'), code.data);
      const parentArea = area ?? this.ctx.area;
      if (!parentArea) return none({ code: 'AREA_REQUIRED', message: 'No area for this parent: fill its area column or choose an area for the import.' }, code.data);
      return { ...base, op: 'parent', code: code.data, parentCode: null, area: parentArea, error: null };
    }
    if (!cell('parent_code')) return none(invalid('A child row needs the parent_code of the parent it is packed in.'), code.data);
    const parent = rawCodeSchema.safeParse(cell('parent_code'));
    if (!parent.success) return none(invalid(issueOf('parent_code', parent)), code.data);
    // Children take their parent's area (RULES.md, Dispatch areas): a child row's area is only checked.
    return { ...base, op: 'child', code: code.data, parentCode: parent.data, area: null, error: null };
  }
}

type BillColumn = (typeof BILL_IMPORT_COLUMNS)[number];
const textSchema = (max: number) => storableTextSchema.trim().max(max);
const TEXTS = [['destination', 200], ['vehicle', 30], ['description', 500]] as const;

/** bill_number, capacity, destination, vehicle, description, parent_codes (separated by spaces). */
export class BillListReader extends ListReader<BillColumn> {
  constructor(ctx: ReadContext) {
    super(ctx, BILL_IMPORT_COLUMNS, ['bill_number', 'capacity']);
  }

  protected toRow(row: TableRow, cell: (name: BillColumn) => string): StagedRowDraft {
    const base = { sheet: row.sheet, rowNumber: row.rowNumber, unit: null, parentCode: null, area: null, raw: rawOf(row.cells) };
    const none = (error: RowError, code: string | null = null): StagedRowDraft => ({ ...base, op: 'none', code, bill: null, error });
    const number = billNumberSchema.safeParse(cell('bill_number'));
    if (!number.success) return none(invalid(issueOf('bill_number', number)));
    const capacityText = cell('capacity');
    const capacity = Number(capacityText);
    if (!/^\d+$/.test(capacityText) || capacity < 1 || capacity > BILL_MAX_CAPACITY) {
      return none(invalid(`capacity must be a whole number from 1 to ${BILL_MAX_CAPACITY}, not "${capacityText.slice(0, 20)}".`), number.data);
    }
    const texts: Partial<Record<(typeof TEXTS)[number][0], string | null>> = {};
    for (const [name, max] of TEXTS) {
      const parsed = textSchema(max).safeParse(cell(name));
      if (!parsed.success) return none(invalid(issueOf(name, parsed)), number.data);
      texts[name] = parsed.data || null;
    }
    const parentCodes: string[] = [];
    for (const text of cell('parent_codes').split(/[\s,;]+/).filter(Boolean)) {
      const parsed = rawCodeSchema.safeParse(text);
      if (!parsed.success) return none(invalid(issueOf(`parent_codes "${text.slice(0, 30)}"`, parsed)), number.data);
      if (parentCodes.includes(parsed.data)) return none(invalid(`parent_codes lists ${parsed.data} twice.`), number.data);
      parentCodes.push(parsed.data);
    }
    if (parentCodes.length > capacity) {
      return none({ code: 'BATCH_OVER_CAPACITY', message: `The bill lists ${parentCodes.length} parents; its capacity is ${capacity}.` }, number.data);
    }
    const bill: BillFields = {
      capacity, destination: texts.destination ?? null, vehicleNumber: texts.vehicle ?? null, description: texts.description ?? null, parentCodes,
    };
    return { ...base, op: 'bill', code: number.data, bill, error: null };
  }
}
