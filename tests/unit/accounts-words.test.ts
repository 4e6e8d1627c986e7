import { APP_ERROR_CODES } from '@tracetrack/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_REFUSAL_WORDS } from '../../client/src/features/accounts/refusals';

// A code or a procedure name leaking into a sentence: PARENT_FULL, auth.login.
const DEVELOPER_WORDS = /\b[A-Z]+_[A-Z_]+\b|\b[a-z]+\.[a-z]+[A-Z]?\w*\b/;

describe('accounts refusal words', () => {
  it('every code added after the core set (INTERNAL) has a sentence and a next step', () => {
    const added = APP_ERROR_CODES.slice(APP_ERROR_CODES.indexOf('INTERNAL') + 1);
    expect(added.length).toBeGreaterThan(0);
    expect(Object.keys(ACCOUNT_REFUSAL_WORDS).sort()).toEqual([...added].sort());
    for (const [code, words] of Object.entries(ACCOUNT_REFUSAL_WORDS)) {
      expect(words.says, code).toMatch(/^[A-Z].*\.$/);
      expect(words.todo.length, code).toBeGreaterThan(3);
      expect(`${words.says} ${words.todo}`, code).not.toMatch(DEVELOPER_WORDS);
    }
  });
});
