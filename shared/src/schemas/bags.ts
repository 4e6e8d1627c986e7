import { z } from 'zod';
import { normalizeCode } from '../codes';
import { areaCodeSchema, cursorSchema, isoDateTimeSchema, pageLimitSchema, pageOf, rawCodeSchema, usernameSchema } from './common';

export const bagTypeSchema = z.enum(['parent', 'child']);
export type BagType = z.infer<typeof bagTypeSchema>;
export const parentStatusSchema = z.enum(['empty', 'filling', 'full']);

export const scanParentInput = z.object({ code: rawCodeSchema });
export const linkChildInput = z.object({ parentCode: rawCodeSchema, childCode: rawCodeSchema });
export const unlinkChildInput = z.object({ childCode: rawCodeSchema });
export const bagGetInput = z.object({ code: rawCodeSchema });
export const bagDeleteInput = z.object({ code: rawCodeSchema });
/** Admins move a parent (with its children) to another dispatch area. */
export const bagSetAreaInput = z.object({ code: rawCodeSchema, area: areaCodeSchema });
export type BagSetAreaInput = z.infer<typeof bagSetAreaInput>;

/** Partial code search needs 3 characters: fewer match too much to be worth an index (trigrams). */
export const CODE_SEARCH_MIN_LENGTH = 3;
export const codeSearchSchema = z
  .string()
  .max(100, 'The code to search for is too long')
  .transform(normalizeCode)
  .pipe(z.string().regex(/^[A-Z0-9-]{3,20}$/, 'Type 3 to 20 letters, digits or - of the code'));
export const codeMatchSchema = z.enum(['prefix', 'contains']);
export type CodeMatch = z.infer<typeof codeMatchSchema>;

/** What the bag list, its count and its export filter by. */
export const bagFilterSchema = z.object({
  /** Part of the code, case-insensitive: its start (`prefix`) or anywhere in it (`contains`, the default). */
  code: codeSearchSchema.optional(),
  codeMatch: codeMatchSchema.optional(),
  type: bagTypeSchema.optional(),
  /** children: linked to a parent or not; parents: holding any child or not */
  linked: z.boolean().optional(),
  /** parents only: on a bill or not */
  billed: z.boolean().optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
  area: areaCodeSchema.optional(),
  scannedBy: usernameSchema.optional(),
});
export type BagFilter = z.infer<typeof bagFilterSchema>;

export const bagListInput = bagFilterSchema.extend({ limit: pageLimitSchema, cursor: cursorSchema });
export type BagListInput = z.infer<typeof bagListInput>;

export const parentStateSchema = z.object({
  code: z.string(),
  format: z.string(),
  childCount: z.number().int(),
  capacity: z.number().int(),
  status: parentStatusSchema,
  weightKg: z.number(),
});
export type ParentState = z.infer<typeof parentStateSchema>;

export const bagSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  type: bagTypeSchema,
  format: z.string().nullable(),
  area: z.string().nullable(),
  childCount: z.number().int().nullable(),
  capacity: z.number().int().nullable(),
  status: parentStatusSchema.nullable(),
  weightKg: z.number(),
  parentCode: z.string().nullable(),
  billNumber: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type Bag = z.infer<typeof bagSchema>;

export const scanEventSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['applied', 'unchanged', 'rejected']),
  code: z.string().nullable(),
  message: z.string(),
  username: z.string().nullable(),
  deviceId: z.string().nullable(),
  seq: z.number().int().nullable(),
  clientTime: z.string().nullable(),
  serverTime: z.string(),
});
export type ScanEvent = z.infer<typeof scanEventSchema>;

/** A child as its parent's view lists it: who linked it and when decide who may unlink it. */
export const linkedChildSchema = bagSchema.extend({
  linkedBy: z.string().nullable(),
  linkedAt: z.string(),
});
export type LinkedChild = z.infer<typeof linkedChildSchema>;

export const bagDetailSchema = z.object({
  bag: bagSchema,
  parent: bagSchema.nullable(),
  children: z.array(linkedChildSchema),
  bill: z.object({ billNumber: z.string(), status: z.string() }).nullable(),
  events: z.array(scanEventSchema),
});
export type BagDetail = z.infer<typeof bagDetailSchema>;

export const scanParentOutput = z.object({
  outcome: z.enum(['applied', 'unchanged']),
  message: z.string(),
  parent: parentStateSchema,
});
export const linkChildOutput = z.object({
  outcome: z.enum(['applied', 'unchanged']),
  message: z.string(),
  childCode: z.string(),
  parent: parentStateSchema,
});
export type LinkChildOutput = z.infer<typeof linkChildOutput>;
export type ScanParentOutput = z.infer<typeof scanParentOutput>;
export const unlinkChildOutput = z.object({
  outcome: z.literal('applied'),
  message: z.string(),
  childCode: z.string(),
  parent: parentStateSchema,
});
export type UnlinkChildOutput = z.infer<typeof unlinkChildOutput>;
export const bagListOutput = pageOf(bagSchema);
