/**
 * Who may do what: the one permission table. The tRPC procedure builders gate every procedure by
 * its row (looked up by its path), the sync push gates every queued mutation by the row of the
 * procedure it stands for, and the PWA shows a screen or a button only to the roles its row
 * allows. Zod-free, so the handheld's bundle can import it (`@tracetrack/shared/permissions`).
 */
import { AppError } from './errors';
import { type Role, ROLES } from './roles';
import type { MutationName } from './sync';

export interface Permission {
  /** `anyone`: no sign-in needed. Otherwise the signed-in roles allowed. */
  roles: 'anyone' | readonly Role[];
  /** The sentence a signed-in user of another role is shown, online and through sync alike. */
  refusal: string;
  /**
   * Callable while the user's account setup is pending (a password set by an admin not yet
   * changed, or an admin's two-factor enrolment not yet done): the auth.* and account.* rows.
   */
  isAllowedDuringSetup?: true;
}

const ANYONE: Permission = { roles: 'anyone', refusal: '', isAllowedDuringSetup: true };
const SIGNED_IN: Permission = { roles: ROLES, refusal: '' };
const STAFF: Permission = { roles: ['admin', 'biller'], refusal: 'Only billers and admins can do this.' };
const ADMIN: Permission = { roles: ['admin'], refusal: 'Only admins can do this.' };
const ASKS_FOR_ROLES: Permission = { roles: ['biller', 'dispatcher'], refusal: 'Only billers and dispatchers can ask for another role.' };
/** Your own account: password, sessions, two-factor sign-in; usable before the setup is done. */
const OWN_ACCOUNT: Permission = { roles: ROLES, refusal: '', isAllowedDuringSetup: true };

export const SIGN_IN_REFUSAL = 'Sign in to continue.';

/**
 * What a signed-in user must do before anything but auth.* and account.*: change a password an
 * admin set (checked first), or, as an admin when ADMIN_TWO_FACTOR=required, turn on two-factor
 * sign-in. Null when nothing is pending.
 */
export type PendingSetup = 'passwordChange' | 'twoFactorEnrolment';

export const PENDING_SETUP_REFUSALS = {
  passwordChange: { code: 'PASSWORD_CHANGE_REQUIRED', message: 'Choose a new password first: yours was set by an administrator.' },
  twoFactorEnrolment: { code: 'TWO_FACTOR_ENROLMENT_REQUIRED', message: 'Turn on two-factor sign-in first: admins must use it.' },
} as const satisfies Record<PendingSetup, { code: string; message: string }>;

