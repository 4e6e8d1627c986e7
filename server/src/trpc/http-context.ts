import { TRPCError } from '@trpc/server';
import { AppError, isAppError } from '@tracetrack/shared';
import type { AppConfig, Deps } from '../deps';
import { isClientId } from '../modules/auth/login-failures';
import { readSessionActor } from '../modules/users/queries';
import type { LiveSession } from '../infra/sessions';
import type { Context } from './context';
import { trpcCodeOf } from './init';

/**
 * In production the cookies carry the `__Host-` prefix: the browser then only accepts them with
 * Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite them.
 */
export const sessionCookieName = (config: Pick<AppConfig, 'isProduction'>) => (config.isProduction ? '__Host-tt_session' : 'tt_session');
export const clientCookieName = (config: Pick<AppConfig, 'isProduction'>) => (config.isProduction ? '__Host-tt_client' : 'tt_client');

/** Browsers keep a cookie at most 400 days; the client cookie asks for all of them. */
const CLIENT_COOKIE_MAX_AGE_S = 400 * 86_400;

/** The cookie's decoded value; null when absent or not valid percent-encoding (no session, not a 500). */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

const cookieAttributes = (deps: Deps) => ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(deps.config.isProduction ? ['Secure'] : [])].join('; ');

export function sessionCookie(deps: Deps, token: string | null): string {
  const name = sessionCookieName(deps.config);
  if (token === null) return `${name}=; Max-Age=0; ${cookieAttributes(deps)}`;
  return `${name}=${token}; Max-Age=${Math.floor(deps.config.sessionAbsoluteMs / 1000)}; ${cookieAttributes(deps)}`;
}

export function clientCookie(deps: Deps, clientId: string): string {
  return `${clientCookieName(deps.config)}=${clientId}; Max-Age=${CLIENT_COOKIE_MAX_AGE_S}; ${cookieAttributes(deps)}`;
}

/** The request's sign-in client id: its client cookie when well-formed, else null (then the IP stands in). */
export function readClientId(deps: Deps, cookieHeader: string | null): string | null {
  const value = readCookie(cookieHeader, clientCookieName(deps.config));
  return value !== null && isClientId(value) ? value : null;
}

/** The store's answer for the request's session cookie, looked up by the HTTP layer. */
export type SessionLookup = PromiseSettledResult<LiveSession | null>;

/**
 * The signed-in, active user behind a session cookie whose session epoch it carries, or null (no
 * cookie, no session, an ended session, a locked, deactivated or deleted user). `lookup` is the
 * store's answer for the cookie (app.ts asks for it beside the rate limit). A store or database
 * outage is a TRANSIENT refusal: the caller may be signed in, so they are neither treated as
 * anonymous (which would clear their cookie) nor answered with a 500. tRPC procedures and the
 * plain HTTP routes (downloads) share it.
 */
export async function resolveSessionActor(
  deps: Deps,
  token: string | null,
  lookup: SessionLookup,
  requestId: string,
): Promise<Context['actor']> {
  if (!token) return null;
  try {
    if (lookup.status === 'rejected') throw lookup.reason;
    const session = lookup.value;
    // The user row is read on every request, so a lock, a role or area change, or ended sessions
    // (a newer epoch) apply at once, whatever happened to the sessions in the store.
    return session ? await readSessionActor(deps.db, session.userId, { epoch: session.epoch, adminTwoFactor: deps.config.adminTwoFactor }) : null;
  } catch (e) {
    deps.logger.warn('session lookup failed', { requestId, error: String(e instanceof Error ? (e.cause ?? e) : e) });
    throw isAppError(e) ? e : new AppError('TRANSIENT', 'Sessions are unavailable right now. Try again in a moment.');
  }
}

/** Resolves the session cookie to a live, unlocked user; anything else is anonymous. */
export async function createHttpContext(
  deps: Deps,
  req: Request,
  resHeaders: Headers,
  meta: Context['meta'],
  lookup: SessionLookup,
): Promise<Context> {
  const token = readCookie(req.headers.get('cookie'), sessionCookieName(deps.config));
  let actor: Context['actor'] = null;
  try {
    actor = await resolveSessionActor(deps, token, lookup, meta.requestId);
  } catch (e) {
    const cause = isAppError(e) ? e : new AppError('TRANSIENT', 'Sessions are unavailable right now. Try again in a moment.');
    throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause });
  }
  if (token && !actor) resHeaders.append('set-cookie', sessionCookie(deps, null));
  return {
    deps,
    actor,
    sessionToken: actor ? token : null,
    meta,
    setSessionCookie: (value) => resHeaders.append('set-cookie', sessionCookie(deps, value)),
    setClientCookie: (clientId) => resHeaders.append('set-cookie', clientCookie(deps, clientId)),
  };
}
