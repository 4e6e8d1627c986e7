import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '@tracetrack/shared';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// OWASP's scrypt floor: N=2^17, r=8, p=1 (128 MiB would be too much per login here; 2^15 with r=8 is 32 MiB).
const PARAMS = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 64;

/** Format: scrypt$N$r$p$salt$hash (base64url), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(saltText, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Verifying against this when the user is unknown makes both failures take the same time. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('base64url'));
  return dummyHash;
}

/** The ~380 KB common-password list loads when a password is first set, not at every start. */
export async function passwordProblemOf(password: string, username: string | null): Promise<string | null> {
  const { passwordProblem } = await import('@tracetrack/shared/common-passwords');
  return passwordProblem(password, username);
}

/**
 * The password rule, on every path that sets a password (create, update, change, reset, the first
 * admin, the seeder): the schema checks the length early, this checks all of it.
 */
export async function refuseWeakPassword(password: string, username: string | null, field = 'password'): Promise<void> {
  const problem = await passwordProblemOf(password, username);
  if (problem) throw new AppError('WEAK_PASSWORD', problem, { field });
}

/** 24 random base64url characters (144 bits), checked against the rule like any other. */
export async function generateStrongPassword(username: string): Promise<string> {
  for (;;) {
    const password = randomBytes(18).toString('base64url');
    if (!(await passwordProblemOf(password, username))) return password;
  }
}
