import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { MutationResult } from '@tracetrack/shared';

/** Seconds; tuned for procedures that answer in 1–50 ms and pushes of 200 scans in ~100 ms. */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MINUTES_KEPT = 60;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** What the gauges read when scraped; passed in by buildDeps. */
export interface MetricSources {
  poolStats: () => PoolStats;
  /** 1 up, 0 down; null: no Redis configured (the gauge is left out). */
  redisUp: (() => Promise<number>) | null;
  activeSessions: () => Promise<number>;
  /** Live-screen streams (subscriptions over SSE) open in this process. */
  liveStreams?: () => number;
}

/** One process's share of what the health screen shows, gathered from every worker. */
export interface WorkerSnapshot {
  pid: number;
  uptimeSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Procedure calls in the last hour, and those answered 5xx. */
  callsLastHour: number;
  errorsLastHour: number;
}

export interface Metrics {
  registry: Registry;
  /** One tRPC call (each call of a batch): its path, HTTP status and duration. */
  observeCall(procedure: string, status: number, seconds: number): void;
  /** One HTTP request outside tRPC (uploads, downloads, /ready…), by route group. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  countPush(results: readonly MutationResult[]): void;
  countSeqGaps(opened: number, filled: number): void;
  snapshot(): WorkerSnapshot;
}

/** A gauge read from Redis must not hold the scrape up while Redis reconnects: a late answer reads as `fallback`. */
export function within<T>(ms: number, promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/** A clock minute's calls and 5xx answers, in a ring of the last hour. */
function minuteRing(now: () => number) {
  const minutes = new Array<{ minute: number; calls: number; errors: number }>(MINUTES_KEPT);
  const slot = (minute: number) => {
    const i = minute % MINUTES_KEPT;
    let m = minutes[i];
    if (!m || m.minute !== minute) minutes[i] = m = { minute, calls: 0, errors: 0 };
    return m;
  };
  return {
    add(isError: boolean) {
      const m = slot(Math.floor(now() / 60_000));
      m.calls += 1;
      if (isError) m.errors += 1;
    },
    lastHour() {
      const from = Math.floor(now() / 60_000) - MINUTES_KEPT + 1;
      let calls = 0;
      let errors = 0;
      for (const m of minutes) if (m && m.minute >= from) ((calls += m.calls), (errors += m.errors));
      return { calls, errors };
    },
  };
}

/**
 * The process's Prometheus registry: default process metrics (CPU, RSS, heap, event-loop lag,
 * GC) and the app's own. Gauges that several workers read from the same place (sessions in
 * Redis, Redis up) aggregate with max across workers, the pool with sum (each worker has its own).
 */
export function createMetrics(sources: MetricSources, now: () => number = Date.now): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const calls = new Counter({ name: 'tracetrack_procedure_calls_total', help: 'tRPC procedure calls (each call of a batch), by procedure and HTTP status', labelNames: ['procedure', 'status'] as const, registers: [registry] });
  const callSeconds = new Histogram({ name: 'tracetrack_procedure_duration_seconds', help: 'tRPC procedure call duration, by procedure and HTTP status', labelNames: ['procedure', 'status'] as const, buckets: DURATION_BUCKETS, registers: [registry] });
  const requests = new Counter({ name: 'tracetrack_http_requests_total', help: 'HTTP requests outside /trpc, by route group, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [registry] });
  const requestSeconds = new Histogram({ name: 'tracetrack_http_request_duration_seconds', help: 'HTTP request duration outside /trpc, by route group, method and status', labelNames: ['route', 'method', 'status'] as const, buckets: DURATION_BUCKETS, registers: [registry] });
  const mutations = new Counter({ name: 'tracetrack_sync_mutations_total', help: 'sync.push mutations by outcome (applied, unchanged, rejected) and refusal code; replays not included', labelNames: ['outcome', 'code'] as const, registers: [registry] });
  const replays = new Counter({ name: 'tracetrack_sync_replays_total', help: 'sync.push mutations answered from their stored outcome (sent again)', registers: [registry] });
  const gaps = new Counter({ name: 'tracetrack_sync_seq_gaps_total', help: 'device seq gaps opened and (pieces) filled', labelNames: ['event'] as const, registers: [registry] });
  const pool = sources.poolStats;
  new Gauge({ name: 'tracetrack_db_pool_connections', help: 'Postgres pool connections by state (total, idle, waiting clients, max)', labelNames: ['state'] as const, registers: [registry], aggregator: 'sum',
    collect() {
      const s = pool();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
      this.set({ state: 'max' }, s.max);
    } });
  const redisUp = sources.redisUp;
  if (redisUp) {
    new Gauge({ name: 'tracetrack_redis_up', help: '1 when Redis answers a PING, else 0', registers: [registry], aggregator: 'min',
      async collect() {
        this.set(await within(500, redisUp(), 0));
      } });
  }
  new Gauge({ name: 'tracetrack_active_sessions', help: 'Live sign-in sessions', registers: [registry], aggregator: 'max',
    async collect() {
      this.set(await within(1_000, sources.activeSessions(), 0));
    } });

  const liveStreams = sources.liveStreams;
  if (liveStreams) {
    new Gauge({ name: 'tracetrack_live_streams', help: 'Live-screen streams (subscriptions over SSE) open', registers: [registry], aggregator: 'sum',
      collect() {
        this.set(liveStreams());
      } });
  }

  const ring = minuteRing(now);
  // Label children looked up once per label set, not per observation.
  const callChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'procedure' | 'status'> }>();
  const requestChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'route' | 'method' | 'status'> }>();
  return {
    registry,
    observeCall(procedure, status, seconds) {
      const key = `${procedure} ${status}`;
      let child = callChildren.get(key);
      if (!child) {
        child = { count: calls.labels(procedure, String(status)), seconds: callSeconds.labels(procedure, String(status)) };
        callChildren.set(key, child);
      }
      child.count.inc();
      child.seconds.observe(seconds);
      ring.add(status >= 500);
    },
    observeRequest(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let child = requestChildren.get(key);
      if (!child) {
        child = { count: requests.labels(route, method, String(status)), seconds: requestSeconds.labels(route, method, String(status)) };
        requestChildren.set(key, child);
      }
      child.count.inc();
      child.seconds.observe(seconds);
    },
    countPush(results) {
      let applied = 0;
      let unchanged = 0;
      let replayed = 0;
      // A replay is counted as a replay only: its outcome was counted when it was first applied.
      for (const r of results) {
        if (r.replay) replayed += 1;
        else if (r.status === 'applied') applied += 1;
        else if (r.status === 'unchanged') unchanged += 1;
        else mutations.labels('rejected', r.code ?? 'UNKNOWN').inc();
      }
      if (applied) mutations.labels('applied', '').inc(applied);
      if (unchanged) mutations.labels('unchanged', '').inc(unchanged);
      if (replayed) replays.inc(replayed);
    },
    countSeqGaps(opened, filled) {
      if (opened) gaps.labels('opened').inc(opened);
      if (filled) gaps.labels('filled').inc(filled);
    },
    snapshot() {
      const { calls: c, errors } = ring.lastHour();
      return { ...processSnapshot(), callsLastHour: c, errorsLastHour: errors };
    },
  };
}

/** Memory and uptime of this process; no call counts (instrumentation off). */
export function processSnapshot(): WorkerSnapshot {
  const mem = process.memoryUsage();
  return { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, callsLastHour: 0, errorsLastHour: 0 };
}

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** The workers' registries as one (counters and histograms summed, gauges by their aggregator). */
export function aggregateMetrics(parts: MetricsJson[]): Registry {
  return AggregatorRegistry.aggregate(parts as Parameters<typeof AggregatorRegistry.aggregate>[0]);
}

export interface ProcedureTiming {
  procedure: string;
  calls: number;
  meanMs: number;
  /** Upper bound of the histogram bucket holding the 95th percentile; null above the last bucket. */
  p95Ms: number | null;
}

/** The procedures with the highest mean duration, from the workers' duration histograms. */
export function slowestProcedures(metrics: MetricsJson, limit: number): ProcedureTiming[] {
  const by = new Map<string, { sum: number; count: number; buckets: Map<number, number> }>();
  // Every worker's histogram (or one aggregated): the figures add up.
  const values = metrics.filter((m) => m.name === 'tracetrack_procedure_duration_seconds').flatMap((m) => m.values);
  for (const v of values) {
    const procedure = String(v.labels.procedure ?? '');
    const entry = by.get(procedure) ?? { sum: 0, count: 0, buckets: new Map<number, number>() };
    by.set(procedure, entry);
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_sum')) entry.sum += v.value;
    else if (name.endsWith('_count')) entry.count += v.value;
    else if (name.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      entry.buckets.set(le, (entry.buckets.get(le) ?? 0) + v.value);
    }
  }
  return [...by]
    .filter(([, e]) => e.count > 0)
    .map(([procedure, e]) => {
      const target = e.count * 0.95;
      const bound = [...e.buckets].sort((a, b) => a[0] - b[0]).find(([, n]) => n >= target)?.[0];
      return { procedure, calls: e.count, meanMs: (e.sum / e.count) * 1000, p95Ms: bound === undefined || bound === Infinity ? null : bound * 1000 };
    })
    .sort((a, b) => b.meanMs - a.meanMs)
    .slice(0, limit);
}
