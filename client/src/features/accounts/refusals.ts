import { refusalWords } from '../words';
import type { ApiFailure } from '../../api/trpc';

const NO_CONNECTION = 'No connection to the server. Try again when you are online.';

/**
 * One plain sentence for a failed call on the accounts screens: the field problems, else the
 * server's own sentence (it names the user or the area), else the words table's for the code.
 */
export function refusalSentence(f: ApiFailure): string {
  if (f.code === null) return f.httpStatus === 429 ? 'Too many tries in a short time. Wait a moment, then try again.' : NO_CONNECTION;
  if (f.fieldErrors) {
    const messages = Object.values(f.fieldErrors).flat();
    if (messages.length) return messages.map((m) => (/[.!?]$/.test(m) ? m : `${m}.`)).join(' ');
  }
  if (f.message && !/^[A-Z_]+$/.test(f.message)) return f.message;
  const words = refusalWords(f.code);
  return `${words.says} ${words.todo}`;
}
