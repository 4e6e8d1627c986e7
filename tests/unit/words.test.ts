import { APP_ERROR_CODES, MUTATION_NAMES, ROLES } from '@tracetrack/shared';
import { describe, expect, it } from 'vitest';
import { MUTATION_WORDS, REFUSAL_WORDS, ROLE_WORDS } from '../../client/src/features/words';

// A code or a mutation name leaking into a sentence: PARENT_FULL, child.link.
const DEVELOPER_WORDS = /\b[A-Z]+_[A-Z_]+\b|\b[a-z]+\.[a-z]+[A-Z]?\w*\b/;

describe('words for people', () => {
  it('every refusal code has a sentence and a next step, and nothing else is listed', () => {
    expect(Object.keys(REFUSAL_WORDS).sort()).toEqual([...APP_ERROR_CODES].sort());
    for (const code of APP_ERROR_CODES) {
      const words = REFUSAL_WORDS[code];
      expect(words.says, code).toMatch(/^[A-Z].*\.$/);
      expect(words.todo.length, code).toBeGreaterThan(3);
      expect(`${words.says} ${words.todo}`, code).not.toMatch(DEVELOPER_WORDS);
    }
  });

  it('every mutation name has a label, and nothing else is listed', () => {
    expect(Object.keys(MUTATION_WORDS).sort()).toEqual([...MUTATION_NAMES].sort());
    for (const name of MUTATION_NAMES) {
      expect(MUTATION_WORDS[name].length, name).toBeGreaterThan(2);
      expect(MUTATION_WORDS[name], name).not.toMatch(DEVELOPER_WORDS);
    }
  });

  it('every role has a name', () => {
    expect(Object.keys(ROLE_WORDS).sort()).toEqual([...ROLES].sort());
  });
});
