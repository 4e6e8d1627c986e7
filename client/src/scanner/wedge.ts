import type { WedgeDetector, WedgeKeyInput } from './wedge-detector';

export type { WedgePartial, WedgeScan } from './wedge-detector';

/** One key as the scanner test page lists it. */
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

declare global {
  interface Window {
    /** Set by public/early-keys.js, the first script of the page. */
    __ttEarlyKeys?: { take(): WedgeKeyInput[] };
  }
}

const toInput = (e: KeyboardEvent): WedgeKeyInput => ({
  key: e.key,
  at: e.timeStamp || performance.now(),
  isInField: isTextField(e.target),
  hasModifier: e.ctrlKey || e.metaKey || e.altKey,
});

/**
 * The one document-level keydown listener. Keys the early script recorded before the app ran are
 * taken over in the same task the listener is attached in, so none is lost or seen twice. The
 * scan's Enter is swallowed so it never presses a focused button or link; nothing is focused for
 * scanning, so no soft keyboard appears.
 */
export function attachWedgeListener(opts: { feed: (input: WedgeKeyInput) => boolean; onKey: (input: WedgeKeyInput) => void }): {
  earlyKeys: WedgeKeyInput[];
  detach: () => void;
} {
  const onKeyDown = (e: KeyboardEvent) => {
    const input = toInput(e);
    opts.onKey(input);
    if (opts.feed(input)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  document.addEventListener('keydown', onKeyDown, true);
  const earlyKeys = window.__ttEarlyKeys?.take() ?? [];
  return { earlyKeys, detach: () => document.removeEventListener('keydown', onKeyDown, true) };
}

export type { WedgeDetector };
