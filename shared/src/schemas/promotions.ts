import { z } from 'zod';
import { areaCodeSchema, cursorSchema, pageLimitSchema, pageOf, roleSchema, storableTextSchema } from './common';

export const PROMOTION_STATUSES = ['pending', 'approved', 'declined'] as const;
export const promotionStatusSchema = z.enum(PROMOTION_STATUSES);
export type PromotionStatus = z.infer<typeof promotionStatusSchema>;

export const MAX_PROMOTION_REASON_LENGTH = 500;

/** A biller or dispatcher asks for another role; a dispatcher role needs the area (now or when an admin approves). */
export const promotionRequestInput = z.object({
  role: roleSchema,
  reason: storableTextSchema
    .trim()
    .min(1, 'Say why you need this role')
    .max(MAX_PROMOTION_REASON_LENGTH, `At most ${MAX_PROMOTION_REASON_LENGTH} characters`),
  area: areaCodeSchema.optional(),
});
export type PromotionRequestInput = z.infer<typeof promotionRequestInput>;

export const promotionSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  username: z.string(),
  /** The requester's role and area now (they may change while the request waits). */
  currentRole: roleSchema,
  currentArea: z.string().nullable(),
  role: roleSchema,
  area: z.string().nullable(),
  reason: z.string(),
  status: promotionStatusSchema,
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
export type Promotion = z.infer<typeof promotionSchema>;

/** Pending requests first (newest first), then decided ones (newest first). */
export const promotionListInput = z.object({
  status: promotionStatusSchema.optional(),
  limit: pageLimitSchema,
  cursor: cursorSchema,
});
export type PromotionListInput = z.infer<typeof promotionListInput>;
export const promotionListOutput = pageOf(promotionSchema);

/** `area` sets or overrides the dispatch area when the role asked for is dispatcher. */
export const promotionDecideInput = z.object({
  id: z.number().int().positive(),
  approve: z.boolean(),
  area: areaCodeSchema.optional(),
});
export type PromotionDecideInput = z.infer<typeof promotionDecideInput>;
