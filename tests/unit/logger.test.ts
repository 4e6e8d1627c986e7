import { describe, expect, it } from 'vitest';
import { createLogger, isoTimestamp } from '../../server/src/infra/logger';

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

describe('access lines', () => {
  it('are the JSON line pino writes for info("request", fields), with hostile strings escaped', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { destination: { write: (line: string) => void lines.push(line) } });
    const fields = { requestId: 'req "1"\\\n\u2028', method: 'POST', procedures: ['sync.push', 'bag.get'], status: 207, durationMs: 12.3, userId: 7, deviceId: 'dev-1' };
    logger.access(fields);
    logger.info('request', fields);
    logger.access({ requestId: 'r2', method: 'GET', path: '/api/exports/bags.csv', status: 200, durationMs: 0.1, userId: null, deviceId: null });
    logger.info('request', { requestId: 'r2', method: 'GET', path: '/api/exports/bags.csv', status: 200, durationMs: 0.1, userId: null });
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line.endsWith('\n')).toBe(true);
    const [a, b, c, d] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(typeof a!.time).toBe('string');
    expect({ ...a, time: 0 }).toEqual({ ...b, time: 0 });
    expect({ ...c, time: 0 }).toEqual({ ...d, time: 0 });
    expect(Object.keys(a!)).toEqual(Object.keys(b!));
  });

  it('are not written below info', () => {
    const lines: string[] = [];
    createLogger('warn', { destination: { write: (line: string) => void lines.push(line) } }).access({ requestId: 'r', method: 'GET', path: '/', status: 200, durationMs: 1, userId: null });
    expect(lines).toEqual([]);
  });
});
