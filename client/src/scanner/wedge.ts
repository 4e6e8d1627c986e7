import type { ScannerSettings } from '../local-db/meta';

export interface WedgeScan {
  /** The burst with control characters and a configured prefix removed (not yet normalised). */
  code: string;
  raw: string;
  /** performance.now() when the terminating Enter was handled, for feedback-latency measurements. */
  enterAt: number;
  /** Milliseconds between consecutive keys of the burst, the Enter's included. */
  gaps: number[];
}

export interface WedgeKey {
  key: string;
  gapMs: number;
  isInField: boolean;
}

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'number', 'password', 'tel', 'url', '']);

/** A focused text field receives the keys itself (its form handles Enter), so the listener stands aside. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(target.type);
}

// ASCII control characters and invisible Unicode some scanners emit around the data.
const CONTROL = /[\u0000-\u001F\u007F\u200B-\u200F\u2028-\u202F\u2060-\u206F\uFEFF]/g;

export function cleanWedgeInput(raw: string, prefixes: readonly string[]): string {
  let code = raw.replace(CONTROL, '').trim();
  const upper = code.toUpperCase();
  const prefix = prefixes.find((p) => p && upper.startsWith(p.toUpperCase()));
  if (prefix) code = code.slice(prefix.length);
  return code;
}

/** A pause this many times the key threshold always separates two bursts. */
const HARD_BREAK_FACTOR = 4;

/**
 * A keyboard-wedge scanner "types" the code in a fast burst and presses Enter. This document-level
 * listener recognises such a burst with no field focused: at least `minLength` characters whose
 * average key gap (Enter included) is within `maxInterKeyMs`, with no pause longer than four times
 * that. The average (not every gap) tolerates the odd Bluetooth hiccup; people type far slower.
 * The scan's Enter is swallowed so it never presses a focused button or link. Nothing is focused,
 * so no soft keyboard appears.
 */
export function attachWedgeListener(opts: {
  settings: () => ScannerSettings;
  onScan: (scan: WedgeScan) => void;
  onKey?: (key: WedgeKey) => void;
}): () => void {
  let buffer = '';
  let gaps: number[] = [];
  let lastAt = -Infinity;

  const reset = () => {
    buffer = '';
    gaps = [];
    lastAt = -Infinity;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const now = e.timeStamp || performance.now();
    const gap = now - lastAt;
    const isInField = isTextField(e.target);
    opts.onKey?.({ key: e.key, gapMs: Number.isFinite(gap) ? Math.round(gap) : -1, isInField });
    if (isInField) return reset();
    const s = opts.settings();
    const hardBreak = s.maxInterKeyMs * HARD_BREAK_FACTOR;
    if (e.key === 'Enter') {
      const all = [...gaps, gap];
      const average = all.reduce((a, b) => a + b, 0) / all.length;
      const isBurst = buffer.length >= s.minLength && gap <= hardBreak && average <= s.maxInterKeyMs;
      const raw = buffer;
      reset();
      if (!isBurst) return;
      e.preventDefault();
      e.stopPropagation();
      opts.onScan({ code: cleanWedgeInput(raw, s.prefixes), raw, enterAt: performance.now(), gaps: all.map(Math.round) });
      return;
    }
    // Shift and friends arrive inside a burst for upper-case letters; they neither add nor break it.
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return;
    if (gap > hardBreak) {
      buffer = '';
      gaps = [];
    } else {
      gaps.push(gap);
    }
    buffer += e.key;
    lastAt = now;
  };

  document.addEventListener('keydown', onKeyDown, true);
  return () => document.removeEventListener('keydown', onKeyDown, true);
}
