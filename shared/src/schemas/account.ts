import { z } from 'zod';
import { storableTextSchema } from './common';
import { currentPasswordSchema, passwordSchema, totpCodeSchema, twoFactorCodeSchema } from './users';

/** Changing your own password ends your other sessions; this one stays signed in. */
export const changePasswordInput = z.object({
  currentPassword: currentPasswordSchema,
  newPassword: passwordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;

/** One signed-in session of the caller (account.sessions). */
export const sessionInfoSchema = z.object({
  /** Opaque; what account.endSession takes. Not the cookie. */
  id: z.string(),
  /** The browser's User-Agent as sent at sign-in (what the screen turns into "Chrome on Android"). */
  userAgent: z.string().nullable(),
  /** As stored in the audit log: anonymised unless ANONYMIZE_IPS=false. */
  ip: z.string().nullable(),
  createdAt: z.string(),
  lastActiveAt: z.string(),
  isCurrent: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const endSessionInput = z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'Unknown session') });
export type EndSessionInput = z.infer<typeof endSessionInput>;

/** What an authenticator app needs: scan `qrSvg` (an SVG document) or type `secret` (base32). */
export const twoFactorEnrolmentSchema = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() });
export type TwoFactorEnrolment = z.infer<typeof twoFactorEnrolmentSchema>;

export const twoFactorConfirmInput = z.object({ code: totpCodeSchema });
/** Shown once: 10 one-time codes, each signs in once instead of an app code. */
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });

/** Turning two-factor sign-in off needs the password and a code (app or recovery). */
export const twoFactorDisableInput = z.object({ password: currentPasswordSchema, code: twoFactorCodeSchema });

/** Username or email; the answer is the same whether or not it exists. */
export const requestPasswordResetInput = z.object({
  login: storableTextSchema.trim().min(1, 'Enter your username or email').max(254, 'Too long for a username or email'),
});
export type RequestPasswordResetInput = z.infer<typeof requestPasswordResetInput>;

export const resetPasswordInput = z.object({
  token: z.string().trim().regex(/^[A-Za-z0-9_-]{20,100}$/, 'This reset link is not valid'),
  newPassword: passwordSchema,
});
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;

/** Where a reset link points (the PWA's screen); the token rides in the fragment, never sent to a server. */
export const RESET_PASSWORD_PATH = '/reset-password';
export function resetPasswordLink(publicUrl: string | null, token: string): string {
  const base = publicUrl ? publicUrl.replace(/\/+$/, '') : '';
  return `${base}${RESET_PASSWORD_PATH}#token=${token}`;
}
