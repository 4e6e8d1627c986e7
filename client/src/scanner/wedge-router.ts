import { liveQuery } from 'dexie';
import { DEFAULT_SCANNER_SETTINGS, loadScannerSettings, type ScannerSettings } from '../local-db/meta';
import { attachWedgeListener, type WedgeKey } from './wedge';
import { createWedgeDetector, type WedgeKeyInput, type WedgePartial, type WedgeScan } from './wedge-detector';

/** What a screen does with a wedge scan; without `onPartial` the app-level notice reports partial scans. */
export interface ScanHandler {
  onScan(scan: WedgeScan): void;
  onPartial?(partial: WedgePartial): void;
}

/** A screen's own handler outranks the app-level "open Scan?" notice. */
export const SCREEN_PRIORITY = 1;
export const FALLBACK_PRIORITY = 0;

type Item = { kind: 'scan'; scan: WedgeScan } | { kind: 'partial'; partial: WedgePartial };
interface Entry {
  handler: ScanHandler;
  priority: number;
  order: number;
}

const entries: Entry[] = [];
let registrations = 0;
/** Scans that arrived while no screen was listening (the app starting, a screen loading). */
let waiting: Item[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let settings: ScannerSettings = DEFAULT_SCANNER_SETTINGS;
let isStarted = false;
const keyListeners = new Set<(key: WedgeKey) => void>();
let lastKeyAt = -Infinity;

function top(): Entry | undefined {
  let best: Entry | undefined;
  for (const e of entries) if (!best || e.priority > best.priority || (e.priority === best.priority && e.order > best.order)) best = e;
  return best;
}

function deliver(item: Item) {
  const entry = top();
  if (!entry) return waiting.push(item);
  if (item.kind === 'scan') return entry.handler.onScan(item.scan);
  const reporter = entry.handler.onPartial ? entry : entries.filter((e) => e.handler.onPartial).sort((a, b) => b.priority - a.priority || b.order - a.order)[0];
  reporter?.handler.onPartial?.(item.partial);
}

/**
 * Waiting scans go to the screen once it is there. Delivery waits one task after a registration,
 * so a screen mounting together with the app-level notice gets them, not the notice.
 */
function scheduleFlush() {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(() => {
    if (!top()) return;
    const items = waiting;
    waiting = [];
    for (const item of items) deliver(item);
  }, 0);
}

function dispatch(item: Item) {
  if (waiting.length > 0 || !top()) {
    waiting.push(item);
    if (top()) scheduleFlush();
    return;
  }
  deliver(item);
}

/**
 * The app's one wedge scanner: a document listener started before the first render, which takes
 * over the keys public/early-keys.js recorded and feeds them, in order and with their own
 * timestamps, to the detector once this device's settings are read. Each scan goes to the screen
 * that registered last with the highest priority.
 */
export function startWedgeRouter(): void {
  if (isStarted) return;
  isStarted = true;
  const detector = createWedgeDetector({
    timing: () => settings,
    onScan: (scan) => dispatch({ kind: 'scan', scan }),
    onPartial: (partial) => dispatch({ kind: 'partial', partial }),
    schedule: (fn, ms) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    now: () => performance.now(),
  });
  let unread: WedgeKeyInput[] | null = [];
  const feed = (input: WedgeKeyInput) => {
    if (unread) {
      unread.push(input);
      return false;
    }
    return detector.feed(input);
  };
  const onKey = (input: WedgeKeyInput) => {
    const gap = input.at - lastKeyAt;
    lastKeyAt = input.at;
    for (const l of keyListeners) l({ key: input.key, gapMs: Number.isFinite(gap) ? Math.round(gap) : -1, isInField: input.isInField });
  };
  const { earlyKeys } = attachWedgeListener({ feed, onKey });
  unread.unshift(...earlyKeys);
  liveQuery(loadScannerSettings).subscribe({
    next: (s) => {
      settings = s;
      if (!unread) return;
      const keys = unread;
      unread = null;
      for (const k of keys) detector.feed(k);
    },
    error: () => {
      const keys = unread ?? [];
      unread = null;
      for (const k of keys) detector.feed(k);
    },
  });
}

export function registerScanHandler(handler: ScanHandler, priority: number): () => void {
  const entry: Entry = { handler, priority, order: ++registrations };
  entries.push(entry);
  if (waiting.length > 0) scheduleFlush();
  return () => {
    const i = entries.indexOf(entry);
    if (i >= 0) entries.splice(i, 1);
  };
}

/** Hands a scan to the next screen that registers (the notice's "Open Scan" button navigates there). */
export function handOffScan(scan: WedgeScan): void {
  waiting.push({ kind: 'scan', scan });
}

/** Every key the listener sees, for the scanner test page. */
export function observeWedgeKeys(listener: (key: WedgeKey) => void): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}
