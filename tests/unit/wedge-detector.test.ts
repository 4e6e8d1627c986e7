import { describe, expect, it } from 'vitest';
import { createWedgeDetector, type WedgeKeyInput, type WedgePartial, type WedgeScan, type WedgeTiming } from '../../client/src/scanner/wedge-detector';

const TIMING: WedgeTiming = { maxInterKeyMs: 50, minLength: 3, prefixes: [']Q1'], joinWindowMs: 1000 };

/** A detector on a hand-driven clock: `at` moves only when the test says so, timers fire when it passes them. */
function harness(timing: WedgeTiming = TIMING) {
  let now = 0;
  let timers: { at: number; fn: () => void; isCancelled: boolean }[] = [];
  const scans: WedgeScan[] = [];
  const partials: WedgePartial[] = [];
  const swallowed: string[] = [];
  const detector = createWedgeDetector({
    timing: () => timing,
    onScan: (s) => scans.push(s),
    onPartial: (p) => partials.push(p),
    schedule: (fn, ms) => {
      const timer = { at: now + ms, fn, isCancelled: false };
      timers.push(timer);
      return () => (timer.isCancelled = true);
    },
    now: () => now,
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => !t.isCancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.isCancelled = true;
      due.fn();
    }
    timers = timers.filter((t) => !t.isCancelled);
    now = until;
  };
  const key = (k: string, extra: Partial<WedgeKeyInput> = {}) => {
    if (detector.feed({ key: k, at: now, isInField: false, hasModifier: false, ...extra })) swallowed.push(k);
  };
  /** Keys `gapMs` apart (the first one now), optionally ending with Enter. */
  const type = (text: string, gapMs: number, isEnterPressed = true) => {
    [...text].forEach((ch, i) => {
      if (i > 0) advance(gapMs);
      key(ch);
    });
    if (isEnterPressed) {
      advance(gapMs);
      key('Enter');
    }
  };
  return { detector, scans, partials, swallowed, advance, key, type };
}

