import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

/** A background job's run, as the system-health screen shows it (one row per job, the latest run). */
export async function startBackgroundRun(db: Executor, job: string, now: Date): Promise<void> {
  await sql`
    insert into background_runs (job, last_started_at, last_status) values (${job}, ${now}, 'running')
    on conflict (job) do update set last_started_at = excluded.last_started_at, last_finished_at = null, last_status = 'running'
  `.execute(db);
}

export async function finishBackgroundRun(db: Executor, job: string, now: Date, outcome: { error: string } | { detail: Record<string, number> }): Promise<void> {
  if ('error' in outcome) {
    await sql`
      insert into background_runs (job, last_started_at, last_finished_at, last_status, last_error, last_error_at)
      values (${job}, ${now}, ${now}, 'failed', ${outcome.error}, ${now})
      on conflict (job) do update set last_finished_at = ${now}, last_status = 'failed', last_error = ${outcome.error}, last_error_at = ${now}
    `.execute(db);
    return;
  }
  await sql`
    update background_runs set last_finished_at = ${now}, last_status = 'ok', last_detail = ${JSON.stringify(outcome.detail)}::jsonb
    where job = ${job}
  `.execute(db);
}

export async function findBackgroundRun(db: Executor, job: string) {
  return (await db
    .selectFrom('background_runs')
    .select(['last_started_at', 'last_finished_at', 'last_status', 'last_error', 'last_error_at', 'last_detail'])
    .where('job', '=', job)
    .executeTakeFirst()) ?? null;
}
