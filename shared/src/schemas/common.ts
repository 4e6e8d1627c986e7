import { z } from 'zod';
import { MAX_RAW_CODE_LENGTH, normalizeCode } from '../codes';
import { ROLES } from '../roles';

export const roleSchema = z.enum(ROLES);

/**
 * Whether Postgres can store this text: it refuses NUL (in text and in jsonb), and an unpaired
 * UTF-16 surrogate has no UTF-8 form (the driver would silently store U+FFFD instead).
 */
export function isStorableText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return false;
    if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

/** The text with each NUL and unpaired surrogate replaced by U+FFFD, for echoing bad input back. */
export function toStorableText(text: string): string {
  if (isStorableText(text)) return text;
  let out = '';
  for (const char of text) out += char === '\u0000' || (char.length === 1 && char >= '\ud800' && char <= '\udfff') ? '\ufffd' : char;
  return out;
}

/** Every free-text string of the API starts from this (then trim, max, …). */
export const storableTextSchema = z.string().refine(isStorableText, 'Remove the NUL or broken (unpaired surrogate) character');

/**
 * A scanned code, normalised (RULES.md, codes), so what is stored and echoed is the code, not the
 * scanner's noise. Characters no code can hold (quotes, spaces, markup) are a field error here;
 * the format itself (SB00001, M444-00001, child codes) is classified by the service (INVALID_CODE).
 */
export const rawCodeSchema = z
  .string()
  .min(1, 'Code is required')
  .max(MAX_RAW_CODE_LENGTH, 'Code is too long')
  .transform(normalizeCode)
  .pipe(z.string().regex(/^[A-Z0-9-]+$/, 'A code has only letters, digits and -'));

export const BILL_NUMBER_PATTERN = /^[A-Z0-9][A-Z0-9_\-/.]{2,49}$/;
/** Bill numbers are normalised like codes, then must be 3–50 of A–Z, 0–9 and - _ / . */
export const billNumberSchema = z
  .string()
  .max(200, 'Bill number is too long')
  .transform(normalizeCode)
  .pipe(z.string().regex(BILL_NUMBER_PATTERN, 'Bill number must be 3–50 letters, digits or - _ / .'));

export const usernameSchema = z.string().regex(/^[A-Za-z0-9_]{3,20}$/, 'Username must be 3–20 letters, digits or _');

export const areaCodeSchema = z.string().regex(/^[a-z_]{2,40}$/, 'Unknown area');

export const pageLimitSchema = z.number().int().min(1).max(200).default(50);
export const cursorSchema = storableTextSchema.max(500).optional();

/** Real offsets run from −12:00 to +14:00; Postgres refuses anything past ±15:59. */
const MAX_OFFSET_HOURS = 14;
const OFFSET = /([+-])(\d{2}):\d{2}$/;

/**
 * An ISO-8601 instant with an offset, from the start of `fromYear` to the end of `toYear` (UTC).
 * Zod alone lets through year 0000 and offsets up to ±23:59, which Postgres refuses (22008, 22009).
 */
export function isoInstantSchema(fromYear: number, toYear: number) {
  const min = Date.UTC(fromYear, 0, 1);
  const max = Date.UTC(toYear + 1, 0, 1);
  return z.iso.datetime({ offset: true }).refine((value) => {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return true; // not ISO at all: the format check already says so
    const hours = Number(OFFSET.exec(value)?.[2] ?? 0);
    return hours <= MAX_OFFSET_HOURS && at >= min && at < max;
  }, `Must be a time between ${fromYear} and ${toYear} with a real time-zone offset`);
}

/** Date filters: wide, but only what Postgres can compare with. */
export const isoDateTimeSchema = isoInstantSchema(1900, 9999);

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
