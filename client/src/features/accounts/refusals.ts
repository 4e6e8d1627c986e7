import type { AppErrorCode } from '@tracetrack/shared';
import type { ApiFailure } from '../trpc-client';

/** The refusal codes the accounts and admin work added (issue 11), each needing words for people. */
export type AccountsRefusalCode = Extract<
  AppErrorCode,
  | 'CLIENT_LOCKED' | 'TWO_FACTOR_REQUIRED' | 'TWO_FACTOR_INVALID' | 'TWO_FACTOR_ENROLMENT_REQUIRED' | 'TWO_FACTOR_ALREADY_ENABLED'
  | 'TWO_FACTOR_NOT_ENABLED' | 'TWO_FACTOR_NOT_STARTED' | 'PASSWORD_CHANGE_REQUIRED' | 'WRONG_PASSWORD' | 'RESET_TOKEN_INVALID'
  | 'ACCOUNT_DEACTIVATED' | 'SESSION_NOT_FOUND' | 'PARENT_IN_OTHER_AREA' | 'PROMOTION_PENDING' | 'PROMOTION_NOT_FOUND'
  | 'PROMOTION_DECIDED' | 'PROMOTION_SAME_ROLE'
>;

/**
 * What each of those codes says and what the person can do, in the shape of the app's words table
 * (features/words.ts on the phone-navigation branch), which folds these in at merge. The server's
 * own message is a sentence too and names the user or area, so screens show it when there is one;
 * these stand in when it is missing.
 */
export const ACCOUNT_REFUSAL_WORDS: Record<AccountsRefusalCode, { says: string; todo: string }> = {
  CLIENT_LOCKED: { says: 'Too many wrong passwords from this device.', todo: 'Wait 15 minutes, or sign in from another device.' },
  TWO_FACTOR_REQUIRED: { says: 'This account signs in with a second step.', todo: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.' },
  TWO_FACTOR_INVALID: { says: 'That code is not right, or it was already used.', todo: 'Wait for the next code in your app and try again.' },
  TWO_FACTOR_ENROLMENT_REQUIRED: { says: 'Admins must turn on two-step sign-in first.', todo: 'Set it up on the next screen; it takes a minute.' },
  TWO_FACTOR_ALREADY_ENABLED: { says: 'Two-step sign-in is already on.', todo: 'Nothing to do.' },
  TWO_FACTOR_NOT_ENABLED: { says: 'Two-step sign-in is not on for this account.', todo: 'Nothing to turn off.' },
  TWO_FACTOR_NOT_STARTED: { says: 'The set-up of two-step sign-in was not started or has expired.', todo: 'Start the set-up again.' },
  PASSWORD_CHANGE_REQUIRED: { says: 'You must choose a new password first.', todo: 'Set a new password on the next screen.' },
  WRONG_PASSWORD: { says: 'Your current password is not right.', todo: 'Type it again.' },
  RESET_TOKEN_INVALID: { says: 'This reset link is not valid any more.', todo: 'Links work once and for one hour. Ask for a new one.' },
  ACCOUNT_DEACTIVATED: { says: 'This account is deactivated.', todo: 'Ask an admin if you need it again.' },
  SESSION_NOT_FOUND: { says: 'That session has already ended.', todo: 'Nothing to do.' },
  PARENT_IN_OTHER_AREA: { says: 'This parent bag belongs to another dispatch area.', todo: 'Scan into a parent of your own area, or ask a biller.' },
  PROMOTION_PENDING: { says: 'You already have a role request waiting.', todo: 'Wait for an admin to decide it.' },
  PROMOTION_NOT_FOUND: { says: 'There is no such role request.', todo: 'Reload the list.' },
  PROMOTION_DECIDED: { says: 'This role request was already decided.', todo: 'Reload the list.' },
  PROMOTION_SAME_ROLE: { says: 'You already have this role.', todo: 'Choose another role.' },
};

const NO_CONNECTION = 'No connection to the server. Try again when you are online.';

/** One plain sentence for a failed call: field problems, the server's sentence, or what went wrong. */
export function refusalSentence(f: ApiFailure): string {
  if (f.code === null) return f.httpStatus === 429 ? 'Too many tries in a short time. Wait a moment, then try again.' : NO_CONNECTION;
  if (f.fieldErrors) {
    const messages = Object.values(f.fieldErrors).flat();
    if (messages.length) return messages.map((m) => (/[.!?]$/.test(m) ? m : `${m}.`)).join(' ');
  }
  const words = Object.hasOwn(ACCOUNT_REFUSAL_WORDS, f.code) ? ACCOUNT_REFUSAL_WORDS[f.code as AccountsRefusalCode] : undefined;
  if (f.message && !/^[A-Z_]+$/.test(f.message)) return f.message;
  return words ? `${words.says} ${words.todo}` : 'This was refused. Try again, or ask an admin.';
}
