import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';
import type { RequestMeta } from '../actor';
import { type FailureRun, nextAccountRun, nextClientRun } from './lockout';

/*
 * Decision (server/README.md, "Sign-in lockout per account and client"): failure runs live in
 * Postgres, one row per (subject, client) plus one per subject for the account as a whole. A
 * subject is a user id or, for a username nobody has, a hash of it: unknown names walk the very
 * same rows and rule, so their answers cannot differ. Each recording holds a transaction-level
 * advisory lock on the subject, so parallel attempts count every failure exactly once.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export const subjectOfUser = (userId: number) => `u:${userId}`;
export const subjectOfUnknownName = (username: string) => `n:${sha256(username.toLowerCase())}`;

/** The account-wide run's client key. */
const ACCOUNT = '';

/** A browser's sign-in client id: 128 random bits, kept in a long-lived HttpOnly cookie. */
/** 122 random bits in 22 characters; randomUUID draws from a cached pool, where randomBytes(16) runs a native job on every call. */
export const newClientId = () => Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
export const isClientId = (value: string) => /^[A-Za-z0-9_-]{22}$/.test(value);

/**
 * The client a sign-in comes from: the browser's client cookie when it sent one, else its IP.
 * A caller who drops cookies is one client per address (and still counts toward the account's 20).
 * Stored hashed: the table never holds an address or a cookie.
 */
export function clientKeyOf(meta: Pick<RequestMeta, 'clientId' | 'remoteIp'>): string {
  return sha256(meta.clientId ? `cookie:${meta.clientId}` : `ip:${meta.remoteIp ?? 'unknown'}`);
}

export interface FailureRuns {
  account: FailureRun | null;
  client: FailureRun | null;
}

/** Serialises every failure recording of one subject (an account or an unknown name). */
export async function lockSubject(tx: Tx, subject: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`tracetrack:login:${subject}`}, 0))`.execute(tx);
}

export async function readRuns(db: Executor, subject: string, clientKey: string): Promise<FailureRuns> {
  const rows = await db
    .selectFrom('login_failures')
    .select(['client_key', 'failures', 'first_failure_at', 'last_failure_at', 'locked_until'])
    .where('subject', '=', subject)
    .where('client_key', 'in', [ACCOUNT, clientKey])
    .execute();
  const runOf = (key: string): FailureRun | null => {
    const row = rows.find((r) => r.client_key === key);
    return row ? { failures: row.failures, firstFailureAt: row.first_failure_at, lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until } : null;
  };
  return { account: runOf(ACCOUNT), client: runOf(clientKey) };
}

async function saveRun(tx: Tx, subject: string, clientKey: string, run: FailureRun): Promise<void> {
  const values = {
    subject, client_key: clientKey, failures: run.failures, first_failure_at: run.firstFailureAt, last_failure_at: run.lastFailureAt,
    locked_until: run.lockedUntil,
  };
  await tx
    .insertInto('login_failures')
    .values(values)
    .onConflict((oc) => oc.columns(['subject', 'client_key']).doUpdateSet({
      failures: values.failures, first_failure_at: values.first_failure_at, last_failure_at: values.last_failure_at, locked_until: values.locked_until,
    }))
    .execute();
}

/** Counts one failure for the client and for the account; the caller holds lockSubject. */
export async function recordFailure(tx: Tx, subject: string, clientKey: string, runs: FailureRuns, now: Date) {
  const client = nextClientRun(runs.client, now);
  const account = nextAccountRun(runs.account, now);
  await saveRun(tx, subject, clientKey, client);
  await saveRun(tx, subject, ACCOUNT, account);
  return { client, account };
}

/** A success from a client ends that client's run; the account's run keeps counting its hour. */
export async function forgetClientRun(tx: Tx, subject: string, clientKey: string): Promise<void> {
  await tx.deleteFrom('login_failures').where('subject', '=', subject).where('client_key', '=', clientKey).execute();
}

/** Housekeeping: runs that can no longer lock anything (quiet for a day, no lock in force). */
export async function purgeStaleLoginFailures(db: Executor, now: Date): Promise<number> {
  const res = await db
    .deleteFrom('login_failures')
    .where('last_failure_at', '<', new Date(now.getTime() - 24 * 3_600_000))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
