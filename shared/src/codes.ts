/**
 * Bag codes: normalisation and classification (DOMAIN §1).
 * Every write path (scans, sync, imports, admin edits) goes through `parseBagCode`.
 */

/** A parent format is one row: adding a format is adding a row here. */
export const PARENT_FORMATS = [
  { format: 'SB', pattern: /^SB\d{5}$/, example: 'SB00001', label: 'Mustard', maxChildren: 30, fullWeightKg: 30 },
  { format: 'M444', pattern: /^M444-\d{5}$/, example: 'M444-00001', label: 'Moong', maxChildren: 15, fullWeightKg: 15 },
] as const;

export type ParentFormat = (typeof PARENT_FORMATS)[number]['format'];
export type ParentFormatSpec = (typeof PARENT_FORMATS)[number];

export const CHILD_CODE_PATTERN = /^[A-Z0-9]{4,20}$/;
export const CHILD_WEIGHT_KG = 1;

/** Longest raw input accepted before normalisation (scanners may add prefixes and invisible characters). */
export const MAX_RAW_CODE_LENGTH = 100;

// ASCII control characters, zero-width U+200B–U+200F, U+2028–U+202F, U+2060–U+206F and the BOM.
const INVISIBLE = /[\u0000-\u001F\u007F\u200B-\u200F\u2028-\u202F\u2060-\u206F\uFEFF]/g;

/** The text without the characters a scanner or a copy-paste adds but no code holds. */
export function stripInvisible(raw: string): string {
  return raw.replace(INVISIBLE, '');
}

export function normalizeCode(raw: string): string {
  return stripInvisible(raw).trim().toUpperCase();
}

export type ParsedCode =
  | { kind: 'parent'; code: string; format: ParentFormat; spec: ParentFormatSpec }
  | { kind: 'child'; code: string }
  | { kind: 'invalid'; code: string };

export function classifyCode(normalized: string): ParsedCode {
  const spec = PARENT_FORMATS.find((f) => f.pattern.test(normalized));
  if (spec) return { kind: 'parent', code: normalized, format: spec.format, spec };
  if (CHILD_CODE_PATTERN.test(normalized)) return { kind: 'child', code: normalized };
  return { kind: 'invalid', code: normalized };
}

export function parseBagCode(raw: string): ParsedCode {
  return classifyCode(normalizeCode(raw));
}

export function formatSpec(format: string): ParentFormatSpec | undefined {
  return PARENT_FORMATS.find((f) => f.format === format);
}

export const ACCEPTED_FORMATS_TEXT =
  PARENT_FORMATS.map((f) => `${f.format} parent like ${f.example}`).join(', ') +
  ', or a child code of 4–20 letters and digits';

/** Parent status is derived from the count and the format's capacity, never stored separately. */
export type ParentStatus = 'empty' | 'filling' | 'full';
export function parentStatus(childCount: number, capacity: number): ParentStatus {
  if (childCount <= 0) return 'empty';
  return childCount >= capacity ? 'full' : 'filling';
}
