import { stripInvisible } from '@tracetrack/shared/codes';

/** What the detector needs of this device's scanner settings (local-db/meta.ts keeps them). */
export interface WedgeTiming {
  /** Longest average gap between two keys of one scanner burst. */
  maxInterKeyMs: number;
  /** Fewest characters before Enter for a burst to count as a scan. */
  minLength: number;
  /** Symbology prefixes some scanners put before the code (AIM ids such as ]Q1). */
  prefixes: readonly string[];
  /** How long a burst that ended without Enter waits for the rest of its code. */
  joinWindowMs: number;
}

export interface WedgeScan {
  /** The joined bursts with invisible characters and a configured prefix removed (not yet normalised). */
  code: string;
  raw: string;
  /** performance.now() when the terminating Enter was handled, for feedback-latency measurements. */
  enterAt: number;
  /** Milliseconds between consecutive keys of the final burst, the Enter's included. */
  gaps: number[];
  /** How many bursts were joined into this scan (1 when the scanner sent it in one go). */
  burstCount: number;
}

/** Scanner keys that never became a scan: the operator must scan the label again. */
export interface WedgePartial {
  fragment: string;
  /** `timeout`: no Enter followed in time; `ambiguous`: a scan followed keys that may not be the scanner's. */
  reason: 'timeout' | 'ambiguous' | 'interrupted';
}

/** One keydown, as the DOM adapter (wedge.ts) or the early-key buffer saw it. */
export interface WedgeKeyInput {
  key: string;
  /** Event time on the performance.now() clock (a wedge scanner's hardware timestamps when it sends them). */
  at: number;
  isInField: boolean;
  hasModifier: boolean;
}

interface Run {
  text: string;
  /** Gaps between this run's keys (not the pause before its first key). */
  gaps: number[];
}

/** A pause this many times the key threshold always separates two bursts. */
export const HARD_BREAK_FACTOR = 4;

const average = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function stripScannerPrefix(raw: string, prefixes: readonly string[]): string {
  let code = stripInvisible(raw).trim();
  const upper = code.toUpperCase();
  const prefix = prefixes.find((p) => p && upper.startsWith(p.toUpperCase()));
  if (prefix) code = code.slice(prefix.length);
  return code;
}

/**
 * Recognises keyboard-wedge scans in a stream of keydowns, with no DOM: a scanner "types" the code
 * in a fast burst (average key gap within `maxInterKeyMs`, no pause over four times that) and
 * presses Enter. People type far slower, so their keys are never a scan.
 *
 * A scanner may pause mid-code (Bluetooth); the keys before the pause are a fragment, never a scan
 * of their own. A fast fragment followed within `joinWindowMs` by a burst ending in Enter is joined
 * to it (001 … 6586⏎ is 0016586). A fragment nothing follows is reported as partial. A scan
 * preceded within the window by keys that cannot be told apart from a person's (one character, or
 * typed slowly) is reported as partial too rather than guessed: joined or dropped, those keys could
 * turn the label into another valid code.
 */
export function createWedgeDetector(opts: {
  timing: () => WedgeTiming;
  onScan: (scan: WedgeScan) => void;
  onPartial: (partial: WedgePartial) => void;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
  now: () => number;
}) {
  let runs: Run[] = [];
  let lastAt = -Infinity;
  let cancelExpiry: (() => void) | null = null;

  const isFast = (run: Run, t: WedgeTiming) => run.text.length >= 2 && average(run.gaps) <= t.maxInterKeyMs;
  const textOf = () => runs.map((r) => r.text).join('');

  const reset = () => {
    runs = [];
    lastAt = -Infinity;
    cancelExpiry?.();
    cancelExpiry = null;
  };

  /** Ends what is buffered without a scan; reported when a scanner's burst was part of it. */
  const giveUp = (reason: WedgePartial['reason']) => {
    const t = opts.timing();
    const fragment = textOf();
    const wasScanner = runs.some((r) => isFast(r, t));
    reset();
    if (wasScanner) opts.onPartial({ fragment, reason });
  };

  const armExpiry = (t: WedgeTiming) => {
    cancelExpiry?.();
    cancelExpiry = opts.schedule(() => {
      cancelExpiry = null;
      giveUp('timeout');
    }, t.joinWindowMs);
  };

  /** Enter: true when it ended a scanner's burst (the caller swallows it so it presses nothing). */
  const onEnter = (gap: number, t: WedgeTiming, hardBreak: number): boolean => {
    if (runs.length === 0) return false;
    const last = runs[runs.length - 1]!;
    const isLastContinued = gap <= hardBreak;
    // The final burst is the run the Enter continues; after a pause the Enter is a burst of its own,
    // which completes the code only if it came within the join window of a scanner's fragment.
    const finalRun: Run = isLastContinued ? { text: last.text, gaps: [...last.gaps, gap] } : { text: '', gaps: [] };
    const earlier = isLastContinued ? runs.slice(0, -1) : runs;
    const isFinalFast = isLastContinued
      ? average(finalRun.gaps) <= t.maxInterKeyMs
      : gap <= t.joinWindowMs && earlier.length > 0 && isFast(earlier[earlier.length - 1]!, t);
    if (!isFinalFast) {
      giveUp('interrupted');
      return false;
    }
    const raw = textOf();
    // A lone space is harmless (trimmed away); any other key not typed at scanner speed is not.
    const isAmbiguous = earlier.some((r) => !isFast(r, t) && r.text.trim() !== '');
    const burstCount = runs.length;
    reset();
    if (isAmbiguous) {
      opts.onPartial({ fragment: raw, reason: 'ambiguous' });
      return true;
    }
    const code = stripScannerPrefix(raw, t.prefixes);
    if (code.length < t.minLength) {
      if (burstCount > 1) opts.onPartial({ fragment: raw, reason: 'interrupted' });
      return burstCount > 1;
    }
    opts.onScan({ code, raw, enterAt: opts.now(), gaps: finalRun.gaps.map(Math.round), burstCount });
    return true;
  };

  return {
    /** Feeds one keydown; true when the caller should swallow it (preventDefault). */
    feed(input: WedgeKeyInput): boolean {
      const t = opts.timing();
      if (input.isInField) {
        // A focused field takes the keys itself (its form handles Enter).
        giveUp('interrupted');
        return false;
      }
      const gap = input.at - lastAt;
      const hardBreak = t.maxInterKeyMs * HARD_BREAK_FACTOR;
      if (gap > t.joinWindowMs && runs.length > 0) giveUp('timeout');
      if (input.key === 'Enter') return onEnter(input.at - lastAt, t, hardBreak);
      // Shift and friends arrive inside a burst for upper-case letters; they neither add nor break it.
      if (input.key.length !== 1 || input.hasModifier) return false;
      const current = runs[runs.length - 1];
      if (current && input.at - lastAt <= hardBreak) {
        current.text += input.key;
        current.gaps.push(input.at - lastAt);
      } else {
        runs.push({ text: input.key, gaps: [] });
      }
      lastAt = input.at;
      armExpiry(t);
      return false;
    },
    reset,
  };
}

export type WedgeDetector = ReturnType<typeof createWedgeDetector>;
