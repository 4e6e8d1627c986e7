import { describe, expect, it } from 'vitest';
import { purgeInBatches } from '../../server/src/infra/batched-purge';
import { anonymizeIp, maskEmail } from '../../server/src/modules/audit/anonymize';
import { talliesOfParents } from '../../server/src/modules/bills/mappers';
import { scopeOf } from '../../server/src/modules/counters/deltas';
import { timeZoneDay } from '../../server/src/modules/counters/time-zone-day';
import { chartDays } from '../../server/src/modules/stats/service';
import { canonicalJson } from '../../server/src/modules/sync/canonical-json';

describe('anonymising the audit log', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    [null, null],
  ])('keeps %s as %s', (ip, kept) => expect(anonymizeIp(ip)).toBe(kept));

  it('masks an email to its first letter and domain', () => expect(maskEmail('dispatcher@example.test')).toBe('d***@example.test'));
});

describe('the daily counters\' day', () => {
  it('is the calendar day in the given time zone', () => {
    const lateUtc = new Date('2024-05-01T20:00:00Z');
    expect(timeZoneDay(lateUtc, 'Asia/Kolkata')).toBe('2024-05-02');
    expect(timeZoneDay(lateUtc, 'UTC')).toBe('2024-05-01');
  });

  it('gives the dashboard chart the 14 calendar days ending today, across a month and a leap day', () => {
    const days = chartDays('2024-03-05');
    expect(days).toHaveLength(14);
    expect([days[0], days[7], days.at(-1)]).toEqual(['2024-02-21', '2024-02-28', '2024-03-05']);
    expect(days).toContain('2024-02-29');
    expect(chartDays('2024-03-05')).toBe(days);
    expect(chartDays('2025-01-01').slice(0, 2)).toEqual(['2024-12-19', '2024-12-20']);
  });

  it('counts bags without an area in the one no-area scope', () => {
    expect([scopeOf('hisar'), scopeOf(null)]).toEqual(['hisar', '-']);
  });
});

describe('canonical JSON', () => {
  it('compares args equal whatever order their keys were sent in, ignoring undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }], e: null })).toBe(canonicalJson({ e: null, a: [{ d: 2 }], b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('purging in batches', () => {
  it('stops at the first short batch, or after the most batches allowed', async () => {
    const left = [5, 5, 2];
    const asked: number[] = [];
    expect(await purgeInBatches(async (limit) => (asked.push(limit), left.shift() ?? 0), 5, 10)).toBe(12);
    expect(asked).toEqual([5, 5, 5]);
    expect(await purgeInBatches(async (limit) => limit, 5, 3)).toBe(15);
  });
});

describe('database errors the caller may retry', () => {
  it('treats lost connections, deadlocks and exhausted server resources as transient, and bad values as not', async () => {
    const { isTransientDbError } = await import('../../server/src/infra/transaction');
    const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
    expect(isTransientDbError(pgError('53300'))).toBe(true); // too many connections
    expect(isTransientDbError(pgError('53200'))).toBe(true); // out of memory
    expect(isTransientDbError(pgError('40P01'))).toBe(true);
    expect(isTransientDbError(pgError('57P01'))).toBe(true);
    expect(isTransientDbError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientDbError(pgError('22021'))).toBe(false);
    expect(isTransientDbError(pgError('23505'))).toBe(false);
  });
});

describe("a bill's tallies from its parents", () => {
  it('counts parents and children per format, sorted by format, as the grouped query does', () => {
    expect(talliesOfParents([])).toEqual([]);
    expect(talliesOfParents([
      { format: 'SB', child_count: 28 }, { format: 'M444', child_count: 15 }, { format: 'SB', child_count: 0 }, { format: 'M444', child_count: 3 },
    ])).toEqual([{ format: 'M444', parents: 2, children: 18 }, { format: 'SB', parents: 2, children: 28 }]);
  });
});
