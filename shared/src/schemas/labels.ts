import { z } from 'zod';
import { normalizeCode } from '../codes';
import { cursorSchema, pageLimitSchema, pageOf } from './common';

/** One reservation prints at most this many labels (about 17 A4 pages of 60). */
export const LABEL_MAX_COUNT = 1000;
const countSchema = z.number().int().min(1, 'Reserve at least 1 code').max(LABEL_MAX_COUNT, `Reserve at most ${LABEL_MAX_COUNT} codes at a time`);

export const labelReserveInput = z.discriminatedUnion('kind', [
  /** The next N codes of a parent format after every code that exists or was reserved. */
  z.object({ kind: z.literal('parent'), format: z.enum(['SB', 'M444']), count: countSchema }),
  /** Child codes `prefix` + the number padded to `digits`, from `firstNumber` on. */
  z.object({
    kind: z.literal('child'),
    prefix: z.string().max(40).transform(normalizeCode).pipe(z.string().regex(/^[A-Z0-9]{0,16}$/, 'A prefix has only letters and digits (at most 16)')),
    firstNumber: z.number().int().min(0).max(999_999_999_999),
    digits: z.number().int().min(1).max(12),
    count: countSchema,
  }),
]);
export type LabelReserveInput = z.input<typeof labelReserveInput>;

export const labelReservationSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['parent', 'child']),
  format: z.string().nullable(),
  firstCode: z.string(),
  lastCode: z.string(),
  count: z.number().int(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type LabelReservation = z.infer<typeof labelReservationSchema>;

export const labelListInput = z.object({ limit: pageLimitSchema, cursor: cursorSchema });
export const labelListOutput = pageOf(labelReservationSchema);

export const LABEL_SYMBOLOGIES = ['qrcode', 'code128'] as const;
export const labelSheetInput = z.object({ id: z.number().int().positive(), symbology: z.enum(LABEL_SYMBOLOGIES).default('qrcode') });
export const labelSheetSchema = z.object({
  reservation: labelReservationSchema,
  /** Each code with its barcode as an SVG document (drawn by the server, shown as an image). */
  labels: z.array(z.object({ code: z.string(), svg: z.string() })),
});
export type LabelSheet = z.infer<typeof labelSheetSchema>;
