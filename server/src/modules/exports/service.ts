import {
  AppError,
  auditFiltersSchema,
  bagFilterSchema,
  billFilterSchema,
  billNumberSchema,
  EXPORT_COUNT_CAP,
  type ExportCount,
  exportCountInput,
  type ExportKind,
  endOfDayInput,
  listAreaOf,
  returnFilterSchema,
  userExportFilterSchema,
} from '@tracetrack/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import type { Actor } from '../actor';
import { countBags } from '../bags/queries';
import { countBills } from '../bills/queries';
import { billFiltersOf } from '../bills/service';
import { getEndOfDay } from '../reports/service';
import { countUsers } from '../users/queries';
import { userFiltersOf } from '../users/service';
import { auditSheet, countAudit } from './audit-sheets';
import { bagSheet } from './bag-sheets';
import { billManifestSheets, billSheet } from './bill-sheets';
import { endOfDaySheets } from './eod-sheets';
import { returnTicketSheet, returnTicketSheets, ticketNumberOrRefuse } from './return-sheets';
import type { Sheet } from './sheet';
import { userActivitySheet } from './user-sheets';

export interface ExportPlan {
  /** What the file name shows of the request (the filter, or the bill number, or the date). */
  label: Record<string, unknown>;
  sheets: Sheet[];
}

const BOOLEAN_KEYS = new Set(['linked', 'billed', 'isLocked', 'hasTwoFactor', 'isDeactivated', 'hasSignedIn']);
const NUMBER_KEYS = new Set(['days']);

/**
 * A query string as the input of a list schema: `true`/`false` for booleans, digits for numbers,
 * everything else as text. The schema then judges it exactly as it judges the list's input.
 */
function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.infer<S> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (BOOLEAN_KEYS.has(key)) raw[key] = value === 'true' ? true : value === 'false' ? false : value;
    else if (NUMBER_KEYS.has(key)) raw[key] = /^\d{1,6}$/.test(value) ? Number(value) : value;
    else raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fieldErrors[issue.path.join('.') || '_'] ??= []).push(issue.message);
  const text = Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ');
  throw new AppError('VALIDATION', `The export's filter is not valid: ${text}`, { fieldErrors });
}

/** The tables of a list export for the filter in the query string (the list's own schema). */
export async function planExport(deps: Deps, actor: Actor, kind: ExportKind, query: URLSearchParams): Promise<ExportPlan> {
  switch (kind) {
    case 'bags': {
      const filter = parseQuery(bagFilterSchema, query);
      return { label: filter, sheets: [bagSheet(deps, actor, filter)] };
    }
    case 'bills': {
      const filter = parseQuery(billFilterSchema, query);
      return { label: filter, sheets: [billSheet(deps, filter)] };
    }
    case 'users': {
      const filter = parseQuery(userExportFilterSchema, query);
      return { label: filter, sheets: [userActivitySheet(deps, filter)] };
    }
    case 'audit': {
      const filters = parseQuery(auditFiltersSchema, query);
      return { label: filters, sheets: [auditSheet(deps, filters)] };
    }
    case 'eod': {
      const input = parseQuery(endOfDayInput, query);
      return { label: input, sheets: endOfDaySheets(await getEndOfDay(deps, input)) };
    }
    case 'returns': {
      const filter = parseQuery(returnFilterSchema, query);
      return { label: filter, sheets: [returnTicketSheet(deps, filter)] };
    }
  }
}

/** One return ticket with its bags; TICKET_NOT_FOUND before anything is sent. */
export async function planReturnTicket(deps: Deps, rawNumber: string): Promise<ExportPlan> {
  const { ticket, sheets } = await returnTicketSheets(deps, ticketNumberOrRefuse(rawNumber));
  return { label: { ticket: ticket.number }, sheets };
}

/** One bill's manifest; BILL_NOT_FOUND before anything is sent. */
export async function planBillManifest(deps: Deps, rawBillNumber: string): Promise<ExportPlan> {
  const parsed = billNumberSchema.safeParse(rawBillNumber);
  if (!parsed.success) throw new AppError('VALIDATION', 'Bill number must be 3–50 letters, digits or - _ / .');
  const { bill, sheets } = await billManifestSheets(deps, parsed.data);
  return { label: { bill: bill.billNumber }, sheets };
}

/** Rows an export would hold, counted up to EXPORT_COUNT_CAP. */
export async function countExport(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, input: z.infer<typeof exportCountInput>): Promise<ExportCount> {
  let count: number;
  switch (input.kind) {
    case 'bags':
      count = await countBags(deps.db, { ...input.filter, area: listAreaOf(actor) ?? input.filter.area }, EXPORT_COUNT_CAP);
      break;
    case 'bills':
      count = await countBills(deps.db, billFiltersOf(input.filter), EXPORT_COUNT_CAP);
      break;
    case 'users':
      count = await countUsers(deps.db, userFiltersOf(input.filter), deps.clock(), EXPORT_COUNT_CAP);
      break;
    case 'audit':
      count = await countAudit(deps, input.filter, EXPORT_COUNT_CAP);
      break;
  }
  return { count: Math.min(count, EXPORT_COUNT_CAP), isCapped: count > EXPORT_COUNT_CAP };
}
