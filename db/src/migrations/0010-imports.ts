import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One row per uploaded file: what was asked (kind, area, dry run or commit), where the job is,
    -- and the counts of its dry run and of its commit. committed_through is the last unit whose
    -- writes committed: it moves in the same transaction as those writes, so a resume after a crash
    -- starts right after it and never applies a unit twice.
    create table imports (
      id uuid primary key,
      kind text not null check (kind in ('label-sheet', 'bags', 'bills')),
      file_name text not null,
      file_bytes bigint not null check (file_bytes >= 0),
      area text references dispatch_areas (code),
      is_dry_run boolean not null,
      status text not null check (status in ('reading', 'checking', 'checked', 'committing', 'committed', 'failed')),
      rows_total int not null default 0 check (rows_total >= 0),
      rows_done int not null default 0 check (rows_done >= 0),
      committed_through int not null default 0,
      dry_run_counts jsonb,
      commit_counts jsonb,
      failure text,
      created_by bigint not null references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index imports_created_by on imports (created_by, created_at desc, id);
    create index imports_created_at on imports (created_at desc, id);

    -- The file's rows as read (normalised), with the outcome of the last dry run or commit: the
    -- report is read from here. A unit is what applies whole or not at all (a label-sheet batch,
    -- a parent with its child rows, a bill row); is_blocked marks rows of a unit the file itself
    -- rules out (a duplicate, an orphaned batch, a batch over capacity, an unreadable row).
    create table import_rows (
      import_id uuid not null references imports (id) on delete cascade,
      seq int not null check (seq >= 1),
      sheet text,
      row_number int not null,
      unit int,
      op text not null check (op in ('parent', 'child', 'bill', 'none')),
      code text,
      parent_code text,
      area text,
      bill jsonb,
      raw text not null,
      is_blocked boolean not null default false,
      status text not null default 'pending' check (status in ('pending', 'created', 'present', 'error', 'skipped')),
      -- the row's bag (or bill) did not exist before this import
      is_new boolean not null default false,
      -- bill rows: parents this import put on the bill
      billed_count int not null default 0,
      error_code text,
      message text,
      primary key (import_id, seq)
    );
    create index import_rows_unit on import_rows (import_id, unit, seq);
    create index import_rows_code on import_rows (import_id, code);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists import_rows, imports;`.execute(db);
}
