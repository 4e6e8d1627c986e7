import type { Deps } from '../../server/src/deps';
import { sessionCookieName } from '../../server/src/trpc/http-context';

type Fetcher = (url: string, init?: RequestInit) => Response | Promise<Response>;

export interface TrpcError {
  message: string;
  data: { code: string; httpStatus: number; appCode: string; fieldErrors: Record<string, string[]> | null; details: unknown };
}
export interface HttpResult<T> {
  status: number;
  data: T | undefined;
  error: TrpcError | undefined;
  headers: Headers;
}

/** A session token for a user in their current session epoch, as auth.login would create it. */
export async function sessionFor(deps: Deps, userId: number): Promise<string> {
  const { session_epoch: epoch } = await deps.db.selectFrom('users').select('session_epoch').where('id', '=', userId).executeTakeFirstOrThrow();
  return deps.sessions.create(userId, { epoch, userAgent: 'test', ip: null });
}

/** A signed-in session cookie for a user, as auth.login would set it. */
export async function sessionCookieFor(deps: Deps, userId: number): Promise<string> {
  return `${sessionCookieName(deps.config)}=${await sessionFor(deps, userId)}`;
}

/** Plain JSON tRPC over HTTP, the way any client (curl, a handheld) calls it. */
export function trpcHttp(fetcher: Fetcher, base = 'http://localhost', cookie?: string) {
  const send = async <T>(url: string, init: RequestInit): Promise<HttpResult<T>> => {
    const res = await fetcher(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    const text = await res.text();
    let body: { result?: { data?: T }; error?: TrpcError } = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
    return { status: res.status, data: body.result?.data, error: body.error, headers: res.headers };
  };
  return {
    mutate: <T = any>(path: string, input: unknown, signal?: AbortSignal) =>
      send<T>(`${base}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input), signal: signal ?? null }),
    query: <T = any>(path: string, input?: unknown) =>
      send<T>(`${base}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, { method: 'GET' }),
  };
}
