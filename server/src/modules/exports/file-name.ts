import { fileStamp } from './local-time';

const MAX_FILTER_TEXT = 80;

/** A filter value as file-name text: dates by their day, everything else letters, digits and -. */
function valueText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}(T|$)/.test(text)) return text.slice(0, 10).replaceAll('-', '');
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * `bags_<filters>_<YYYYMMDD-HHMM>.csv`: the filters that were on screen (`all` without any), then
 * when the file was made in the warehouses' time zone. Only A–Z, a–z, 0–9, - and _ reach the
 * name, so the header needs no quoting rules beyond plain quotes.
 */
export function exportFileName(kind: string, filter: Readonly<Record<string, unknown>>, at: Date, timeZone: string, extension: string): string {
  const parts = Object.entries(filter)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}-${valueText(v)}`);
  const filters = (parts.join('_') || 'all').slice(0, MAX_FILTER_TEXT);
  return `${kind}_${filters}_${fileStamp(at, timeZone)}.${extension}`;
}

export function attachmentHeader(fileName: string): string {
  return `attachment; filename="${fileName}"`;
}
