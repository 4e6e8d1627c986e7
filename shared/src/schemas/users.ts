import { z } from 'zod';
import { areaCodeSchema, cursorSchema, pageLimitSchema, pageOf, roleSchema, storableTextSchema } from './common';

export const usernameSchema = z.string().regex(/^[A-Za-z0-9_]{3,20}$/, 'Username must be 3–20 letters, digits or _');
export const emailSchema = z.email('Enter a valid email').max(254).transform((e) => e.toLowerCase());

export const PASSWORD_RULES_TEXT = 'at least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol';
/** Returns what a password lacks; empty when it is strong enough. Used on every path that sets one. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('at least 8 characters');
  if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (!/[a-z]/.test(password)) problems.push('a lower-case letter');
  if (!/[0-9]/.test(password)) problems.push('a digit');
  if (!/[^A-Za-z0-9]/.test(password)) problems.push('a symbol');
  return problems;
}
// Hashing turns an unpaired surrogate into U+FFFD, so two different passwords would match.
export const passwordSchema = storableTextSchema
  .max(200, 'Password is too long')
  .superRefine((pw, ctx) => {
    const problems = passwordProblems(pw);
    if (problems.length) ctx.addIssue({ code: 'custom', message: `Password needs ${problems.join(', ')}` });
  });

// Usernames follow one public pattern, so refusing other shapes up front reveals nothing and keeps
// junk out of the database and the rate-limit keys. Trimmed because phone keyboards append a space.
export const loginInput = z.object({
  username: z.string().max(100, 'Username is too long').trim().pipe(usernameSchema),
  password: storableTextSchema.min(1, 'Enter your password').max(200, 'Password is too long'),
});
export type LoginInput = z.infer<typeof loginInput>;

export const meSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  role: roleSchema,
  area: z.string().nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const userSchema = meSchema.extend({
  isLocked: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const userCreateInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  role: roleSchema,
  area: areaCodeSchema.nullable().optional(),
});
export type UserCreateInput = z.infer<typeof userCreateInput>;

export const userUpdateInput = z.object({
  id: z.number().int().positive(),
  email: emailSchema.optional(),
  password: passwordSchema.optional(),
  role: roleSchema.optional(),
  area: areaCodeSchema.nullable().optional(),
  isLocked: z.boolean().optional(),
});
export type UserUpdateInput = z.infer<typeof userUpdateInput>;

export const userListInput = z.object({
  role: roleSchema.optional(),
  area: areaCodeSchema.optional(),
  search: storableTextSchema.max(50).optional(),
  limit: pageLimitSchema,
  cursor: cursorSchema,
});
export type UserListInput = z.infer<typeof userListInput>;
export const userListOutput = pageOf(userSchema);

