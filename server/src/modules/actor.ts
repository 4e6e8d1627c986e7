import type { PendingSetup, Role } from '@tracetrack/shared';

/** The signed-in user a request acts as: read from the users row on every request. */
export interface Actor {
  id: number;
  username: string;
  role: Role;
  area: string | null;
  /** What they must do before anything but auth.* and account.* (see the permission table). */
  pendingSetup: PendingSetup | null;
  /**
   * The rest of the users row as the request's own user read found it (sessions only): auth.me
   * answers from it instead of reading the same row again.
   */
  profile?: { email: string | null; mustChangePassword: boolean; twoFactorEnabledAt: Date | null };
}

/** Who did it and from where: written into audit rows and scan events. */
export interface RequestMeta {
  requestId: string;
  /** As stored in the audit log (anonymised unless configured otherwise). */
  ip: string | null;
  /** The client's address as seen, for rate limits only; never stored. */
  remoteIp: string | null;
  userAgent: string | null;
  /**
   * The browser's long-lived sign-in client cookie, when it sent a well-formed one: what sign-in
   * failures are counted per (with the IP when there is none). Never stored as it is.
   */
  clientId: string | null;
}
