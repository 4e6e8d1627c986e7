import type { ScannerSettings } from '../local-db/meta';

export interface WedgeScan {
  /** The burst with control characters and a configured prefix removed (not yet normalised). */
  code: string;
  raw: string;
  /** performance.now() of the terminating Enter, for feedback-latency measurements. */
  enterAt: number;
  /** Milliseconds between consecutive keys of the burst. */
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

/**
 * A keyboard-wedge scanner "types" the code in a fast burst and presses Enter. This document-level
 * listener recognises such a burst with no field focused: every key within `maxInterKeyMs` of the
 * previous one, at least `minLength` characters, then Enter. That Enter is swallowed so it never
 * presses a focused button or link. Nothing is focused, so no soft keyboard appears.
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
    if (e.key === 'Enter') {
      const isBurst = buffer.length >= s.minLength && gap <= s.maxInterKeyMs;
      if (isBurst) {
        e.preventDefault();
        e.stopPropagation();
        const raw = buffer;
        const burstGaps = gaps;
        reset();
        opts.onScan({ code: cleanWedgeInput(raw, s.prefixes), raw, enterAt: now, gaps: burstGaps });
        return;
      }
      return reset();
    }
    // Shift and friends arrive inside a burst for upper-case letters; they neither add nor break it.
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return;
    if (gap > s.maxInterKeyMs) {
      buffer = '';
      gaps = [];
    } else {
      gaps.push(Math.round(gap));
    }
    buffer += e.key;
    lastAt = now;
  };

  document.addEventListener('keydown', onKeyDown, true);
  return () => document.removeEventListener('keydown', onKeyDown, true);
}