describe('wedge detector', () => {
  it('a 12-key burst at 8 ms per key ending in Enter is one scan, and its Enter is swallowed', () => {
    const h = harness();
    h.type('M444-0000123', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['M444-0000123']);
    expect(h.scans[0]!.gaps).toEqual(Array(12).fill(8));
    expect(h.scans[0]!.burstCount).toBe(1);
    expect(h.swallowed).toEqual(['Enter']);
    expect(h.partials).toEqual([]);
  });

  it('strips a configured symbology prefix and invisible characters', () => {
    const h = harness();
    h.type(']Q1SB00042\u200B', 6);
    expect(h.scans.map((s) => s.code)).toEqual(['SB00042']);
    expect(h.scans[0]!.raw).toBe(']Q1SB00042\u200B');
  });

  it('joins a fragment followed within the window by a burst ending in Enter (001, 250 ms, 6586⏎ is 0016586)', () => {
    const h = harness();
    h.type('001', 8, false);
    h.advance(250);
    h.type('6586', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['0016586']);
    expect(h.scans[0]!.burstCount).toBe(2);
    expect(h.partials).toEqual([]);
    // The join window passing later changes nothing: the fragment was used.
    h.advance(5_000);
    expect(h.scans).toHaveLength(1);
    expect(h.partials).toEqual([]);
  });

  it('joins when the scanner pauses before its Enter', () => {
    const h = harness();
    h.type('0016586', 8, false);
    h.advance(400);
    h.key('Enter');
    expect(h.scans.map((s) => s.code)).toEqual(['0016586']);
    expect(h.swallowed).toEqual(['Enter']);
  });

  it('joins several pauses inside one code', () => {
    const h = harness();
    h.type('00', 8, false);
    h.advance(300);
    h.type('165', 8, false);
    h.advance(300);
    h.type('86', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['0016586']);
    expect(h.scans[0]!.burstCount).toBe(3);
  });

  it('a fragment with nothing after it is never a scan: it is reported partial once the window passes', () => {
    const h = harness();
    h.type('001', 8, false);
    h.advance(999);
    expect(h.partials).toEqual([]);
    h.advance(2);
    expect(h.partials).toEqual([{ fragment: '001', reason: 'timeout' }]);
    expect(h.scans).toEqual([]);
  });

  it('a burst after the window is a scan of its own; the fragment before it was reported partial, not joined', () => {
    const h = harness();
    h.type('001', 8, false);
    h.advance(1_500);
    h.type('6586', 8);
    expect(h.partials).toEqual([{ fragment: '001', reason: 'timeout' }]);
    expect(h.scans.map((s) => s.code)).toEqual(['6586']);
    expect(h.scans[0]!.burstCount).toBe(1);
  });

  it('a scan right after a key that may be a person’s is refused as partial rather than guessed', () => {
    const h = harness();
    h.key('7');
    h.advance(300);
    h.type('0016586', 8);
    expect(h.scans).toEqual([]);
    expect(h.partials).toEqual([{ fragment: '70016586', reason: 'ambiguous' }]);
    expect(h.swallowed).toEqual(['Enter']);
  });

  it('a lone space before a scan (scrolling the page) is harmless', () => {
    const h = harness();
    h.key(' ');
    h.advance(300);
    h.type('SB00012', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['SB00012']);
  });

  it('people typing (~120 ms a key) are not a scanner: no scan, no partial, Enter left alone', () => {
    const h = harness();
    h.type('K99X01', 120);
    expect(h.scans).toEqual([]);
    expect(h.partials).toEqual([]);
    expect(h.swallowed).toEqual([]);
    h.advance(5_000);
    expect(h.partials).toEqual([]);
  });

  it('a scanner fragment followed by typing and Enter is reported partial, and the Enter is left alone', () => {
    const h = harness();
    h.type('001', 8, false);
    h.advance(300);
    h.type('65', 150);
    expect(h.scans).toEqual([]);
    expect(h.partials).toEqual([{ fragment: '00165', reason: 'interrupted' }]);
    expect(h.swallowed).toEqual([]);
  });

  it('a focused field takes the keys: a pending fragment is dropped as partial and nothing is joined across it', () => {
    const h = harness();
    h.type('001', 8, false);
    h.advance(100);
    h.key('6', { isInField: true });
    expect(h.partials).toEqual([{ fragment: '001', reason: 'interrupted' }]);
    h.advance(100);
    h.type('6586', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['6586']);
  });

  it('modifier keys inside a burst neither add nor break it; shortcuts are ignored', () => {
    const h = harness();
    h.key('S');
    h.advance(4);
    h.key('Shift');
    h.advance(4);
    h.key('B');
    h.advance(8);
    h.key('c', { hasModifier: true });
    for (const ch of '00001') {
      h.advance(8);
      h.key(ch);
    }
    h.advance(8);
    h.key('Enter');
    expect(h.scans.map((s) => s.code)).toEqual(['SB00001']);
  });

  it('a short burst is not a scan', () => {
    const h = harness();
    h.type('12', 8);
    expect(h.scans).toEqual([]);
    expect(h.swallowed).toEqual([]);
  });

  it('early keys replayed with their own timestamps give the same scan as live ones', () => {
    // Recorded by public/early-keys.js while the app loaded: B O O T, a pause, 0 0 0 0 Enter.
    const recorded: WedgeKeyInput[] = [];
    let at = 100;
    for (const ch of 'BOOT') recorded.push({ key: ch, at: (at += 7), isInField: false, hasModifier: false });
    at += 200;
    for (const ch of '0000') recorded.push({ key: ch, at: (at += 7), isInField: false, hasModifier: false });
    recorded.push({ key: 'Enter', at: (at += 7), isInField: false, hasModifier: false });
    const h = harness();
    h.advance(1_000);
    for (const k of recorded) h.detector.feed(k);
    expect(h.scans.map((s) => s.code)).toEqual(['BOOT0000']);
    expect(h.partials).toEqual([]);
  });

  it('keys replayed from the early buffer then continued live are one scan', () => {
    const h = harness();
    for (const [i, ch] of [...'SB0'].entries()) h.detector.feed({ key: ch, at: i * 8, isInField: false, hasModifier: false });
    h.advance(16 + 8);
    h.type('0012', 8);
    expect(h.scans.map((s) => s.code)).toEqual(['SB00012']);
  });

  it('a slower scanner works once its threshold is raised', () => {
    const slow = harness({ ...TIMING, maxInterKeyMs: 150 });
    slow.type('K99X02', 120);
    expect(slow.scans.map((s) => s.code)).toEqual(['K99X02']);
  });
});
