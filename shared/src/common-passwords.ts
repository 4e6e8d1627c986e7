/**
 * The full password rule: the shape (password-rule.ts) plus a list of common passwords shipped by
 * a maintained package (zxcvbn-ts's `passwords-common`, ~49,000 entries, lower-case). Imported by
 * path (`@tracetrack/shared/common-passwords`), never from the package index, so the ~380 KB list
 * only reaches the bundles that ask for it.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { passwordShapeProblem } from './password-rule';

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);
export const COMMON_PASSWORD_COUNT = COMMON_PASSWORDS.size;

/** Case-insensitive: `Password123456` is as guessable as `password123456`. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/** The one password rule, as a sentence for the person choosing it; null when the password is fine. */
export function passwordProblem(password: string, username: string | null): string | null {
  return passwordShapeProblem(password, username)
    ?? (isCommonPassword(password) ? 'This password is on a list of common passwords: choose another.' : null);
}
