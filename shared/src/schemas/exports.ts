import { z } from 'zod';
import { auditFiltersSchema } from './audit';
import { bagFilterSchema } from './bags';
import { billFilterSchema } from './bills';
import { userFilterSchema } from './users';

/** User activity: scans per user over the last N days. */
export const USER_ACTIVITY_MAX_DAYS = 90;
export const userExportFilterSchema = userFilterSchema.extend({
  days: z.number().int().min(1).max(USER_ACTIVITY_MAX_DAYS).default(30),
});
export type UserExportFilter = z.input<typeof userExportFilterSchema>;

/** Counting stops here: past it the screen says "more than" (an exact count would read every row). */
export const EXPORT_COUNT_CAP = 100_000;

export const exportCountInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bags'), filter: bagFilterSchema }),
  z.object({ kind: z.literal('bills'), filter: billFilterSchema }),
  z.object({ kind: z.literal('users'), filter: userExportFilterSchema }),
  z.object({ kind: z.literal('audit'), filter: auditFiltersSchema }),
]);
export type ExportCountInput = z.input<typeof exportCountInput>;
export const exportCountOutput = z.object({ count: z.number().int(), isCapped: z.boolean() });
export type ExportCount = z.infer<typeof exportCountOutput>;
