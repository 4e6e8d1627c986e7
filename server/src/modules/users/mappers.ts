import type { Me, PendingSetup, Role, User } from '@tracetrack/shared';
import type { AppConfig } from '../../deps';
import { maskEmail } from '../audit/anonymize';

interface UserLike {
  id: number;
  username: string;
  email: string | null;
  role: Role;
  area: string | null;
  is_locked: boolean;
  must_change_password: boolean;
  two_factor_enabled_at: Date | null;
  last_sign_in_at: Date | null;
  deactivated_at: Date | null;
  created_at: Date;
}

interface LockLike {
  account_locked_until: Date | null;
  locked_clients: number | string | null;
}

/** A password set by an admin comes first; then, for admins when required, two-factor enrolment. */
export function pendingSetupOf(
  row: { role: Role; must_change_password: boolean; two_factor_enabled_at: Date | null },
  adminTwoFactor: AppConfig['adminTwoFactor'],
): PendingSetup | null {
  if (row.must_change_password) return 'passwordChange';
  if (row.role === 'admin' && adminTwoFactor === 'required' && row.two_factor_enabled_at === null) return 'twoFactorEnrolment';
  return null;
}

export function toMe(
  row: Pick<UserLike, 'id' | 'username' | 'email' | 'role' | 'area' | 'must_change_password' | 'two_factor_enabled_at'>,
  opts: { adminTwoFactor: AppConfig['adminTwoFactor']; recoveryCodesLeft: number },
): Me {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    area: row.area,
    mustChangePassword: row.must_change_password,
    twoFactorEnabled: row.two_factor_enabled_at !== null,
    mustEnrolTwoFactor: row.role === 'admin' && opts.adminTwoFactor === 'required' && row.two_factor_enabled_at === null,
    recoveryCodesLeft: row.two_factor_enabled_at === null ? 0 : opts.recoveryCodesLeft,
  };
}

export function toUser(row: UserLike & LockLike): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    area: row.area,
    isLocked: row.is_locked,
    lockedUntil: row.account_locked_until ? row.account_locked_until.toISOString() : null,
    lockedClients: Number(row.locked_clients ?? 0),
    twoFactorEnabled: row.two_factor_enabled_at !== null,
    mustChangePassword: row.must_change_password,
    lastSignInAt: row.last_sign_in_at ? row.last_sign_in_at.toISOString() : null,
    deactivatedAt: row.deactivated_at ? row.deactivated_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

/** Before/after snapshot for the audit log: no secrets, email masked (RULES.md, Audit log). */
export function toAuditSnapshot(row: Pick<UserLike, 'username' | 'email' | 'role' | 'area' | 'is_locked'>) {
  return { username: row.username, email: row.email === null ? null : maskEmail(row.email), role: row.role, area: row.area, isLocked: row.is_locked };
}
