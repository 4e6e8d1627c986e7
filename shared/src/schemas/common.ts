import { z } from 'zod';
import { MAX_RAW_CODE_LENGTH, normalizeCode } from '../codes';

export const ROLES = ['admin', 'biller', 'dispatcher'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * A raw scanned code. Characters no code can hold (quotes, spaces, markup) are a field error here;
 * the format itself (SB00001, M444-00001, child codes) is classified by the service (INVALID_CODE).
 */
export const rawCodeSchema = z
  .string()
  .min(1, 'Code is required')
  .max(MAX_RAW_CODE_LENGTH, 'Code is too long')
  .refine((raw) => /^[A-Z0-9-]+$/.test(normalizeCode(raw)), 'A code has only letters, digits and -');

export const BILL_NUMBER_PATTERN = /^[A-Z0-9][A-Z0-9_\-/.]{2,49}$/;
/** Bill numbers are normalised like codes, then must be 3–50 of A–Z, 0–9 and - _ / . */
export const billNumberSchema = z
  .string()
  .max(200, 'Bill number is too long')
  .transform(normalizeCode)
  .pipe(z.string().regex(BILL_NUMBER_PATTERN, 'Bill number must be 3–50 letters, digits or - _ / .'));

export const areaCodeSchema = z.string().regex(/^[a-z_]{2,40}$/, 'Unknown area');

export const pageLimitSchema = z.number().int().min(1).max(200).default(50);
export const cursorSchema = z.string().max(500).optional();
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
