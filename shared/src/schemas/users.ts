import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, passwordShapeProblem } from '../password-rule';
import { areaCodeSchema, cursorSchema, isoDateTimeSchema, pageLimitSchema, pageOf, roleSchema, storableTextSchema, usernameSchema } from './common';

export const emailSchema = z.email('Enter a valid email').max(254).transform((e) => e.toLowerCase());

/**
 * A new password's length (12–128 characters). Whether it contains the username or is a common
 * password needs the username and the list, so the service checks the whole rule
 * (`passwordProblem`, WEAK_PASSWORD) on every path that sets one.
 */
// Hashing turns an unpaired surrogate into U+FFFD, so two different passwords would match.
export const passwordSchema = storableTextSchema
  .max(PASSWORD_MAX_LENGTH * 2, 'Password is too long')
  .superRefine((pw, ctx) => {
    const problem = passwordShapeProblem(pw, null);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A password typed to prove who you are: any stored password, whatever rule was in force when it was set. */
export const currentPasswordSchema = storableTextSchema.min(1, 'Enter your password').max(200, 'Password is too long');

/**
 * A code from an authenticator app (6 digits) or a recovery code (16 letters and digits, shown
 * as 4 groups): spaces and dashes are ignored and letters lower-cased, so however it is typed it
 * compares equal.
 */
export const twoFactorCodeSchema = z
  .string()
  .max(64, 'Code is too long')
  .transform((c) => c.replace(/[\s-]/g, '').toLowerCase())
  .pipe(z.string().regex(/^([0-9]{6}|[0-9a-z]{16})$/, 'Enter the 6-digit code from your app, or a recovery code'));

/** Only a 6-digit code from the app: what confirms an enrolment. */
export const totpCodeSchema = z
  .string()
  .max(64, 'Code is too long')
  .transform((c) => c.replace(/\s/g, ''))
  .pipe(z.string().regex(/^[0-9]{6}$/, 'Enter the 6-digit code from your app'));

// Usernames follow one public pattern, so refusing other shapes up front reveals nothing and keeps
// junk out of the database and the rate-limit keys. Trimmed because phone keyboards append a space.
export const loginInput = z.object({
  username: z.string().max(100, 'Username is too long').trim().pipe(usernameSchema),
  password: currentPasswordSchema,
  /** Needed when the account has two-factor sign-in on (TWO_FACTOR_REQUIRED without it). */
  code: twoFactorCodeSchema.optional(),
});
export type LoginInput = z.infer<typeof loginInput>;

/** The signed-in user, as auth.me and auth.login answer. */
export const meSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  /** Users may have no email (then a reset link can only come from an admin). */
  email: z.string().nullable(),
  role: roleSchema,
  area: z.string().nullable(),
  /** The password was set by an admin: only auth.* and account.* work until it is changed. */
  mustChangePassword: z.boolean(),
  twoFactorEnabled: z.boolean(),
  /** An admin without two-factor sign-in while ADMIN_TWO_FACTOR=required: only auth.* and account.* work. */
  mustEnrolTwoFactor: z.boolean(),
  /** Unused recovery codes; 0 when two-factor sign-in is off. */
  recoveryCodesLeft: z.number().int(),
});
export type Me = z.infer<typeof meSchema>;

/** A user as admins see them (user.list, user.create, user.update, …). */
export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  area: z.string().nullable(),
  /** Locked by an admin (until an admin unlocks). */
  isLocked: z.boolean(),
  /** The whole account is locked after 20 failed sign-ins within an hour, until this time or an admin unlock. */
  lockedUntil: z.string().nullable(),
  /** Clients (browsers, else IPs) now locked out of this account after 5 failures each. */
  lockedClients: z.number().int(),
  twoFactorEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lastSignInAt: z.string().nullable(),
  /** Deactivated users cannot sign in; their history stays and their username is never reused. */
  deactivatedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

/** The password an admin sets here must be changed by the user at their next sign-in. */
export const userCreateInput = z.object({
  username: usernameSchema,
  email: emailSchema.nullable().optional(),
  password: passwordSchema,
  role: roleSchema,
  area: areaCodeSchema.nullable().optional(),
});
export type UserCreateInput = z.infer<typeof userCreateInput>;

/** `email: null` removes it. A password set here must be changed at the next sign-in. `isLocked: false` also lifts sign-in lockouts. */
export const userUpdateInput = z.object({
  id: z.number().int().positive(),
  email: emailSchema.nullable().optional(),
  password: passwordSchema.optional(),
  role: roleSchema.optional(),
  area: areaCodeSchema.nullable().optional(),
  isLocked: z.boolean().optional(),
});
export type UserUpdateInput = z.infer<typeof userUpdateInput>;

/** The user list's filters: the list, its count and its export take the same. */
export const userFilterSchema = z.object({
  role: roleSchema.optional(),
  area: areaCodeSchema.optional(),
  /** Prefix of the username, case-insensitive. */
  search: storableTextSchema.max(50).optional(),
  /** true: locked by an admin, or the account or any client locked out after failed sign-ins. */
  isLocked: z.boolean().optional(),
  hasTwoFactor: z.boolean().optional(),
  isDeactivated: z.boolean().optional(),
  /** Last sign-in at or after / before these instants (never signed in matches neither). */
  lastSignInFrom: isoDateTimeSchema.optional(),
  lastSignInTo: isoDateTimeSchema.optional(),
  hasSignedIn: z.boolean().optional(),
});
export type UserFilter = z.infer<typeof userFilterSchema>;
export const userListInput = userFilterSchema.extend({ limit: pageLimitSchema, cursor: cursorSchema });
export type UserListInput = z.infer<typeof userListInput>;
export const userListOutput = pageOf(userSchema);

/** user.issuePasswordReset, user.endSessions, user.resetTwoFactor, user.deactivate. */
export const userIdInput = z.object({ userId: z.number().int().positive() });
export type UserIdInput = z.infer<typeof userIdInput>;

/** A reset link for an admin to hand over: absolute when PUBLIC_URL is set, else a path on this site. */
export const issuedPasswordResetSchema = z.object({ resetUrl: z.string(), expiresAt: z.string() });
export type IssuedPasswordReset = z.infer<typeof issuedPasswordResetSchema>;