/** Every tRPC procedure, by its path. A procedure without a row is refused to everyone. */
export const PROCEDURE_PERMISSIONS = {
  'auth.login': ANYONE,
  'auth.logout': ANYONE,
  'auth.me': ANYONE,
  'auth.requestPasswordReset': ANYONE,
  'auth.resetPassword': ANYONE,
  'account.changePassword': OWN_ACCOUNT,
  'account.sessions': OWN_ACCOUNT,
  'account.endSession': OWN_ACCOUNT,
  'account.endOtherSessions': OWN_ACCOUNT,
  'account.twoFactor.begin': OWN_ACCOUNT,
  'account.twoFactor.confirm': OWN_ACCOUNT,
  'account.twoFactor.disable': OWN_ACCOUNT,
  'user.create': ADMIN,
  'user.list': ADMIN,
  'user.update': ADMIN,
  'user.issuePasswordReset': ADMIN,
  'user.endSessions': ADMIN,
  'user.resetTwoFactor': ADMIN,
  'user.deactivate': ADMIN,
  'bag.scanParent': SIGNED_IN,
  'bag.linkChild': SIGNED_IN,
  'bag.unlinkChild': SIGNED_IN,
  'bag.get': SIGNED_IN,
  /** Area rule: a dispatcher's list is their own area (listAreaOf). */
  'bag.list': SIGNED_IN,
  'bag.delete': ADMIN,
  /** Moves a parent and its children to another dispatch area (audited). */
  'bag.setArea': ADMIN,
  'bill.create': STAFF,
  'bill.update': STAFF,
  'bill.addParent': STAFF,
  'bill.removeParent': STAFF,
  'bill.complete': STAFF,
  'bill.reopen': STAFF,
  'bill.delete': ADMIN,
  'bill.get': SIGNED_IN,
  'bill.list': SIGNED_IN,
  /** Return tickets (RULES.md, returns): billers and admins, online and through sync. */
  'return.create': STAFF,
  'return.scan': STAFF,
  'return.update': STAFF,
  'return.finalize': STAFF,
  'return.cancel': STAFF,
  'return.get': STAFF,
  'return.list': STAFF,
  /** Area rule: a dispatcher's dashboard is their own area (listAreaOf). */
  'stats.dashboard': SIGNED_IN,
  /** The dispatch areas and their names: not secret, every screen that shows an area needs them. */
  'area.list': SIGNED_IN,
  'device.list': ADMIN,
  'device.register': SIGNED_IN,
  /** A handheld's outbox report, for its own device id only. */
  'device.report': SIGNED_IN,
  'sync.push': SIGNED_IN,
  /** Area rule: a dispatcher pulls their own area's parents (listAreaOf). */
  'sync.pull': SIGNED_IN,
  'promotion.request': ASKS_FOR_ROLES,
  /** The caller's own latest request: whoever may ask may see it; admins have none. */
  'promotion.mine': SIGNED_IN,
  'promotion.list': ADMIN,
  'promotion.decide': ADMIN,
  'audit.list': ADMIN,
  /** Rows an export would hold, before downloading it. */
  'export.count': ADMIN,
  'report.endOfDay': ADMIN,
  /** Database, Redis, workers' memory, error rate and recent errors, background work. */
  'system.health': ADMIN,
  'label.reserve': ADMIN,
  'label.list': ADMIN,
  'label.sheet': ADMIN,
  /** Imports: an admin's own uploads and every other admin's, with their reports. */
  'import.list': ADMIN,
  'import.get': ADMIN,
  /** Live screens (subscriptions over SSE); each as its screen's own read. Area rule as stats.dashboard. */
  'live.dashboard': SIGNED_IN,
  'live.bill': SIGNED_IN,
  'live.devices': ADMIN,
  'live.import': ADMIN,
  'import.commit': ADMIN,
  'import.resume': ADMIN,
} as const satisfies Record<string, Permission>;

/**
 * The plain HTTP routes beside tRPC (uploads, downloads), by name; `server/src/http/` gates each one by its
 * row with the same session and the same refusal sentences as the procedures.
 */
export const ROUTE_PERMISSIONS = {
  /** POST /api/imports: multipart upload of a label sheet, bags or bills file */
  'import.upload': ADMIN,
  /** GET /api/imports/:id/report.<csv|xlsx> */
  'import.report': ADMIN,
  /** GET /api/exports/bags.<csv|xlsx> */
  'export.bags': ADMIN,
  /** GET /api/exports/bills.<csv|xlsx> */
  'export.bills': ADMIN,
  /** GET /api/exports/users.<csv|xlsx>: users with their scans over N days */
  'export.users': ADMIN,
  /** GET /api/exports/audit.<csv|xlsx> */
  'export.audit': ADMIN,
  /** GET /api/exports/eod.<csv|xlsx>?date= */
  'export.eod': ADMIN,
  /** GET /api/exports/bill/:number.<csv|xlsx>: one bill's manifest */
  'export.bill': ADMIN,
  /** GET /api/exports/returns.<csv|xlsx>: return tickets by the list's filters */
  'export.returns': STAFF,
  /** GET /api/exports/return/:number.<csv|xlsx>: one return ticket's bags */
  'export.return': STAFF,
} as const satisfies Record<string, Permission>;

export type RouteName = keyof typeof ROUTE_PERMISSIONS;

export type ProcedureName = keyof typeof PROCEDURE_PERMISSIONS;

/** A queued mutation is the offline form of one procedure, allowed to whoever may call it. */
export const MUTATION_PROCEDURES: Record<MutationName, ProcedureName> = {
  'parent.scan': 'bag.scanParent',
  'child.link': 'bag.linkChild',
  'child.unlink': 'bag.unlinkChild',
  'bill.create': 'bill.create',
  'bill.addParent': 'bill.addParent',
  'bill.removeParent': 'bill.removeParent',
  'bill.complete': 'bill.complete',
  'return.create': 'return.create',
  'return.scan': 'return.scan',
  'return.finalize': 'return.finalize',
  'return.cancel': 'return.cancel',
};

