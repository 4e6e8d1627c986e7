import { ACCEPTED_FORMATS_TEXT, AppError, classifyCode, PARENT_FORMATS, type ParsedCode } from '@tracetrack/shared';

/**
 * Codes reach the services normalised by the shared input schemas (rawCodeSchema); here they are
 * classified once and refused by the slot they were scanned into. Bag scans, bills and lookups
 * share these refusals.
 */
export type KnownCode = Exclude<ParsedCode, { kind: 'invalid' }>;

const PARENT_FORMATS_TEXT = PARENT_FORMATS.map((f) => `${f.example} (${f.label})`).join(' or ');

/** A code of no known format is INVALID_CODE, naming the accepted formats. */
export function knownCodeOrRefuse(parsed: ParsedCode): KnownCode {
  if (parsed.kind === 'invalid') throw new AppError('INVALID_CODE', `"${parsed.code}" is not a bag code. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
  return parsed;
}

/** A normalised code, classified; one of no known format is refused. */
export function classifyOrRefuse(code: string): KnownCode {
  return knownCodeOrRefuse(classifyCode(code));
}

/**
 * A code in a parent slot that is not of a parent format: a known child is WRONG_BAG_TYPE (a
 * code's type never changes), an unknown code is INVALID_CODE naming the parent formats.
 */
export function refuseNonParentCode(code: string, isKnownBag: boolean): never {
  if (isKnownBag) throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag; scan a parent bag (e.g. ${PARENT_FORMATS_TEXT}).`);
  throw new AppError('INVALID_CODE', `${code} is not a parent code. Parent codes look like ${PARENT_FORMATS_TEXT}.`);
}

/** A child slot's code, or the refusal. */
export function childCodeOrRefuse(parsed: ParsedCode): string {
  const known = knownCodeOrRefuse(parsed);
  if (known.kind !== 'child') throw new AppError('WRONG_BAG_TYPE', `${known.code} is a parent code; scan a child bag here.`);
  return known.code;
}
