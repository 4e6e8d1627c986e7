import { type Bag, type BagFilter, listAreaOf } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import type { Actor } from '../actor';
import { toBag } from '../bags/mappers';
import * as bags from '../bags/queries';
import { localDateTime } from './local-time';
import type { Column, Sheet } from './sheet';

/** Rows per database round trip: big enough to keep the trips few, small enough to keep memory flat. */
export const EXPORT_PAGE_ROWS = 1000;

export function bagColumns(timeZone: string): Column<Bag>[] {
  return [
    { header: 'Code', value: (b) => b.code, width: 14 },
    { header: 'Type', value: (b) => b.type },
    { header: 'Format', value: (b) => b.format },
    { header: 'Area', value: (b) => b.area, width: 16 },
    { header: 'Children', value: (b) => b.childCount },
    { header: 'Capacity', value: (b) => b.capacity },
    { header: 'Status', value: (b) => b.status },
    { header: 'Weight (kg)', value: (b) => b.weightKg },
    { header: 'Parent', value: (b) => b.parentCode, width: 14 },
    { header: 'Bill', value: (b) => b.billNumber, width: 16 },
    { header: 'Registered by', value: (b) => b.createdBy, width: 16 },
    { header: `Registered (${timeZone})`, value: (b) => localDateTime(b.createdAt, timeZone), width: 20 },
  ];
}

/**
 * The bag list's rows for a filter, newest first, page by page through the list's own query
 * (keyset on id): the export holds no database connection between pages, so a slow download
 * costs nothing but its socket. The area rule applies as in the list.
 */
export function bagSheet(deps: Pick<Deps, 'db' | 'config'>, actor: Actor, filter: BagFilter): Sheet<Bag> {
  const area = listAreaOf(actor) ?? filter.area;
  async function* rows() {
    let afterId: number | null = null;
    for (;;) {
      const page = await bags.listBags(deps.db, { ...filter, area, afterId, limit: EXPORT_PAGE_ROWS });
      const items = page.slice(0, EXPORT_PAGE_ROWS);
      if (items.length > 0) yield items.map(toBag);
      if (page.length <= EXPORT_PAGE_ROWS) return;
      afterId = items.at(-1)!.id;
    }
  }
  return { name: 'Bags', columns: bagColumns(deps.config.timeZone), rows: rows() };
}
