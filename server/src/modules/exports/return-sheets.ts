import { AppError, RETURN_TICKET_NUMBER_PATTERN, type ReturnedBag, type ReturnFilter, type ReturnTicket } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { toReturnedBag, toReturnTicket } from '../returns/mappers';
import { findTicketViewByNumber, listTicketBags } from '../returns/queries';
import { ticketPage } from '../returns/service';
import { EXPORT_PAGE_ROWS } from './bag-sheets';
import { localDateTime } from './local-time';
import { type Column, onePage, type Sheet } from './sheet';

function ticketColumns(timeZone: string): Column<ReturnTicket>[] {
  return [
    { header: 'Return ticket', value: (t) => t.number, width: 20 },
    { header: 'Status', value: (t) => t.status },
    { header: 'C&F location', value: (t) => t.area, width: 16 },
    { header: 'Parents', value: (t) => t.parentCount },
    { header: 'Children', value: (t) => t.childCount },
    { header: 'Weight (kg)', value: (t) => t.weightKg },
    { header: 'Notes', value: (t) => t.notes, width: 30 },
    { header: 'Created by', value: (t) => t.createdBy, width: 16 },
    { header: `Created (${timeZone})`, value: (t) => localDateTime(t.createdAt, timeZone), width: 20 },
    { header: 'Closed by', value: (t) => t.closedBy, width: 16 },
    { header: `Closed (${timeZone})`, value: (t) => localDateTime(t.closedAt, timeZone), width: 20 },
  ];
}

function bagColumns(timeZone: string): Column<ReturnedBag>[] {
  return [
    { header: 'Parent', value: (b) => b.parentCode, width: 14 },
    { header: 'Format', value: (b) => b.format },
    { header: 'Children', value: (b) => b.childCount },
    { header: 'Weight (kg)', value: (b) => b.weightKg },
    { header: 'From bill', value: (b) => b.billNumber, width: 18 },
    { header: 'Returned by', value: (b) => b.returnedBy, width: 16 },
    { header: `Returned (${timeZone})`, value: (b) => localDateTime(b.returnedAt, timeZone), width: 20 },
  ];
}

/** The ticket list's rows for a filter, newest first, page by page (keyset on id). */
export function returnTicketSheet(deps: Pick<Deps, 'db' | 'config'>, filter: ReturnFilter): Sheet<ReturnTicket> {
  async function* rows() {
    let beforeId: number | null = null;
    for (;;) {
      const { items, lastId, nextCursor } = await ticketPage(deps.db, filter, beforeId, EXPORT_PAGE_ROWS);
      if (items.length > 0) yield items;
      if (nextCursor === null || lastId === null) return;
      beforeId = lastId;
    }
  }
  return { name: 'Return tickets', columns: ticketColumns(deps.config.timeZone), rows: rows() };
}

/** One ticket: its row, then every bag on it (newest first), page by page. */
export async function returnTicketSheets(deps: Pick<Deps, 'db' | 'config'>, number: string): Promise<{ ticket: ReturnTicket; sheets: Sheet[] }> {
  const row = await findTicketViewByNumber(deps.db, number);
  if (!row) throw new AppError('TICKET_NOT_FOUND', `There is no return ticket ${number}.`, { ticketNumber: number });
  async function* bags() {
    let beforeId: number | null = null;
    for (;;) {
      const page = await listTicketBags(deps.db, row!.id, EXPORT_PAGE_ROWS, beforeId);
      if (page.length > 0) yield page.map(toReturnedBag);
      if (page.length < EXPORT_PAGE_ROWS) return;
      beforeId = page.at(-1)!.id;
    }
  }
  const ticket = toReturnTicket(row);
  return {
    ticket,
    sheets: [
      { name: 'Return ticket', columns: ticketColumns(deps.config.timeZone), rows: onePage([ticket]) },
      { name: 'Bags', columns: bagColumns(deps.config.timeZone), rows: bags() },
    ],
  };
}

/** A ticket number from a download path, or VALIDATION. */
export function ticketNumberOrRefuse(raw: string): string {
  const number = raw.trim().toUpperCase();
  if (!RETURN_TICKET_NUMBER_PATTERN.test(number)) throw new AppError('VALIDATION', 'A return ticket number looks like RTN-20261201-3FA9.');
  return number;
}
