import type { Db } from '@tracetrack/db';
import type { Database } from '@tracetrack/db';
import { AppError } from '@tracetrack/shared';
import type { Kysely, Transaction } from 'kysely';

export type Tx = Transaction<Database>;
export type Executor = Kysely<Database> | Tx;

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export function pgCodeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** A lost connection or an unreachable database: the caller may safely retry the whole call. */
export function isTransientDbError(e: unknown): boolean {
  const code = pgCodeOf(e);
  // Class 53 (insufficient resources: too many connections, out of memory, disk full) is the
  // server's state, not the request's: the same call may succeed in a moment.
  if (code && (CONNECTION_LOST.has(code) || RETRYABLE.has(code) || code.startsWith('53'))) return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(msg);
}

/**
 * Runs `fn` in one transaction, retrying deadlocks and serialization failures a few times.
 * Business refusals (AppError) roll back and pass through untouched; database outages, and
 * conflicts still failing after the last attempt, become a retryable TRANSIENT (503) so clients
 * resend, never a 500.
 */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (RETRYABLE.has(pgCodeOf(e) ?? '')) {
        if (attempt < attempts) continue;
        throw new AppError('TRANSIENT', 'Other changes to the same bags or bills kept getting in the way; nothing was saved. Try again.');
      }
      if (isTransientDbError(e)) throw new AppError('TRANSIENT', 'The database is unavailable right now. Try again.');
      throw e;
    }
  }
}

/**
 * SQLSTATE class 22 (data exception): a value Postgres cannot take, such as NUL in text (22021),
 * NUL in jsonb (22P05) or a date out of its range (22008). Only bad input gets this far.
 */
export function isDataException(e: unknown): boolean {
  return pgCodeOf(e)?.startsWith('22') ?? false;
}

/** SQLSTATE class 23 (integrity constraint violation): a unique, check, foreign-key or not-null refusal. */
export function isIntegrityViolation(e: unknown): boolean {
  return pgCodeOf(e)?.startsWith('23') ?? false;
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  if (pgCodeOf(e) !== '23505') return false;
  return !constraint || (e as { constraint?: string }).constraint === constraint;
}
