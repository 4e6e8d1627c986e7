import { hashPassword, refuseWeakPassword, type UsersTable } from '@tracetrack/db';
import { AppError, type Role, type User, type UserCreateInput, type UserFilter, type UserListInput, type UserUpdateInput } from '@tracetrack/shared';
import type { Updateable } from 'kysely';
import type { Deps } from '../../deps';
import { decodeIdCursor, idKeysetPage } from '../../infra/keyset-cursor';
import { inTransaction, isUniqueViolation, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { toAuditSnapshot, toUser } from './mappers';
import * as q from './queries';

/** At most this many dispatchers per dispatch area (RULES.md, Users). */
export const MAX_DISPATCHERS_PER_AREA = 10;

/** A dispatcher has exactly one area; billers and admins have none. */
function checkAreaForRole(role: Role, area: string | null): void {
  if (role === 'dispatcher' && !area) throw new AppError('AREA_REQUIRED', 'A dispatcher needs a dispatch area.', { field: 'area' });
  if (role !== 'dispatcher' && area) throw new AppError('AREA_NOT_ALLOWED', `A ${role} has no dispatch area.`, { field: 'area' });
}

/** Under the area's row lock, so two admins cannot both add the tenth dispatcher. */
async function reserveDispatcherSlot(tx: Tx, area: string, userId: number | null): Promise<void> {
  if (!(await q.lockArea(tx, area))) throw new AppError('AREA_NOT_FOUND', `There is no dispatch area "${area}".`, { field: 'area' });
  const count = await q.countDispatchersInArea(tx, area, userId);
  if (count >= MAX_DISPATCHERS_PER_AREA) {
    throw new AppError('AREA_FULL', `${area} already has ${MAX_DISPATCHERS_PER_AREA} dispatchers.`, { field: 'area', count });
  }
}

/** Races past a pre-check end at the unique indexes; their names say which field collided. */
function asUniqueRefusal(e: unknown, username: string | null, email: string | null): unknown {
  if (isUniqueViolation(e, 'users_username_ci')) {
    return new AppError('USERNAME_TAKEN', `The username "${username}" is already taken.`, { field: 'username' });
  }
  if (isUniqueViolation(e, 'users_email_unique')) {
    return new AppError('EMAIL_TAKEN', `The email ${email} is already used by another user.`, { field: 'email' });
  }
  return e;
}

export const userNotFound = (id: number) => new AppError('USER_NOT_FOUND', `There is no user with id ${id}.`);
export const userDeactivated = (username: string) =>
  new AppError('ACCOUNT_DEACTIVATED', `${username} is deactivated: the account can no longer be changed.`);

/** The user as admins see them, read after the change committed (lockouts as of now). */
export async function userView(deps: Deps, id: number): Promise<User> {
  const row = await q.findUserViewById(deps.db, id, deps.clock());
  if (!row) throw userNotFound(id);
  return toUser(row);
}

/** The password an admin gives is temporary: the user must choose their own at the next sign-in. */
export async function createUser(deps: Deps, actor: Actor, meta: RequestMeta, input: UserCreateInput): Promise<User> {
  await refuseWeakPassword(input.password, input.username);
  const area = input.area ?? null;
  checkAreaForRole(input.role, area);
  const email = input.email?.toLowerCase() ?? null;
  const passwordHash = await hashPassword(input.password);
  let id: number;
  try {
    id = await inTransaction(deps.db, async (tx) => {
      if (area) await reserveDispatcherSlot(tx, area, null);
      const row = await q.insertUser(tx, { username: input.username, email, passwordHash, role: input.role, area, mustChangePassword: true });
      // Creating an account grants a role, so it is kept as long as role changes are.
      await insertAudit(tx, { actor, meta }, { action: 'user.create', entityType: 'user', entityId: row.id, after: toAuditSnapshot(row), isPermanent: true });
      return row.id;
    });
  } catch (e) {
    throw asUniqueRefusal(e, input.username, email);
  }
  return userView(deps, id);
}

export async function updateUser(deps: Deps, actor: Actor, meta: RequestMeta, input: UserUpdateInput): Promise<User> {
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    const target = await q.findUserById(deps.db, input.id);
    if (!target) throw userNotFound(input.id);
    await refuseWeakPassword(input.password, target.username);
    passwordHash = await hashPassword(input.password);
  }
  const email = input.email === undefined ? undefined : (input.email?.toLowerCase() ?? null);
  let result: UserUpdateResult;
  try {
    result = await inTransaction(deps.db, (tx) => updateUserInTransaction(tx, deps, actor, meta, input, passwordHash));
  } catch (e) {
    throw asUniqueRefusal(e, null, email ?? null);
  }
  // The epoch bump already ended them; this tidies the store after the commit.
  if (result.endsSessions) await deps.sessions.destroyAllForUser(input.id);
  return userView(deps, input.id);
}

