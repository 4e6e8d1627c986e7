import { AppError } from '@tracetrack/shared';

/*
 * The sign-in lockout rule (RULES.md, Sign-in and lockout). Failures count per account AND per
 * client: 5 in a row from one client lock that client out of that account for 15 minutes; 20
 * within an hour from any clients lock the account for an hour (or until an admin unlocks it).
 * Pure functions over the stored runs, applied alike to real accounts and unknown usernames.
 */
export const CLIENT_MAX_FAILURES = 5;
export const CLIENT_LOCK_MS = 15 * 60_000;
/** A client's run of failures is forgotten an hour after its last failure. */
export const CLIENT_MEMORY_MS = 60 * 60_000;
export const ACCOUNT_MAX_FAILURES = 20;
export const ACCOUNT_WINDOW_MS = 60 * 60_000;
export const ACCOUNT_LOCK_MS = 60 * 60_000;

export interface FailureRun {
  failures: number;
  firstFailureAt: Date;
  lastFailureAt: Date;
  lockedUntil: Date | null;
}

export function isLockedAt(run: FailureRun | null, now: Date): run is FailureRun & { lockedUntil: Date } {
  return run !== null && run.lockedUntil !== null && run.lockedUntil.getTime() > now.getTime();
}

/** One client's run: consecutive failures; an expired lock or an hour's quiet starts a fresh one. */
export function nextClientRun(run: FailureRun | null, now: Date): FailureRun {
  const isFresh = run === null || run.lockedUntil !== null || now.getTime() - run.lastFailureAt.getTime() >= CLIENT_MEMORY_MS;
  const failures = isFresh ? 1 : run.failures + 1;
  return {
    failures,
    firstFailureAt: isFresh ? now : run.firstFailureAt,
    lastFailureAt: now,
    lockedUntil: failures >= CLIENT_MAX_FAILURES ? new Date(now.getTime() + CLIENT_LOCK_MS) : null,
  };
}

/** The account's run: failures within an hour of the run's first; an expired lock starts a fresh one. */
export function nextAccountRun(run: FailureRun | null, now: Date): FailureRun {
  const isFresh = run === null || run.lockedUntil !== null || now.getTime() - run.firstFailureAt.getTime() >= ACCOUNT_WINDOW_MS;
  const failures = isFresh ? 1 : run.failures + 1;
  return {
    failures,
    firstFailureAt: isFresh ? now : run.firstFailureAt,
    lastFailureAt: now,
    lockedUntil: failures >= ACCOUNT_MAX_FAILURES ? new Date(now.getTime() + ACCOUNT_LOCK_MS) : null,
  };
}

function clockTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A failure that locked nothing: the tries left before the nearer lock. `wrong` names what was
 * wrong (a password, or a two-factor code).
 */
export function triesLeftRefusal(client: FailureRun, account: FailureRun, wrong: 'password' | 'code'): AppError {
  const clientLeft = CLIENT_MAX_FAILURES - client.failures;
  const accountLeft = ACCOUNT_MAX_FAILURES - account.failures;
  const what = wrong === 'password' ? 'Wrong username or password.' : 'Wrong two-factor code.';
  const message = accountLeft < clientLeft
    ? `${what} ${plural(accountLeft, 'try', 'tries')} left before the account is locked for an hour.`
    : `${what} ${plural(clientLeft, 'try', 'tries')} left before sign-in from this device is locked for ${CLIENT_LOCK_MS / 60_000} minutes.`;
  return new AppError(wrong === 'password' ? 'INVALID_CREDENTIALS' : 'TWO_FACTOR_INVALID', message, { triesLeft: Math.min(clientLeft, accountLeft) });
}

function untilText(lockedUntil: Date, now: Date, timeZone: string): string {
  const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000));
  return `in ${plural(minutes, 'minute', 'minutes')}, at ${clockTime(lockedUntil, timeZone)} (${timeZone})`;
}

/** This client is locked out of this account; `justLocked`: this failure was the fifth. */
export function clientLockedOut(lockedUntil: Date, now: Date, timeZone: string, justLocked: boolean): AppError {
  const when = untilText(lockedUntil, now, timeZone);
  const message = justLocked
    ? `Too many failed sign-ins from this device. Try again ${when}, or sign in from another device.`
    : `Sign-in from this device is locked after too many failed tries. Try again ${when}, or sign in from another device.`;
  return new AppError('CLIENT_LOCKED', message, { lockedUntil: lockedUntil.toISOString() });
}

/** The account is locked after 20 failures within an hour, from any clients. */
export function accountLockedOut(lockedUntil: Date, now: Date, timeZone: string): AppError {
  return new AppError(
    'ACCOUNT_LOCKED',
    `The account is locked after too many failed sign-ins. Try again ${untilText(lockedUntil, now, timeZone)}, or ask an administrator to unlock it.`,
    { lockedUntil: lockedUntil.toISOString() },
  );
}

export function lockedByAdmin(): AppError {
  return new AppError('ACCOUNT_LOCKED', 'This account is locked. Ask an administrator to unlock it.', { lockedUntil: null });
}

export function deactivatedAccount(): AppError {
  return new AppError('ACCOUNT_DEACTIVATED', 'This account has been deactivated. Ask an administrator if you need access again.');
}
