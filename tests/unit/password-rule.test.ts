import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordLength, passwordSchema, passwordShapeProblem } from '@tracetrack/shared';
import { COMMON_PASSWORD_COUNT, isCommonPassword, passwordProblem } from '@tracetrack/shared/common-passwords';
import { describe, expect, it } from 'vitest';

describe('the password rule', () => {
  it('ships a common-password list of tens of thousands of entries (zxcvbn-ts passwords-common)', () => {
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThanOrEqual(40_000);
    expect(isCommonPassword('password')).toBe(true);
    expect(isCommonPassword('qwerty123456')).toBe(true);
    expect(isCommonPassword('QWERTY123456')).toBe(true);
    expect(isCommonPassword('Sturdy-Harbour-Lantern-42')).toBe(false);
  });

  it('takes 12 to 128 characters with no composition rules', () => {
    expect(passwordProblem('correct horse battery', null)).toBeNull();
    expect(passwordProblem('a'.repeat(11) + 'b', null)).toBeNull();
    expect(passwordProblem('aaaaaaaaaab', null)).toBe('Use at least 12 characters (this one has 11).');
    expect(passwordProblem('x'.repeat(PASSWORD_MAX_LENGTH), null)).toBeNull();
    expect(passwordProblem('x'.repeat(PASSWORD_MAX_LENGTH + 1), null)).toBe('Use at most 128 characters.');
    expect([PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH]).toEqual([12, 128]);
  });

  it('counts characters as people do: an emoji is one', () => {
    expect(passwordLength('😀'.repeat(12))).toBe(12);
    expect(passwordProblem('😀'.repeat(12), null)).toBeNull();
    expect(passwordProblem('😀'.repeat(6), null)).toMatch(/at least 12/);
    expect(passwordSchema.safeParse('😀'.repeat(PASSWORD_MAX_LENGTH)).success).toBe(true);
    expect(passwordSchema.safeParse('😀'.repeat(PASSWORD_MAX_LENGTH + 1)).success).toBe(false);
  });

  it('refuses a common password and one containing the username, in any letter case', () => {
    expect(passwordProblem('qwerty123456', null)).toBe('This password is on a list of common passwords: choose another.');
    expect(passwordProblem('my-name-is-Ravi_K-ok', 'ravi_k')).toBe('The password must not contain the username.');
    expect(passwordShapeProblem('RAVI_K and more words', 'ravi_k')).toBe('The password must not contain the username.');
    expect(passwordProblem('my-name-is-Ravi-ok', 'ravi_k')).toBeNull();
  });
});
