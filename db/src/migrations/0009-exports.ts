import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Partial code search (prefix and contains) on the bag list, the search screen and exports.
    -- A btree answers a prefix only; trigrams answer both, at 2M codes, from one GIN index.
    -- pg_trgm is a trusted extension (Postgres 13+): the database owner may create it.
    -- The index is on lower(code), not code: pg_trgm also answers equality, and on a table that
    -- grew faster than its statistics (an import) the planner took it for code = any(...) lookups
    -- at seconds a statement; equality on code now has only the unique btree to choose.
    create extension if not exists pg_trgm;
    create index bags_code_trgm on bags using gin (lower(code) gin_trgm_ops);

    -- The end-of-day summary lists the bills completed on a day.
    create index bills_completed_at on bills (completed_at) where completed_at is not null;

    -- One end-of-day mail per day across every worker and process: the row is the claim. A run
    -- that failed may be claimed again (attempts counts them); a sent one never.
    create table eod_runs (
      day date primary key,
      status text not null check (status in ('sending', 'sent', 'failed', 'skipped')),
      attempts int not null default 1 check (attempts >= 1),
      recipients int not null default 0,
      bills int not null default 0,
      detail text,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    );

    -- Printable labels: a reservation hands out codes no bag has and no reservation had before.
    create table label_reservations (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('parent', 'child')),
      -- parents: the format (SB, M444) and the numbers handed out, for "the next N"
      format text,
      first_number int,
      last_number int,
      first_code text not null,
      last_code text not null,
      code_count int not null check (code_count between 1 and 1000),
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      constraint label_reservations_parent_shape check (
        (kind = 'parent') = (format is not null and first_number is not null and last_number is not null))
    );
    create index label_reservations_format on label_reservations (format, last_number desc) where kind = 'parent';
    create index label_reservations_id on label_reservations (id desc);

    -- Every reserved code once, ever: the primary key is the "never reserved before" rule.
    create table label_codes (
      code text primary key check (code = upper(code) and code ~ '^[A-Z0-9-]{4,20}$'),
      reservation_id bigint not null references label_reservations (id),
      position int not null check (position >= 0)
    );
    create index label_codes_reservation on label_codes (reservation_id, position);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists label_codes;
    drop table if exists label_reservations;
    drop table if exists eod_runs;
    drop index if exists bills_completed_at;
    drop index if exists bags_code_trgm;
  `.execute(db);
}
