import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../server/src/env';
import { proceduresOf, routeGroupOf } from '../../server/src/http/observe';
import { createMetrics, type MetricsJson, slowestProcedures } from '../../server/src/infra/metrics';
import { nextLocalTime } from '../../server/src/modules/system/schedule';

const sources = { poolStats: () => ({ total: 3, idle: 2, waiting: 0, max: 20 }), redisUp: null, activeSessions: async () => 0 };

describe('metrics', () => {
  it('counts push outcomes by code, replays apart, and seq gaps', async () => {
    const m = createMetrics(sources);
    m.countPush([
      { id: 'a', status: 'applied', message: '', replay: false },
      { id: 'b', status: 'applied', message: '', replay: true },
      { id: 'c', status: 'unchanged', message: '', replay: false },
      { id: 'd', status: 'rejected', code: 'PARENT_FULL', message: '', replay: false },
      { id: 'e', status: 'rejected', code: 'PARENT_FULL', message: '', replay: true },
    ]);
    m.countSeqGaps(2, 1);
    const text = await m.registry.metrics();
    expect(text).toContain('tracetrack_sync_mutations_total{outcome="applied",code=""} 1\n');
    expect(text).toContain('tracetrack_sync_mutations_total{outcome="unchanged",code=""} 1\n');
    expect(text).toContain('tracetrack_sync_mutations_total{outcome="rejected",code="PARENT_FULL"} 1\n');
    expect(text).toContain('tracetrack_sync_replays_total 2\n');
    expect(text).toContain('tracetrack_sync_seq_gaps_total{event="opened"} 2\n');
    expect(text).toContain('tracetrack_db_pool_connections{state="idle"} 2\n');
  });

  it('ranks procedures by mean duration over every worker\'s histogram, with the p95 bucket', async () => {
    const a = createMetrics(sources);
    const b = createMetrics(sources);
    for (let i = 0; i < 19; i++) a.observeCall('bag.get', 200, 0.003);
    b.observeCall('bag.get', 200, 0.2);
    a.observeCall('sync.push', 200, 0.04);
    b.observeCall('sync.push', 409, 0.06);
    const parts = [await a.registry.getMetricsAsJSON(), await b.registry.getMetricsAsJSON()] as MetricsJson[];
    const ranked = slowestProcedures(parts.flat(), 10);
    expect(ranked.map((r) => r.procedure)).toEqual(['sync.push', 'bag.get']);
    expect(ranked[0]).toMatchObject({ calls: 2, p95Ms: 100 });
    expect(ranked[0]!.meanMs).toBeCloseTo(50, 6);
    // 19 of 20 calls took 3 ms: the 95th percentile is in the 5 ms bucket.
    expect(ranked[1]).toMatchObject({ calls: 20, p95Ms: 5 });
    expect(a.snapshot()).toMatchObject({ pid: process.pid, callsLastHour: 20, errorsLastHour: 0 });
    expect(slowestProcedures((await new Registry().getMetricsAsJSON()) as MetricsJson, 10)).toEqual([]);
  });
});

describe('request labels', () => {
  it('names the procedures of a path (each of a batch) and a bounded route group otherwise', () => {
    expect(proceduresOf('/trpc/sync.push')).toEqual(['sync.push']);
    expect(proceduresOf('/trpc/auth.me,bag.get')).toEqual(['auth.me', 'bag.get']);
    expect(proceduresOf('/trpc/%E0%A4%A')).toEqual(['%E0%A4%A']);
    expect(proceduresOf('/api/exports/bags.csv')).toBeNull();
    expect(['/trpc/x', '/api/imports', '/api/exports/bags.csv', '/api/nope', '/metrics', '/bills/B-1'].map(routeGroupOf))
      .toEqual(['/trpc', '/api/imports', '/api/exports', '/api/other', '/metrics', 'static']);
  });
});

describe('next end-of-day mail', () => {
  const kolkata = 'Asia/Kolkata';
  it('is today at the time while it is before it, tomorrow once today is done, at once when today is overdue', () => {
    const morning = new Date('2026-03-10T03:00:00Z'); // 08:30 in Kolkata
    expect(nextLocalTime(morning, kolkata, '20:00', { isTodayDone: false }).toISOString()).toBe('2026-03-10T14:30:00.000Z');
    expect(nextLocalTime(morning, kolkata, '20:00', { isTodayDone: true }).toISOString()).toBe('2026-03-11T14:30:00.000Z');
    const late = new Date('2026-03-10T15:00:20Z'); // 20:30:20, not sent yet
    expect(nextLocalTime(late, kolkata, '20:00', { isTodayDone: false }).toISOString()).toBe('2026-03-10T15:01:00.000Z');
  });
});

describe('environment', () => {
  it('reads METRICS_TOKEN (16+ characters, empty is unset), METRICS and ACCESS_LOG', () => {
    expect(loadEnv({})).toMatchObject({ METRICS: 'on', ACCESS_LOG: 'on', LOG_LEVEL: 'info' });
    expect(loadEnv({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(loadEnv({ METRICS_TOKEN: 'a'.repeat(16), METRICS: 'off', ACCESS_LOG: 'off' })).toMatchObject({ METRICS_TOKEN: 'a'.repeat(16), METRICS: 'off', ACCESS_LOG: 'off' });
    expect(() => loadEnv({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
