import type { Me, Role, User } from '@tracetrack/shared';
import { maskEmail } from '../audit/anonymize';

interface UserLike {
  id: number;
  username: string;
  email: string;
  role: Role;
  area: string | null;
  is_locked: boolean;
  locked_until: Date | null;
  created_at: Date;
}

export function toMe(row: Pick<UserLike, 'id' | 'username' | 'email' | 'role' | 'area'>): Me {
  return { id: row.id, username: row.username, email: row.email, role: row.role, area: row.area };
}

export function toUser(row: UserLike): User {
  return {
    ...toMe(row),
    isLocked: row.is_locked,
    lockedUntil: row.locked_until ? row.locked_until.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

/** Before/after snapshot for the audit log: no secrets, email masked (DOMAIN §7). */
export function toAuditSnapshot(row: UserLike) {
  return { username: row.username, email: maskEmail(row.email), role: row.role, area: row.area, isLocked: row.is_locked };
}
