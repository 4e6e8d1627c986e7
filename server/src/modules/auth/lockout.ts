import { AppError } from '@tracetrack/shared';

/** RULES.md, sign-in: five consecutive failures lock the account for 15 minutes. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
const LOCKOUT_MINUTES = LOCKOUT_MS / 60_000;

export interface FailureState {
  failures: number;
  lockedUntil: Date | null;
}

export function isLockedAt(state: FailureState, now: Date): state is FailureState & { lockedUntil: Date } {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/**
 * The one failure rule, applied to real accounts (users row) and unknown usernames (key-value
 * store) alike, so both produce the same sequence of answers. An expired lock starts a fresh run.
 */
export function afterFailure(state: FailureState, now: Date): FailureState {
  const previous = state.lockedUntil !== null && !isLockedAt(state, now) ? 0 : state.failures;
  const failures = Math.min(previous + 1, MAX_FAILED_LOGINS);
  return { failures, lockedUntil: failures >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MS) : null };
}

export function invalidCredentials(failures: number): AppError {
  const left = MAX_FAILED_LOGINS - failures;
  return new AppError(
    'INVALID_CREDENTIALS',
    `Wrong username or password. ${left} ${left === 1 ? 'try' : 'tries'} left before the account locks for ${LOCKOUT_MINUTES} minutes.`,
    { triesLeft: left },
  );
}

function clockTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
}

/** `justLocked`: this failure was the fifth. Either way the answer names the unlock time. */
export function lockedOut(lockedUntil: Date, now: Date, timeZone: string, justLocked: boolean): AppError {
  const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000));
  const when = `${clockTime(lockedUntil, timeZone)} (${timeZone})`;
  const message = justLocked
    ? `Wrong username or password. The account is now locked for ${LOCKOUT_MINUTES} minutes, until ${when}.`
    : `The account is locked after too many failed sign-ins. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, at ${when}.`;
  return new AppError('ACCOUNT_LOCKED', message, { lockedUntil: lockedUntil.toISOString() });
}

export function lockedByAdmin(): AppError {
  return new AppError('ACCOUNT_LOCKED', 'This account is locked. Ask an administrator to unlock it.', { lockedUntil: null });
}
