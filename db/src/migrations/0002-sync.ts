import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Change feed for sync.pull: every write stamps the row with its transaction id. A pull only
    -- returns rows whose xid is below the oldest running transaction, so the (xid, id) order is
    -- final and a cursor never skips a change that commits late. Never wall-clock time.
    alter table bags add column change_xid xid8 not null default pg_current_xact_id();
    alter table bills add column change_xid xid8 not null default pg_current_xact_id();

    create function stamp_change_xid() returns trigger language plpgsql as $$
    begin
      new.change_xid := pg_current_xact_id();
      return new;
    end $$;
    create trigger bags_stamp_change before update on bags for each row execute function stamp_change_xid();
    create trigger bills_stamp_change before update on bills for each row execute function stamp_change_xid();

    create index bags_parent_changes on bags (area, change_xid, id) where type = 'parent';
    create index bills_changes on bills (change_xid, id);

    -- Per-device sync health: highest seq seen, pushes, and gaps for supervisors.
    alter table devices add column push_count bigint not null default 0;
    alter table devices add column last_push_at timestamptz;
    create table device_seq_gaps (
      id bigint generated always as identity primary key,
      device_id uuid not null references devices (id),
      from_seq bigint not null check (from_seq >= 1),
      to_seq bigint not null check (to_seq >= from_seq),
      detected_at timestamptz not null default now()
    );
    create index device_seq_gaps_device on device_seq_gaps (device_id, id desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists device_seq_gaps;
    alter table devices drop column if exists push_count, drop column if exists last_push_at;
    drop trigger if exists bags_stamp_change on bags;
    drop trigger if exists bills_stamp_change on bills;
    drop function if exists stamp_change_xid;
    alter table bags drop column if exists change_xid;
    alter table bills drop column if exists change_xid;
  `.execute(db);
}
