import type { Deps } from '../deps';
import type { AccessNote } from '../http/access-note';
import type { Actor, RequestMeta } from '../modules/actor';

export interface Context {
  deps: Deps;
  actor: Actor | null;
  sessionToken: string | null;
  meta: RequestMeta;
  /** Sets (token) or clears (null) the session cookie on the response. */
  setSessionCookie: (token: string | null) => void;
  /** Gives the browser a sign-in client cookie (see RequestMeta.clientId) when it has none. */
  setClientCookie: (clientId: string) => void;
  /** The HTTP request's access-log note (null without HTTP): sync.push adds its device id. */
  access?: AccessNote | null;
}

/** The context without HTTP: tests drive procedures through a caller built on this. */
export function createContextInner(opts: {
  deps: Deps;
  actor?: Actor | null;
  sessionToken?: string | null;
  meta?: Partial<RequestMeta>;
  setSessionCookie?: (token: string | null) => void;
  setClientCookie?: (clientId: string) => void;
}): Context {
  return {
    deps: opts.deps,
    actor: opts.actor ?? null,
    sessionToken: opts.sessionToken ?? null,
    meta: {
      requestId: opts.meta?.requestId ?? crypto.randomUUID(),
      ip: opts.meta?.ip ?? null,
      remoteIp: opts.meta?.remoteIp ?? opts.meta?.ip ?? null,
      userAgent: opts.meta?.userAgent ?? null,
      clientId: opts.meta?.clientId ?? null,
    },
    setSessionCookie: opts.setSessionCookie ?? (() => {}),
    setClientCookie: opts.setClientCookie ?? (() => {}),
  };
}
