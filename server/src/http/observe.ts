import { timingSafeEqual } from 'node:crypto';
import type { Context as HonoContext, Hono, MiddlewareHandler } from 'hono';
import type { Deps } from '../deps';
import { withRequestId } from '../infra/logger';
import { aggregateMetrics } from '../infra/metrics';
import type { AccessNote } from './access-note';
import type { AppEnv } from './app-env';
import { jsonRefusal } from './json-error';


/** A low-cardinality label for a path outside /trpc (whose calls are counted per procedure). */
export function routeGroupOf(path: string): string {
  if (path.startsWith('/trpc/')) return '/trpc';
  if (path.startsWith('/api/imports')) return '/api/imports';
  if (path.startsWith('/api/exports')) return '/api/exports';
  if (path.startsWith('/api/')) return '/api/other';
  if (path === '/health' || path === '/ready' || path === '/metrics') return path;
  return 'static';
}

/** The procedures a /trpc path names (comma-separated in a batch), or null for any other path. */
export function proceduresOf(path: string): string[] | null {
  if (!path.startsWith('/trpc/')) return null;
  let names = path.slice('/trpc/'.length);
  if (names.includes('%')) {
    try {
      names = decodeURIComponent(names);
    } catch {
      // Left as sent: tRPC refuses it.
    }
  }
  if (!names.includes(',')) return [names.slice(0, 100)];
  return names.split(',').slice(0, 50).map((n) => n.slice(0, 100));
}

/**
 * Runs around every request (after the request id is set): binds the request id to every line
 * logged while it runs, writes one JSON access line at info level (ACCESS_LOG) and the HTTP
 * request metrics. tRPC calls are timed per call in trpc/init.ts.
 */
export function observeRequests(deps: Deps): MiddlewareHandler<AppEnv> {
  const isLogging = deps.config.accessLog && deps.logger.isLevelEnabled('info');
  const metrics = deps.metrics;
  if (!isLogging && !metrics) {
    return async (c, next) => {
      c.set('access', { userId: null, deviceId: null });
      await withRequestId(c.get('requestId'), next);
    };
  }
  return async (c, next) => {
    const started = performance.now();
    const note: AccessNote = { userId: null, deviceId: null };
    c.set('access', note);
    await withRequestId(c.get('requestId'), next);
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    const path = c.req.path;
    const route = routeGroupOf(path);
    // A /trpc request's calls are timed one by one (trpc/init.ts); the rest by route group.
    if (route !== '/trpc') metrics?.observeRequest(route, c.req.method, status, seconds);
    if (!isLogging) return;
    const procedures = route === '/trpc' ? proceduresOf(path) : null;
    deps.logger.access({
      requestId: c.get('requestId'),
      method: c.req.method,
      ...(procedures ? { procedures } : { path: path.slice(0, 200) }),
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      userId: note.userId ?? c.get('actor')?.id ?? null,
      deviceId: note.deviceId,
    });
  };
}

function isToken(given: string | undefined, expected: string): boolean {
  const match = /^Bearer (.+)$/i.exec(given ?? '');
  if (!match) return false;
  const a = Buffer.from(match[1]!);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics for Prometheus: a 404 unless METRICS_TOKEN is set (and instrumentation is on), a
 * 401 without that token as a Bearer. The figures cover every worker (cluster-gather.ts), so the
 * scrape is the same whichever worker answers it.
 */
export function metricsRoute(app: Hono<AppEnv>, deps: Deps): void {
  app.get('/metrics', async (c: HonoContext<AppEnv>) => {
    const token = deps.config.metricsToken;
    if (!token || !deps.metrics) return jsonRefusal(c, 'ROUTE_NOT_FOUND', 'There is no GET /metrics.', 404);
    if (!isToken(c.req.header('authorization'), token)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      return jsonRefusal(c, 'UNAUTHENTICATED', 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.', 401);
    }
    const parts = await deps.gatherWorkers();
    const registry = aggregateMetrics(parts.map((p) => p.metrics));
    c.header('cache-control', 'no-store');
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
