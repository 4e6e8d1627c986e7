import type { ParsedCode } from '@tracetrack/shared/codes';

/**
 * The labels a site actually uses, narrower than what the server accepts: a scan outside them is
 * taken for a misread and refused on the device, before it is queued. Each is a regular
 * expression source matched against the whole normalised code; null means "what the server
 * accepts" (client/README.md, "Accepted code patterns", says why that is the default).
 */
export interface AcceptedPatterns {
  parent: string | null;
  child: string | null;
}

export const DEFAULT_ACCEPTED_PATTERNS: AcceptedPatterns = { parent: null, child: null };

/** Ready-made patterns the scanner test page offers, with the words shown for each. */
export const PATTERN_PRESETS = [
  { kind: 'child', source: '\\d{7}', words: 'exactly 7 digits, as on the printed label sheets (0016586)' },
  { kind: 'parent', source: 'SB\\d{5}', words: 'SB parents only (SB00001)' },
  { kind: 'parent', source: 'M444-\\d{5}', words: 'M444 parents only (M444-00001)' },
] as const;

export function describePattern(source: string): string {
  return PATTERN_PRESETS.find((p) => p.source === source)?.words ?? `matching ${source}`;
}

function compile(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/** A sentence saying what is wrong with a pattern typed on the scanner test page, or null when it is usable. */
export function patternProblem(source: string): string | null {
  try {
    const re = compile(source);
    if (re.test('')) return 'This pattern accepts an empty code. Make it require at least one character.';
    return null;
  } catch {
    return 'This is not a valid pattern. Example: \\d{7} for exactly seven digits.';
  }
}

const cache = new Map<string, RegExp | null>();
function matcher(source: string): RegExp | null {
  if (!cache.has(source)) cache.set(source, patternProblem(source) === null ? compile(source) : null);
  return cache.get(source) ?? null;
}

/**
 * Why a scan is refused as a misread, in words for the operator; null when it fits this site's
 * labels. Codes that are not bag codes at all are left to the format rule that explains formats.
 */
export function misreadOf(parsed: ParsedCode, accepted: AcceptedPatterns): string | null {
  if (parsed.kind === 'invalid') return null;
  const source = parsed.kind === 'parent' ? accepted.parent : accepted.child;
  if (!source) return null;
  const re = matcher(source);
  if (!re || re.test(parsed.code)) return null;
  return `Misread? ${parsed.code} is not a ${parsed.kind} label used here (${describePattern(source)}). Nothing was saved: scan it again.`;
}
