import { describe, expect, it } from 'vitest';
import { DISPATCHER_UNLINK_WINDOW_MS, mayUnlinkChild } from '@tracetrack/shared';

const linkedAt = '2026-03-01T10:00:00.000Z';
const at = (ms: number) => Date.parse(linkedAt) + ms;
const link = (linkedBy: string | null, billStatus: string | null = null) => ({ linkedBy, linkedAt, billStatus });

describe('who may unlink a child', () => {
  it('lets a dispatcher unlink their own link within the hour, not after, and never someone else’s', () => {
    const dana = { role: 'dispatcher' as const, username: 'dana' };
    expect(mayUnlinkChild(dana, link('dana'), at(DISPATCHER_UNLINK_WINDOW_MS))).toBe(true);
    expect(mayUnlinkChild(dana, link('dana'), at(DISPATCHER_UNLINK_WINDOW_MS + 1))).toBe(false);
    expect(mayUnlinkChild(dana, link('ravi'), at(1000))).toBe(false);
    expect(mayUnlinkChild(dana, link(null), at(1000))).toBe(false);
  });

  it('lets billers and admins unlink any child, except inside a completed bill (nobody may)', () => {
    for (const role of ['biller', 'admin'] as const) {
      expect(mayUnlinkChild({ role, username: 'x' }, link('dana', 'loading'), at(10 * DISPATCHER_UNLINK_WINDOW_MS))).toBe(true);
      expect(mayUnlinkChild({ role, username: 'x' }, link('dana', 'completed'), at(0))).toBe(false);
    }
    expect(mayUnlinkChild({ role: 'dispatcher', username: 'dana' }, link('dana', 'completed'), at(0))).toBe(false);
  });
});
