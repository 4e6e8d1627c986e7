import { type RouteName, routeRefusalOf } from '@tracetrack/shared';
import { isAppError } from '@tracetrack/shared';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps';
import { readCookie, resolveSessionActor, sessionCookie, sessionCookieName } from '../trpc/http-context';
import type { AppEnv } from './app-env';
import { jsonError } from './json-error';

/**
 * Gates a plain HTTP route by its row in the shared permission table, with the session the tRPC
 * procedures use: anonymous callers get 401, other roles 403, with the same sentences.
 */
export function requireRoute(deps: Deps, route: RouteName): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = readCookie(c.req.header('cookie') ?? null, sessionCookieName(deps.config));
    let actor;
    try {
      actor = await resolveSessionActor(deps, token, c.get('session'), c.get('requestId'));
    } catch (e) {
      if (isAppError(e)) return jsonError(c, e);
      throw e;
    }
    if (token && !actor) c.header('set-cookie', sessionCookie(deps, null), { append: true });
    const refusal = routeRefusalOf(route, actor);
    if (refusal) return jsonError(c, refusal);
    c.set('actor', actor!);
    return next();
  };
}
