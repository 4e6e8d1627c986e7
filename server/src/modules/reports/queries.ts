import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

/** Where a calendar day starts and ends in a time zone (Postgres knows the zone's rules and DST). */
export async function dayBounds(db: Executor, date: string, timeZone: string): Promise<{ start: Date; end: Date }> {
  const r = await sql<{ start: Date; end: Date }>`
    select (${date}::date)::timestamp at time zone ${timeZone} as start,
           (${date}::date + 1)::timestamp at time zone ${timeZone} as end`.execute(db);
  const row = r.rows[0]!;
  return { start: row.start, end: row.end };
}

export async function findEodRun(db: Executor, date: string) {
  return db
    .selectFrom('eod_runs')
    .select(['day', 'status', 'attempts', 'recipients', 'bills', 'detail', 'started_at', 'finished_at'])
    .where('day', '=', date)
    .executeTakeFirst();
}

/** A run stuck in `sending` this long died with its process; another may claim the day. */
const STALE_SENDING = '15 minutes';
export const MAX_EOD_ATTEMPTS = 3;

/**
 * Claims the day's mail for this process: true when this call inserted the row, or took over a
 * failed run (up to MAX_EOD_ATTEMPTS) or a stale one. One statement, so two workers racing for
 * the same day cannot both win.
 */
export async function claimEodRun(db: Executor, date: string): Promise<boolean> {
  const r = await sql<{ day: string }>`
    insert into eod_runs (day, status) values (${date}::date, 'sending')
    on conflict (day) do update set status = 'sending', attempts = eod_runs.attempts + 1, started_at = now(), finished_at = null, detail = null
      where (eod_runs.status = 'failed' and eod_runs.attempts < ${MAX_EOD_ATTEMPTS})
         or (eod_runs.status = 'sending' and eod_runs.started_at < now() - ${STALE_SENDING}::interval)
    returning day`.execute(db);
  return r.rows.length === 1;
}

export async function finishEodRun(
  db: Executor,
  date: string,
  result: { status: 'sent' | 'failed' | 'skipped'; recipients: number; bills: number; detail: string | null },
) {
  await db
    .updateTable('eod_runs')
    .set({ status: result.status, recipients: result.recipients, bills: result.bills, detail: result.detail, finished_at: sql`now()` })
    .where('day', '=', date)
    .execute();
}

/** Who gets the summary: admins and billers with an email, not locked. */
export async function listEodRecipients(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('role', 'in', ['admin', 'biller'])
    .where('is_locked', '=', false)
    .where('email', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.email).filter((e): e is string => !!e);
}
