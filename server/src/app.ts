import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { databaseIsReachable } from '@tracetrack/db';
import { isAppError, MAX_BATCH_CALLS, MAX_REQUEST_BODY_BYTES, MAX_UPLOAD_BYTES } from '@tracetrack/shared';
import { type Context as HonoContext, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import type { Deps } from './deps';
import type { AppEnv } from './http/app-env';
import { pushAdmission } from './http/admission';
import { jsonRefusal } from './http/json-error';
import { finishJsonAnswer } from './http/trpc-response';
import { metricsRoute, observeRequests } from './http/observe';
import { endOfTurn } from './infra/per-turn';
import { RATE_LIMITS } from './infra/rate-limit';
import { anonymizeIp } from './modules/audit/anonymize';
import { exportRoutes } from './modules/exports/routes';
import { importRoutes } from './modules/imports/routes';
import { createHttpContext, readClientId, readCookie, sessionCookieName } from './trpc/http-context';
import { appRouter } from './trpc/router';

/**
 * Behind our proxy, the client is the entry the proxy appended: the rightmost. Entries to its
 * left come from the client and may be anything, so trusting them would let anyone pick the
 * address that rate limits and audit rows see.
 */
function clientIp(deps: Deps, req: Request, remote: string | null): string | null {
  if (!deps.config.trustProxy) return remote;
  const hops = (req.headers.get('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return hops.at(-1) ?? remote;
}

/** Scheme, host and port as a browser writes them in Origin; null for anything that is not one. */
function originOf(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const { origin } = new URL(url);
  return origin === 'null' ? null : origin;
}


/**
 * The origins a browser request may come from: this request's own (scheme and host as the client
 * used them: behind a trusted TLS proxy the scheme is the proxy's X-Forwarded-Proto, the entry it
 * appended) and, when set, PUBLIC_URL's, for a proxy that rewrites Host.
 */
function allowedOrigins(deps: Deps, req: Request, host: string | undefined): string[] {
  const url = new URL(req.url);
  const forwarded = deps.config.trustProxy ? (req.headers.get('x-forwarded-proto') ?? '').split(',').map((p) => p.trim()).filter(Boolean).at(-1) : undefined;
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.slice(0, -1);
  const own = originOf(`${scheme}://${host ?? url.host}`);
  const configured = deps.config.publicUrl ? originOf(deps.config.publicUrl) : null;
  return [own, configured].filter((o): o is string => o !== null);
}

/** No Origin (not a browser, or a same-origin GET), or one of ours (allowedOrigins). */
function isAllowedOrigin(deps: Deps, c: HonoContext<AppEnv>): boolean {
  const origin = c.req.header('origin');
  return origin === undefined || allowedOrigins(deps, c.req.raw, c.req.header('host')).includes(originOf(origin) ?? '');
}

/**
 * How many procedure calls a /trpc request holds: a batch (`?batch=1`) names them comma-separated
 * in the path. A path that does not decode is one call (tRPC refuses it).
 */
function callCount(req: Request): number {
  const url = new URL(req.url);
  if (url.searchParams.get('batch') !== '1') return 1;
  try {
    return decodeURIComponent(url.pathname).split(',').length;
  } catch {
    return 1;
  }
}

/**
 * Features the app never uses are off for every page; the camera (the scanner) is allowed for
 * this origin only.
 */
const PERMISSIONS_POLICY = [
  'camera=(self)', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()', 'serial=()', 'hid=()', 'midi=()',
  'accelerometer=()', 'gyroscope=()', 'magnetometer=()', 'display-capture=()', 'fullscreen=()', 'picture-in-picture=()',
  'publickey-credentials-get=()', 'screen-wake-lock=()', 'xr-spatial-tracking=()', 'browsing-topics=()',
].join(', ');

/**
 * A subscription's event stream is passed through as it is (buffering it would hold every event
 * until the stream ends) and proxies are asked not to buffer it; every other tRPC answer is one
 * JSON document, rebuilt once with all its headers (trpc-response.ts).
 */
function isEventStream(res: Response): boolean {
  return res.headers.get('content-type')?.startsWith('text/event-stream') === true;
}

export function createApp(deps: Deps, opts: { remoteAddress?: (c: any) => string | null } = {}) {
  const app = new Hono<AppEnv>();

  // The same on every answer: built once.
  const securityHeaders: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': PERMISSIONS_POLICY,
    'content-security-policy':
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; object-src 'none'; " +
      "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ...(deps.config.isProduction ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  const securityHeaderEntries = Object.entries(securityHeaders);

  // Liveness for load balancers: answered before the middleware chain (no request id, session,
  // rate limit or compression), with the same security headers, so it costs what a bare route does.
  app.get('/health', (c) => c.json({ status: 'ok' }, 200, securityHeaders));

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('ip', clientIp(deps, c.req.raw, opts.remoteAddress?.(c) ?? null));
    await next();
    // tRPC's JSON answers got every header when they were built (the /trpc handler below).
    if (c.get('isAnswered')) return;
    c.header('x-request-id', requestId);
    for (const [name, value] of securityHeaderEntries) c.header(name, value);
  });

  app.use('*', observeRequests(deps));
  // Anything a handler throws (not a tRPC refusal: those are answered by tRPC) is logged with the
  // request id and answered in JSON.
  app.onError((error, c) => {
    const requestId = c.get('requestId');
    deps.logger.error('request failed', { requestId, method: c.req.method, path: c.req.path.slice(0, 200), error: String(error) });
    deps.recentErrors.record({ where: `${c.req.method} ${c.req.path.slice(0, 100)}`, requestId, status: 500, message: String(error) });
    return jsonRefusal(c, 'INTERNAL', 'Something went wrong on the server. It has been logged.', 500);
  });

  // gzip for clients that ask: the JS bundle, the ZXing wasm, bag lists and sync pulls over bad
  // Wi-Fi. Answers under 1 KB with a known length (most scans) go plain: gzip would cost more.
  // tRPC's JSON answers are compressed as they are built (trpc-response.ts).
  const compressAnswer = compress();
  app.use('*', (c, next) => (c.req.path.startsWith('/trpc/') ? next() : compressAnswer(c, next)));

  app.get('/ready', async (c) => {
    const database = await databaseIsReachable(deps.db);
    let redis: 'ok' | 'down' | 'not-configured' = 'not-configured';
    if (deps.redis) redis = await deps.redis.ping().then(() => 'ok' as const, () => 'down' as const);
    const ready = database && redis !== 'down';
    return c.json({ status: ready ? 'ready' : 'unavailable', database: database ? 'ok' : 'down', redis }, ready ? 200 : 503);
  });
  metricsRoute(app, deps);

  // API answers and downloads hold accounts, emails and bag data: no browser or proxy cache may keep them.
  const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (!c.get('isAnswered')) c.header('cache-control', 'no-store');
  };
  app.use('/trpc/*', noStore);
  app.use('/api/*', noStore);

  // CSRF-safe by construction: mutations are JSON only and a browser Origin must be our own.
  app.use('/trpc/*', async (c, next) => {
    if (c.req.method === 'POST') {
      const type = c.req.header('content-type') ?? '';
      if (!type.toLowerCase().startsWith('application/json')) {
        return jsonRefusal(c, 'VALIDATION', 'Requests must be JSON (content-type: application/json).', 415);
      }
      if (!isAllowedOrigin(deps, c)) return jsonRefusal(c, 'FORBIDDEN', 'Cross-origin request refused.', 403);
    }
    const calls = callCount(c.req.raw);
    if (calls > MAX_BATCH_CALLS) {
      return jsonRefusal(c, 'VALIDATION', `A batch may hold at most ${MAX_BATCH_CALLS} calls; this one holds ${calls}. Send them in smaller batches.`, 400);
    }
    return next();
  });
  // Downloads and uploads beside tRPC: any request a browser marks with a foreign Origin is refused.
  app.use('/api/*', async (c, next) => {
    if (!isAllowedOrigin(deps, c)) return jsonRefusal(c, 'FORBIDDEN', 'Cross-origin request refused.', 403);
    return next();
  });

  // Each call of a batch counts against the limit. The rate limit and the session cookie are
  // looked up together: with Redis, the commands of every request of this turn of the event loop
  // leave at its end (infra/per-turn.ts) in one write (auto-pipelining) and come back in one read.
  const limitAndSession: MiddlewareHandler<AppEnv> = async (c, next) => {
    const calls = c.req.path.startsWith('/trpc/') ? callCount(c.req.raw) : 1;
    const ip = c.get('ip');
    const token = readCookie(c.req.header('cookie') ?? null, sessionCookieName(deps.config));
    if (deps.redis) await endOfTurn();
    const [limit, session] = await Promise.allSettled([
      ip ? deps.rateLimiter.hit(RATE_LIMITS.globalByIp, ip, calls) : undefined,
      token ? deps.sessions.touch(token) : null,
    ]);
    c.set('session', session);
    if (limit.status === 'rejected') {
      const e = limit.reason as unknown;
      // A store outage must not take the whole API down with it: fail open (sign-in fails closed).
      if (!isAppError(e) || e.code !== 'RATE_LIMITED') {
        deps.logger.warn('global rate limit unavailable; request allowed', { requestId: c.get('requestId'), error: String(e instanceof Error ? (e.cause ?? e) : e) });
        return next();
      }
      const retry = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
      c.header('retry-after', String(retry));
      return jsonRefusal(c, 'RATE_LIMITED', `Too many requests. Try again in ${retry} s.`, 429);
    }
    return next();
  };
  app.use('/trpc/*', limitAndSession);
  app.use('/api/*', limitAndSession);
  // Uploads check their own size as they stream to disk (the body limit below would buffer a chunked body).
  app.route('/api/imports', importRoutes(deps));
  // A push of 500 scans is ~100 KB; the device sizes its pushes under this (see sync-engine.ts).
  app.use(
    '/trpc/*',
    bodyLimit({
      maxSize: MAX_REQUEST_BODY_BYTES,
      onError: (c) =>
        jsonRefusal(c, 'VALIDATION', `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes.`, 413),
    }),
  );
  // Other /api bodies are small; uploads (above) check their own size as they stream to disk.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: (c) => jsonRefusal(c, 'VALIDATION', `The file is larger than ${MAX_UPLOAD_BYTES / 1_048_576} MB.`, 413),
    }),
  );
  app.route('/api/exports', exportRoutes(deps));
  // Nothing under /api/ or /trpc/ is a page: an unknown path is a 404 in JSON, never the app shell.
  app.all('/api/*', (c) => jsonRefusal(c, 'ROUTE_NOT_FOUND', `There is no ${c.req.method} ${c.req.path}.`, 404));

  // sync.push waits its turn in a bounded queue per process (http/admission.ts); reads pass by.
  app.use('/trpc/*', pushAdmission(deps).middleware);
  app.all('/trpc/*', async (c) => {
    const res = await fetchRequestHandler({
      endpoint: '/trpc',
      req: c.req.raw,
      router: appRouter,
      allowBatching: true,
      // Checked above with a clearer answer; this keeps tRPC's own limit in step with it.
      maxBatchSize: MAX_BATCH_CALLS,
      createContext: async ({ req, resHeaders }) => {
        const ctx = await createHttpContext(deps, req, resHeaders, {
          requestId: c.get('requestId'),
          ip: deps.config.anonymizeIps ? anonymizeIp(c.get('ip')) : c.get('ip'),
          remoteIp: c.get('ip'),
          userAgent: c.req.header('user-agent')?.slice(0, 200) ?? null,
          clientId: readClientId(deps, c.req.header('cookie') ?? null),
        }, c.get('session'));
        const access = c.get('access');
        access.userId = ctx.actor?.id ?? null;
        return { ...ctx, access };
      },
      onError: ({ error, path: procedure }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          deps.logger.error('procedure failed', { procedure, requestId: c.get('requestId'), error: String(error.cause ?? error) });
        }
      },
      responseMeta: ({ errors }) => {
        const retry = errors
          .map((e) => (e.cause as { details?: { retryAfterSeconds?: number } } | undefined)?.details?.retryAfterSeconds)
          .find((v) => v !== undefined);
        return retry ? { headers: new Headers({ 'retry-after': String(retry) }) } : {};
      },
    });
    if (isEventStream(res)) {
      res.headers.set('x-accel-buffering', 'no');
      return res;
    }
    c.set('isAnswered', true);
    return finishJsonAnswer(res, { ...securityHeaders, 'cache-control': 'no-store', 'x-request-id': c.get('requestId') }, c.req.header('accept-encoding'));
  });

  const dist = deps.config.clientDist;
  if (dist && existsSync(path.join(dist, 'index.html'))) {
    const indexHtml = readFileSync(path.join(dist, 'index.html'), 'utf8');
    app.use(
      '/*',
      serveStatic({
        root: path.relative(process.cwd(), dist) || '.',
        // Hashed build assets never change; the shell, manifest and service worker must revalidate.
        onFound: (file, c) => {
          c.header('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
    // Client-side routes (/scan, /bills/…) fall back to the app shell.
    app.get('*', (c) => {
      c.header('cache-control', 'no-cache');
      return c.html(indexHtml);
    });
  }

  return app;
}
