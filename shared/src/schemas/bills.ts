import { z } from 'zod';
import { billNumberSchema, cursorSchema, isoDateTimeSchema, pageLimitSchema, pageOf, rawCodeSchema, storableTextSchema, usernameSchema } from './common';
import { parentStateSchema } from './bags';
import { billReturnEventSchema } from './returns';

export const billStatusSchema = z.enum(['open', 'loading', 'completed']);
export type BillStatus = z.infer<typeof billStatusSchema>;

export const BILL_MAX_CAPACITY = 500;
const capacitySchema = z.number().int().min(1).max(BILL_MAX_CAPACITY);
const optionalText = (max: number) => storableTextSchema.trim().max(max).optional();
const nullableText = (max: number) => storableTextSchema.trim().max(max).nullable().optional();

export const billCreateInput = z.object({
  billNumber: billNumberSchema,
  capacity: capacitySchema,
  description: optionalText(500),
  destination: optionalText(200),
  vehicleNumber: optionalText(30),
});
export type BillCreateInput = z.infer<typeof billCreateInput>;

export const billUpdateInput = z.object({
  billNumber: billNumberSchema,
  capacity: capacitySchema.optional(),
  description: nullableText(500),
  destination: nullableText(200),
  vehicleNumber: nullableText(30),
});
export type BillUpdateInput = z.infer<typeof billUpdateInput>;

export const billRefInput = z.object({ billNumber: billNumberSchema });
export const billParentInput = z.object({ billNumber: billNumberSchema, parentCode: rawCodeSchema });
export type BillParentInput = z.infer<typeof billParentInput>;
export const billCompleteInput = z.object({ billNumber: billNumberSchema, allowShort: z.boolean().optional() });
export type BillCompleteInput = z.infer<typeof billCompleteInput>;

/** What the bill list, its count and its export filter by. */
export const billFilterSchema = z.object({
  status: billStatusSchema.optional(),
  /** The start of the bill number. */
  search: storableTextSchema.max(50).optional(),
  createdBy: usernameSchema.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type BillFilter = z.infer<typeof billFilterSchema>;

export const billListInput = billFilterSchema.extend({ limit: pageLimitSchema, cursor: cursorSchema });
export type BillListInput = z.infer<typeof billListInput>;

export const billSummarySchema = z.object({
  id: z.number().int(),
  billNumber: z.string(),
  capacity: z.number().int(),
  description: z.string().nullable(),
  destination: z.string().nullable(),
  vehicleNumber: z.string().nullable(),
  status: billStatusSchema,
  isShort: z.boolean(),
  parentCount: z.number().int(),
  childCount: z.number().int(),
  actualWeightKg: z.number(),
  expectedWeightKg: z.number(),
  varianceKg: z.number(),
  createdBy: z.string().nullable(),
  /** Who completed it; null while it is not completed. */
  completedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});
export type BillSummary = z.infer<typeof billSummarySchema>;

/** A parent as a bill shows it: its state, with its own share of the bill's weights. */
export const billParentSchema = parentStateSchema.omit({ weightKg: true }).extend({
  actualWeightKg: z.number(),
  expectedWeightKg: z.number(),
  addedAt: z.string(),
});
export type BillParent = z.infer<typeof billParentSchema>;

/** `returns`: the parents that came back from it on return tickets, the newest first (RULES.md, returns). */
export const billDetailSchema = z.object({ bill: billSummarySchema, parents: z.array(billParentSchema), returns: z.array(billReturnEventSchema) });
export type BillDetail = z.infer<typeof billDetailSchema>;

export const billMutationOutput = z.object({
  outcome: z.enum(['applied', 'unchanged']),
  message: z.string(),
  bill: billSummarySchema,
});
export type BillMutationOutput = z.infer<typeof billMutationOutput>;
export const billListOutput = pageOf(billSummarySchema);
