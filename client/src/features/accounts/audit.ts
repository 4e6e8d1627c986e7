import type { AuditFilters, AuditLogEntry as SharedAuditLogEntry } from '@tracetrack/shared';
import { api } from '../../api/trpc';
import { pageOrRefusal } from './users';

export function fetchAuditPage(filters: AuditFilters, cursor: string | null) {
  return pageOrRefusal(() => api.audit.list.query({ filters, limit: 50, ...(cursor ? { cursor } : {}) }));
}

/** What each action is called on the audit screen; an action not listed shows as it is stored. */
export const ACTION_WORDS: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.login_failed': 'Sign-in failed',
  'auth.lockout': 'Locked out',
  'auth.logout': 'Signed out',
  'auth.password_reset_requested': 'Password reset asked for',
  'auth.password_reset': 'Password reset',
  'account.password_change': 'Password changed',
  'account.password_check_failed': 'Wrong current password',
  'account.end_session': 'Signed out a device',
  'account.end_other_sessions': 'Signed out other devices',
  'account.two_factor_enabled': 'Two-step sign-in on',
  'account.two_factor_disabled': 'Two-step sign-in off',
  'user.create': 'User created',
  'user.update': 'User changed',
  'user.deactivate': 'User deactivated',
  'user.end_sessions': 'User signed out everywhere',
  'user.reset_two_factor': 'Two-step sign-in reset',
  'user.issue_password_reset': 'Reset link issued',
  'user.bootstrap_admin': 'First admin created',
  'promotion.request': 'Role asked for',
  'promotion.approve': 'Role request approved',
  'promotion.decline': 'Role request declined',
  'bag.register_parent': 'Parent registered',
  'bag.link': 'Child linked',
  'bag.unlink': 'Child unlinked',
  'bag.delete': 'Bag deleted',
  'bag.set_area': 'Parent moved to another area',
  'bill.create': 'Bill created',
  'bill.update': 'Bill changed',
  'bill.add_parent': 'Parent added to bill',
  'bill.remove_parent': 'Parent removed from bill',
  'bill.complete': 'Bill completed',
  'bill.reopen': 'Bill reopened',
  'bill.delete': 'Bill deleted',
  'device.register': 'Handheld registered',
};

/** Suggestions for the action filter: each group, then the actions above. */
export const ACTION_SUGGESTIONS: readonly string[] = [
  'auth.', 'account.', 'user.', 'promotion.', 'bag.', 'bill.', 'device.',
  ...Object.keys(ACTION_WORDS),
];

export function actionWords(action: string): string {
  return ACTION_WORDS[action] ?? action;
}

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The before/after snapshots as field: old → new. A field present on one side only is added or
 * removed (null on the other side); fields equal on both sides are left out. A snapshot that is not
 * an object shows as one "value" field.
 */
export function diffSnapshots(before: unknown, after: unknown): FieldChange[] {
  const b = isRecord(before) ? before : before === null || before === undefined ? {} : { value: before };
  const a = isRecord(after) ? after : after === null || after === undefined ? {} : { value: after };
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.flatMap((field) => {
    const [old, now] = [b[field], a[field]];
    if (JSON.stringify(old) === JSON.stringify(now)) return [];
    return [{ field, before: field in b ? show(old) : null, after: field in a ? show(now) : null }];
  });
}

/** As the client receives it: JSON leaves the unknown snapshots optional. */
export type AuditLogEntry = Omit<SharedAuditLogEntry, 'before' | 'after'> & { before?: unknown; after?: unknown };
export type { AuditFilters };