export interface UserUpdateResult {
  /** The change (role, area, lock, password) ended the user's sessions (epoch bumped); the caller tidies the store after commit. */
  endsSessions: boolean;
}

/**
 * One user change with every guard (own role, own lock, last admin, area for the role, dispatchers
 * per area), in the caller's transaction, so another write (a promotion's decision) commits with
 * it. `passwordHash` is the new password, already checked and hashed, or null.
 */
export async function updateUserInTransaction(
  tx: Tx,
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  meta: RequestMeta,
  input: Omit<UserUpdateInput, 'password'>,
  passwordHash: string | null,
): Promise<UserUpdateResult> {
  if (input.id === actor.id && input.isLocked === true) throw new AppError('FORBIDDEN', 'You cannot lock your own account.');
  const email = input.email === undefined ? undefined : (input.email?.toLowerCase() ?? null);
  // Admin rows are locked first, in id order, whenever the change could remove an admin:
  // two admins demoting each other then serialise instead of both succeeding.
  const mayRemoveAdmin = input.role !== undefined || input.isLocked === true;
  const activeAdminIds = mayRemoveAdmin ? await q.lockActiveAdminIds(tx) : [];
  const before = await q.lockUserById(tx, input.id);
  if (!before) throw userNotFound(input.id);
  if (before.deactivated_at !== null) throw userDeactivated(before.username);

  const role = input.role ?? before.role;
  if (input.id === actor.id && role !== before.role) throw new AppError('OWN_ROLE', 'You cannot change your own role.');
  // Leaving the dispatcher role drops the area unless the caller says otherwise.
  const area = input.area !== undefined ? input.area : role === 'dispatcher' ? before.area : null;
  checkAreaForRole(role, area);
  const isLocked = input.isLocked ?? before.is_locked;
  const isRoleChanged = role !== before.role;
  const isAreaChanged = area !== before.area;
  const isLockChanged = isLocked !== before.is_locked;

  const isActiveAdmin = before.role === 'admin' && !before.is_locked;
  if (isActiveAdmin && (role !== 'admin' || isLocked) && !activeAdminIds.some((id) => id !== before.id)) {
    throw new AppError('LAST_ADMIN', `${before.username} is the last active admin; make another admin first.`);
  }
  if (area && (isRoleChanged || isAreaChanged)) await reserveDispatcherSlot(tx, area, before.id);

  // Unlocking also lifts sign-in lockouts: the account's and every client's.
  const failureRunsCleared = input.isLocked === false ? await q.clearLoginFailures(tx, before.id) : 0;
  const patch: Updateable<UsersTable> = {};
  if (email !== undefined && email !== before.email) patch.email = email;
  if (isRoleChanged) patch.role = role;
  if (isAreaChanged) patch.area = area;
  if (isLockChanged) patch.is_locked = isLocked;
  if (passwordHash !== null) {
    patch.password_hash = passwordHash;
    patch.must_change_password = true;
  }
  if (Object.keys(patch).length === 0 && failureRunsCleared === 0) return { endsSessions: false };

  const isEndingSessions = isRoleChanged || isAreaChanged || isLockChanged || passwordHash !== null;
  patch.updated_at = deps.clock();
  const after = await q.updateUser(tx, before.id, patch);
  if (isEndingSessions) await q.bumpSessionEpoch(tx, before.id);
  await insertAudit(tx, { actor, meta }, {
    action: 'user.update',
    entityType: 'user',
    entityId: before.id,
    before: toAuditSnapshot(before),
    after: { ...toAuditSnapshot(after), ...(passwordHash !== null ? { passwordChanged: true } : {}), ...(failureRunsCleared ? { failureRunsCleared } : {}) },
    isPermanent: isRoleChanged,
  });
  return { endsSessions: isEndingSessions };
}

/** The list's filter as the queries take it (the same for the list, its count and its export). */
export function userFiltersOf(input: UserFilter): q.UserFilters {
  return {
    role: input.role,
    area: input.area,
    search: input.search,
    isLocked: input.isLocked,
    hasTwoFactor: input.hasTwoFactor,
    isDeactivated: input.isDeactivated,
    hasSignedIn: input.hasSignedIn,
    lastSignInFrom: input.lastSignInFrom === undefined ? undefined : new Date(input.lastSignInFrom),
    lastSignInTo: input.lastSignInTo === undefined ? undefined : new Date(input.lastSignInTo),
  };
}

export async function listUsers(deps: Deps, input: UserListInput): Promise<{ items: User[]; nextCursor: string | null }> {
  const rows = await q.listUsers(deps.db, { ...userFiltersOf(input), afterId: decodeIdCursor(input.cursor), limit: input.limit }, deps.clock());
  const { page, nextCursor } = idKeysetPage(rows, input.limit);
  return { items: page.map(toUser), nextCursor };
}
