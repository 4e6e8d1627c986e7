import { TRPCError } from '@trpc/server';
import { AppError, isAppError } from '@tracetrack/shared';
import type { Deps } from '../deps';
import { findActorById } from '../modules/users/queries';
import type { SessionData } from '../infra/sessions';
import type { Context } from './context';
import { trpcCodeOf } from './init';

export const SESSION_COOKIE = 'tt_session';

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

export function sessionCookie(deps: Deps, token: string | null): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (deps.config.isProduction) attrs.push('Secure');
  if (token === null) return `${SESSION_COOKIE}=; Max-Age=0; ${attrs.join('; ')}`;
  return `${SESSION_COOKIE}=${token}; Max-Age=${Math.floor(deps.config.sessionAbsoluteMs / 1000)}; ${attrs.join('; ')}`;
}

/** The store's answer for the request's session cookie, looked up by the HTTP layer. */
export type SessionLookup = PromiseSettledResult<SessionData | null>;

/**
 * The signed-in, unlocked user behind a session cookie, or null (no cookie, no session, a locked
 * or deleted user). `lookup` is the store's answer for the cookie (app.ts asks for it beside the
 * rate limit). A store or database outage is a TRANSIENT refusal: the caller may be signed in, so
 * they are neither treated as anonymous (which would clear their cookie) nor answered with a 500.
 * tRPC procedures and the plain HTTP routes (downloads) share it.
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
    // The user row is read on every request, so a lock or a role or area change applies at once,
    // whatever happened to the sessions in the store.
    return session ? await findActorById(deps.db, session.userId) : null;
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
  const token = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
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
  };
}
