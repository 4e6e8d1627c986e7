/**
 * Import kinds, statuses and report links, zod-free so the PWA's Imports screen can use them
 * without the schemas (`@tracetrack/shared/imports`). What an import file holds: a printer's label sheet ("Sr. No." / "QR Code" batches closed by a
 * parent row), a plain bags list, or a bills list (RULES.md, Imports).
 */
export const IMPORT_KINDS = ['label-sheet', 'bags', 'bills'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  'label-sheet': 'Label sheet',
  bags: 'Bags list',
  bills: 'Bills list',
};

/**
 * reading: the file is being read into rows; checking: the dry run is judging them; checked: the
 * dry run is done (nothing written); committing / committed: the rows are being written / were;
 * failed: the file could not be read (its reason in `failure`).
 */
export const IMPORT_STATUSES = ['reading', 'checking', 'checked', 'committing', 'committed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export function importReportHref(id: string, format: 'csv' | 'xlsx'): string {
  return `/api/imports/${encodeURIComponent(id)}/report.${format}`;
}
