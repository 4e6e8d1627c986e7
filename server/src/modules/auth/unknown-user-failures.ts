import { createHash } from 'node:crypto';
import type { Deps } from '../../deps';
import { afterFailure, type FailureState } from './lockout';

/*
 * Decision: an unknown username gets the same answers as a real account (tries left counting down,
 * then a 15-minute lock), so failures cannot tell the two apart. Its failure run is kept in the
 * key-value store (Redis when configured, so every process agrees; process memory otherwise),
 * keyed by a hash of the lower-cased name so typed-in passwords are never stored. Alternatives
 * rejected: a fixed "4 tries left" (distinguishable on the second try) and counting audit rows
 * (a scan of the audit log on every failed login).
 * Residual gaps, accepted: the entry expires a day after its last failure while a real account's
 * run only ends with a success or a lock, and the read-modify-write is not atomic, so concurrent
 * guesses may undercount; both need patience or parallelism that the login rate limits cap.
 */
const ENTRY_TTL_MS = 24 * 3_600_000;

const keyOf = (username: string) => `login-unknown:${createHash('sha256').update(username.toLowerCase()).digest('base64url')}`;

export async function unknownUserFailures(deps: Pick<Deps, 'kv'>, username: string): Promise<FailureState> {
  const raw = await deps.kv.get(keyOf(username));
  if (!raw) return { failures: 0, lockedUntil: null };
  const parsed = JSON.parse(raw) as { failures: number; lockedUntil: string | null };
  return { failures: parsed.failures, lockedUntil: parsed.lockedUntil ? new Date(parsed.lockedUntil) : null };
}

export async function recordUnknownUserFailure(deps: Pick<Deps, 'kv'>, username: string, state: FailureState, now: Date): Promise<FailureState> {
  const next = afterFailure(state, now);
  const value = JSON.stringify({ failures: next.failures, lockedUntil: next.lockedUntil?.toISOString() ?? null });
  await deps.kv.set(keyOf(username), value, ENTRY_TTL_MS);
  return next;
}
