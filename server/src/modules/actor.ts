import type { Role } from '@tracetrack/shared';

/** The signed-in user a request acts as: read from the users row on every request. */
export interface Actor {
  id: number;
  username: string;
  role: Role;
  area: string | null;
}

/** Who did it and from where: written into audit rows and scan events. */
export interface RequestMeta {
  requestId: string;
  /** As stored in the audit log (anonymised unless configured otherwise). */
  ip: string | null;
  /** The client's address as seen, for rate limits only; never stored. */
  remoteIp: string | null;
  userAgent: string | null;
}
