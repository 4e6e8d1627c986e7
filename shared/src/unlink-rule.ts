/**
 * Who may unlink a child from its parent (the unlink rule): billers and admins any child, a
 * dispatcher only children they linked themselves, within this long of linking. Nobody unlinks
 * inside a parent on a completed bill. The server judges every unlink; screens use the same
 * rule to offer the button only where it can succeed.
 */
export const DISPATCHER_UNLINK_WINDOW_MS = 60 * 60 * 1000;

export interface UnlinkActor {
  role: 'admin' | 'biller' | 'dispatcher';
  username: string;
}

export interface UnlinkTarget {
  /** Who linked the child (null when that user is gone). */
  linkedBy: string | null;
  linkedAt: string;
  /** The status of the bill the parent is on, null when it is on none. */
  billStatus: string | null;
}

export function mayUnlinkChild(actor: UnlinkActor, target: UnlinkTarget, nowMs: number): boolean {
  if (target.billStatus === 'completed') return false;
  if (actor.role !== 'dispatcher') return true;
  return target.linkedBy === actor.username && nowMs - Date.parse(target.linkedAt) <= DISPATCHER_UNLINK_WINDOW_MS;
}
