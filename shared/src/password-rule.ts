/**
 * The password rule without its common-password list (RULES.md, Passwords): 12–128 characters, no
 * composition rules, never containing the username. Zod-free and list-free, so any screen can
 * hint as the user types; the full rule, list included, is `passwordProblem` in
 * `@tracetrack/shared/common-passwords`, which every path that sets a password calls.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_RULE_TEXT = `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a common password, not containing the username`;

/** Characters as people count them: an emoji or an accented letter is one, not two UTF-16 units. */
export function passwordLength(password: string): number {
  let length = 0;
  for (const _char of password) length += 1;
  return length;
}

/** What is wrong with the password's length or its use of the username, as a sentence; null when nothing. */
export function passwordShapeProblem(password: string, username: string | null): string | null {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'The password must not contain the username.';
  return null;
}
