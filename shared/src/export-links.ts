/**
 * Download links of the exports, zod-free so the PWA's screens import them without the schemas
 * (`@tracetrack/shared/export-links`).
 */

/**
 * What `/api/exports/<kind>.<format>` serves; `bill/<number>` is one bill's manifest and
 * `return/<number>` one return ticket's bags.
 */
export const EXPORT_KINDS = ['bags', 'bills', 'users', 'audit', 'eod', 'returns'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type FilterValues = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * The query string of an export URL for a filter (the list screens' filter objects): booleans as
 * `true`/`false`, numbers as digits, empty values left out. The server parses it back with the
 * same schema as the list procedure.
 */
export function exportQueryString(filter: FilterValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function exportHref(kind: ExportKind, format: ExportFormat, filter: FilterValues = {}): string {
  return `/api/exports/${kind}.${format}${exportQueryString(filter)}`;
}

export function billManifestHref(billNumber: string, format: ExportFormat): string {
  return `/api/exports/bill/${encodeURIComponent(billNumber)}.${format}`;
}

export function returnTicketHref(ticketNumber: string, format: ExportFormat): string {
  return `/api/exports/return/${encodeURIComponent(ticketNumber)}.${format}`;
}
