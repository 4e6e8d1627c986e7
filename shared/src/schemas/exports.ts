import { z } from 'zod';
import { bagFilterSchema } from './bags';
import { billFilterSchema } from './bills';
import { areaCodeSchema, roleSchema, storableTextSchema } from './common';

/** What `/api/exports/<kind>.<format>` serves; `bill/<number>` is one bill's manifest. */
export const EXPORT_KINDS = ['bags', 'bills', 'users', 'audit', 'eod'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** User activity: scans per user over the last N days. */
export const USER_ACTIVITY_MAX_DAYS = 90;
export const userExportFilterSchema = z.object({
  role: roleSchema.optional(),
  area: areaCodeSchema.optional(),
  search: storableTextSchema.max(50).optional(),
  days: z.number().int().min(1).max(USER_ACTIVITY_MAX_DAYS).default(30),
});
export type UserExportFilter = z.input<typeof userExportFilterSchema>;

/** Counting stops here: past it the screen says "more than" (an exact count would read every row). */
export const EXPORT_COUNT_CAP = 100_000;

export const exportCountInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bags'), filter: bagFilterSchema }),
  z.object({ kind: z.literal('bills'), filter: billFilterSchema }),
  z.object({ kind: z.literal('users'), filter: userExportFilterSchema }),
]);
export type ExportCountInput = z.input<typeof exportCountInput>;
export const exportCountOutput = z.object({ count: z.number().int(), isCapped: z.boolean() });
export type ExportCount = z.infer<typeof exportCountOutput>;

/**
 * The query string of an export URL for a filter (the list screens' filter objects): booleans as
 * `true`/`false`, numbers as digits, empty values left out. The server parses it back with the
 * same schema as the list procedure.
 */
export function exportQueryString(filter: Readonly<Record<string, string | number | boolean | null | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function exportHref(kind: ExportKind, format: ExportFormat, filter: Readonly<Record<string, string | number | boolean | null | undefined>> = {}): string {
  return `/api/exports/${kind}.${format}${exportQueryString(filter)}`;
}

export function billManifestHref(billNumber: string, format: ExportFormat): string {
  return `/api/exports/bill/${encodeURIComponent(billNumber)}.${format}`;
}
