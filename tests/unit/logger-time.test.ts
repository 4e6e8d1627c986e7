import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../server/src/infra/logger';

describe('log line timestamps', () => {
  it('are the ISO text of the moment, across seconds, milliseconds and days', () => {
    let now = 0;
    const stamp = isoTimestamp(() => now);
    for (const t of [Date.UTC(2026, 11, 1, 4, 59, 59, 999), Date.UTC(2026, 11, 1, 5, 0, 0, 0), Date.UTC(2026, 11, 1, 5, 0, 0, 7), Date.UTC(2026, 11, 1, 5, 0, 0, 42), Date.UTC(2026, 11, 1, 5, 0, 0, 420), Date.UTC(2026, 11, 31, 23, 59, 59, 5), Date.UTC(2027, 0, 1, 0, 0, 0, 1)]) {
      now = t;
      expect(stamp()).toBe(`,"time":"${new Date(t).toISOString()}"`);
    }
  });
});