/** The row of a procedure path; undefined for a path the table does not list (own keys only). */
export function permissionOf(procedure: string): Permission | undefined {
  return Object.hasOwn(PROCEDURE_PERMISSIONS, procedure) ? PROCEDURE_PERMISSIONS[procedure as ProcedureName] : undefined;
}

/** Whether a signed-in user of this role may call the procedure (or send its mutation). */
export function isAllowed(procedure: string, role: Role): boolean {
  const permission = permissionOf(procedure);
  return permission !== undefined && (permission.roles === 'anyone' || permission.roles.includes(role));
}

/** Whether a user with this setup pending may call the procedure (auth.* and account.* only). */
export function isAllowedDuringSetup(procedure: string): boolean {
  return permissionOf(procedure)?.isAllowedDuringSetup === true;
}

/**
 * Why this caller may not call the procedure, or null when they may. A path without a row is an
 * INTERNAL refusal for everyone: a forgotten row fails closed. A pending account setup is
 * refused before the role, so every screen sends the user to the same place.
 */
export function refusalOf(procedure: string, caller: Caller | null): AppError | null {
  return refusalBy(permissionOf(procedure), procedure, caller);
}

/** The same for an HTTP route's row in ROUTE_PERMISSIONS. */
export function routeRefusalOf(route: string, caller: Caller | null): AppError | null {
  return refusalBy(Object.hasOwn(ROUTE_PERMISSIONS, route) ? ROUTE_PERMISSIONS[route as RouteName] : undefined, route, caller);
}

/** Whether a signed-in user of this role (nothing pending) may use the HTTP route. */
export function isRouteAllowed(route: string, role: Role): boolean {
  return routeRefusalOf(route, { role }) === null;
}

type Caller = { role: Role; pendingSetup?: PendingSetup | null };

function refusalBy(permission: Permission | undefined, name: string, caller: Caller | null): AppError | null {
  if (!permission) return new AppError('INTERNAL', `${name} has no row in the permission table.`);
  if (permission.roles === 'anyone') return null;
  if (!caller) return new AppError('UNAUTHENTICATED', SIGN_IN_REFUSAL);
  if (caller.pendingSetup && !permission.isAllowedDuringSetup) {
    const pending = PENDING_SETUP_REFUSALS[caller.pendingSetup];
    return new AppError(pending.code, pending.message);
  }
  return permission.roles.includes(caller.role) ? null : new AppError('FORBIDDEN', permission.refusal);
}

/** The procedure and mutation names the table does not list: the completeness check. */
export function unlistedNames(procedures: readonly string[], mutations: readonly string[]): string[] {
  return [
    ...procedures.filter((p) => !permissionOf(p)),
    ...mutations.filter((m) => !Object.hasOwn(MUTATION_PROCEDURES, m)).map((m) => `mutation ${m}`),
  ];
}

/** Roles whose lists, searches, dashboard and sync feed show their own dispatch area only. */
const OWN_AREA_ROLES: readonly Role[] = ['dispatcher'];
export const OTHER_AREA_REFUSAL = 'Dispatchers can only see their own area.';

/**
 * The area rule: the area a caller's lists are limited to (their own, for a dispatcher), or null
 * for every area. Looking up one bag by its exact code is not a list: scanners must see conflicts
 * in any area.
 */
export function listAreaOf(caller: { role: Role; area: string | null }): string | null {
  return OWN_AREA_ROLES.includes(caller.role) ? caller.area : null;
}

/**
 * The area rule for scans: the area whose parents a caller may link into and unlink from (their
 * own, for a dispatcher), or null for every area. A parent with no area (registered by a biller
 * or admin) takes scans from everyone.
 */
export function scanAreaOf(caller: { role: Role; area: string | null }): string | null {
  return OWN_AREA_ROLES.includes(caller.role) ? caller.area : null;
}

/** Whether the area rule lets this caller link into or unlink from a parent of `parentArea`. */
export function canScanIntoArea(caller: { role: Role; area: string | null }, parentArea: string | null): boolean {
  const own = scanAreaOf(caller);
  return own === null || parentArea === null || parentArea === own;
}
