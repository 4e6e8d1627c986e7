import { z } from 'zod';
import { APP_ERROR_CODES } from '../errors';
import { areaCodeSchema } from './common';
import { IMPORT_KINDS, IMPORT_STATUSES } from '../imports';

export * from '../imports';

export const importKindSchema = z.enum(IMPORT_KINDS);

/** Columns of the plain imports (header names, case-insensitive). */
export const BAG_IMPORT_COLUMNS = ['code', 'type', 'parent_code', 'area'] as const;
export const BILL_IMPORT_COLUMNS = ['bill_number', 'capacity', 'destination', 'vehicle', 'description', 'parent_codes'] as const;

/** Rows per transaction of a commit (whole units, so a batch or bill is never split). */
export const IMPORT_CHUNK_ROWS = 1000;
/** Errors listed in an import's JSON answer; every error is in the downloadable report. */
export const IMPORT_ERRORS_SHOWN = 200;

/** The multipart fields of POST /api/imports besides `file`. */
export const importUploadFieldsSchema = z.object({
  kind: importKindSchema,
  area: areaCodeSchema.optional(),
  dryRun: z.enum(['1', '0']).default('1').transform((v) => v === '1'),
  /** A client-chosen id, so the screen can follow the progress while the upload is answered. */
  id: z.uuid().optional(),
});
export type ImportUploadFields = z.infer<typeof importUploadFieldsSchema>;

export const importCountsSchema = z.object({
  rowsRead: z.number().int(),
  parentsCreated: z.number().int(),
  childrenCreated: z.number().int(),
  linksCreated: z.number().int(),
  billsCreated: z.number().int(),
  parentsBilled: z.number().int(),
  /** Rows whose bags, links or bills were there already: importing them changed nothing. */
  rowsPresent: z.number().int(),
  rowsWithErrors: z.number().int(),
  /** Good rows left out because their batch (or bill) has an error. */
  rowsNotImported: z.number().int(),
});
export type ImportCounts = z.infer<typeof importCountsSchema>;

export const importRowErrorSchema = z.object({
  sheet: z.string().nullable(),
  row: z.number().int(),
  code: z.string().nullable(),
  errorCode: z.enum(APP_ERROR_CODES),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof importRowErrorSchema>;

export const importSummarySchema = z.object({
  id: z.string(),
  kind: importKindSchema,
  fileName: z.string(),
  fileBytes: z.number().int(),
  area: z.string().nullable(),
  isDryRun: z.boolean(),
  status: z.enum(IMPORT_STATUSES),
  /** A job is working on it now; false for a reading/checking/committing import means it was interrupted. */
  isRunning: z.boolean(),
  rowsTotal: z.number().int(),
  rowsDone: z.number().int(),
  dryRunCounts: importCountsSchema.nullable(),
  commitCounts: importCountsSchema.nullable(),
  failure: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

/** The answer of POST /api/imports and import.get: the summary and the first errors. */
export const importReportSchema = importSummarySchema.extend({
  errors: z.array(importRowErrorSchema),
  errorCount: z.number().int(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export const importRefInput = z.object({ id: z.uuid() });
export const importListInput = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type ImportListInput = z.infer<typeof importListInput>;
export const importListOutput = z.object({ items: z.array(importSummarySchema), nextCursor: z.string().nullable() });
