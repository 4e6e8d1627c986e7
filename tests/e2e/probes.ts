/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import type { Page } from 'playwright-core';

export interface LatencyProbe {
  first: number[];
  frame: number[];
  confirmed: number[];
}

/** Records, in the page, the time from each wedge Enter to the scan's first on-screen feedback. */
export async function installLatencyProbe(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __probe: { enterAt: number; expect: string; first: number[]; frame: number[]; confirmed: number[]; seenFirst: boolean; seenOk: boolean } };
    w.__probe = { enterAt: 0, expect: '', first: [], frame: [], confirmed: [], seenFirst: true, seenOk: true };
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') Object.assign(w.__probe, { enterAt: performance.now(), seenFirst: false, seenOk: false });
    }, true);
    new MutationObserver(() => {
      const p = w.__probe;
      const el = document.querySelector('[data-testid="scan-feedback"]');
      if (!el || !p.expect || !(el.textContent ?? '').includes(p.expect)) return;
      const now = performance.now();
      if (!p.seenFirst) {
        p.seenFirst = true;
        const enterAt = p.enterAt;
        p.first.push(now - enterAt);
        // The frame that paints it: the next animation frame after the DOM changed.
        requestAnimationFrame(() => p.frame.push(performance.now() - enterAt));
      }
      if (!p.seenOk && el.getAttribute('data-kind') === 'ok') {
        p.seenOk = true;
        p.confirmed.push(now - p.enterAt);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** The scan the probe waits for next: its code must appear in the feedback. */
export async function setProbeExpectation(page: Page, code: string): Promise<void> {
  await page.evaluate((c) => ((window as unknown as { __probe: { expect: string } }).__probe.expect = c), code);
}

export async function readLatencyProbe(page: Page): Promise<LatencyProbe> {
  return page.evaluate(() => {
    const p = (window as unknown as { __probe: LatencyProbe }).__probe;
    return { first: p.first, frame: p.frame, confirmed: p.confirmed };
  });
}

export const latencyStats = (xs: number[]) => ({
  n: xs.length,
  median: +percentile(xs, 50).toFixed(1),
  p95: +percentile(xs, 95).toFixed(1),
  max: +Math.max(...xs).toFixed(1),
});
