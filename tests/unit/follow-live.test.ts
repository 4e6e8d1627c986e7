import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followLive, type LiveHandlers } from '../../client/src/features/live/follow-live';

const POLL_MS = 500;

/** A live screen on a fake stream and hand-answered reads: the test says when each read answers and what. */
function harness() {
  const answers: ((value: number) => void)[] = [];
  const failures: ((e: Error) => void)[] = [];
  const shown: number[] = [];
  const errors: string[] = [];
  let stream: LiveHandlers<number> | null = null;
  const live = followLive<number>({
    subscribe: (h) => {
      stream = h;
      return { unsubscribe: () => undefined };
    },
    poll: () =>
      new Promise<number>((resolve, reject) => {
        answers.push(resolve);
        failures.push(reject);
      }),
    onValue: (v) => shown.push(v),
    onPollError: (message) => errors.push(message),
    pollMs: POLL_MS,
  });
  return { live, answers, failures, shown, errors, stream: () => stream! };
}

// Lets the awaited reads settle.
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('followLive: the latest read wins', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('while polling, an earlier poll answering after a later one does not put its older value back', async () => {
    const h = harness();
    h.stream().onError(new Error('stream down'));
    expect(h.live.mode()).toBe('polling');
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(h.answers).toHaveLength(2);
    h.answers[1]!(2);
    await settle();
    h.answers[0]!(1);
    await settle();
    expect(h.shown).toEqual([2]);
    h.live.stop();
  });

  it('a refresh answered after a stream value is dropped, and so is its failure; a refresh alone sets the screen in any mode', async () => {
    const h = harness();
    h.stream().onData(1);
    expect(h.live.mode()).toBe('live');
    void h.live.refresh();
    h.stream().onData(2);
    h.answers[0]!(0);
    await settle();
    expect(h.shown).toEqual([1, 2]);

    void h.live.refresh();
    h.stream().onData(3);
    h.failures[1]!(new Error('offline'));
    await settle();
    expect(h.errors).toEqual([]);

    void h.live.refresh();
    h.answers[2]!(4);
    await settle();
    expect(h.shown).toEqual([1, 2, 3, 4]);
    h.live.stop();
  });
});
