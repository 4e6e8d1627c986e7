import type { ApiFailure } from '../trpc-client';

/**
 * Sentences for the refusal codes the accounts screens meet. The server's own message is a
 * sentence too and names the user or area, so it is shown when there is one; these stand in when
 * a message is missing and carry what the person can do next. Kept here until the app's words
 * table (features/words.ts) holds every code; the lead folds these in at merge.
 */
export const ACCOUNT_REFUSAL_WORDS: Record<string, { says: string; todo: string }> = {
  TWO_FACTOR_REQUIRED: { says: 'This account signs in with a second step.', todo: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.' },
  TWO_FACTOR_INVALID: { says: 'That code is not right, or it was already used.', todo: 'Wait for the next code in your app and try again.' },
  TWO_FACTOR_ENROLMENT_REQUIRED: { says: 'Admins must turn on two-step sign-in first.', todo: 'Set it up on the next screen; it takes a minute.' },
  PASSWORD_CHANGE_REQUIRED: { says: 'You must choose a new password first.', todo: 'Set a new password on the next screen.' },
  RESET_TOKEN_INVALID: { says: 'This reset link is not valid any more.', todo: 'Links work once and for one hour. Ask for a new one.' },
  USER_DEACTIVATED: { says: 'This account is deactivated.', todo: 'Ask an admin if you need it again.' },
  PARENT_IN_OTHER_AREA: { says: 'This parent bag belongs to another dispatch area.', todo: 'Scan into a parent of your own area, or ask a biller.' },
  PROMOTION_PENDING: { says: 'You already have a request waiting.', todo: 'Wait for an admin to decide it.' },
  PROMOTION_NOT_FOUND: { says: 'This request is no longer waiting.', todo: 'Reload the list.' },
};

const NO_CONNECTION = 'No connection to the server. Try again when you are online.';

/** One plain sentence for a failed call: field problems, the server's sentence, or what went wrong. */
export function refusalSentence(f: ApiFailure): string {
  if (f.code === null) return f.httpStatus === 429 ? 'Too many tries in a short time. Wait a moment, then try again.' : NO_CONNECTION;
  if (f.fieldErrors) {
    const messages = Object.values(f.fieldErrors).flat();
    if (messages.length) return messages.map((m) => (/[.!?]$/.test(m) ? m : `${m}.`)).join(' ');
  }
  const words = ACCOUNT_REFUSAL_WORDS[f.code];
  if (f.message && !/^[A-Z_]+$/.test(f.message)) return f.message;
  return words ? `${words.says} ${words.todo}` : 'This was refused. Try again, or ask an admin.';
}
