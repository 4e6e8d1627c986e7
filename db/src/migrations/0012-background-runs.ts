import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Background work as the system-health screen shows it: one row per job (hourly maintenance),
    -- written by whichever worker or server process ran it.
    create table background_runs (
      job text primary key,
      last_started_at timestamptz not null,
      last_finished_at timestamptz,
      last_status text not null check (last_status in ('running', 'ok', 'failed')),
      last_error text,
      last_error_at timestamptz,
      last_detail jsonb
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists background_runs;`.execute(db);
}
