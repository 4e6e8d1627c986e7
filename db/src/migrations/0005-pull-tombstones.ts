import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Removals for sync.pull. A row that leaves a feed but still exists (a parent gets full, a bill
    -- is completed) moves its change_xid and is sent as an inactive change of itself. A deleted row,
    -- or a parent that moves to another area, leaves nothing in the old feed to send, so a trigger
    -- writes a tombstone in the same transaction, stamped with its xid like the rows. Tombstones are
    -- pruned after 30 days; pruned_through tells a pull whether a cursor may have missed one.
    create table sync_tombstones (
      id bigint generated always as identity primary key,
      change_xid xid8 not null default pg_current_xact_id(),
      removed_at timestamptz not null default now(),
      feed text not null check (feed in ('parents', 'bills')),
      -- parents: the area whose feed the parent left; bills: null
      area text,
      -- the parent code or the bill number
      key text not null,
      -- the row's last state, in the feed's camelCase fields, so a removal still describes it
      last_state jsonb not null
    );
    create index sync_tombstones_feed on sync_tombstones (feed, area, change_xid, id);
    create index sync_tombstones_removed_at on sync_tombstones (removed_at);

    create table sync_tombstone_horizon (
      only_row boolean primary key default true check (only_row),
      pruned_through xid8 not null
    );
    insert into sync_tombstone_horizon (pruned_through) values ('0');

    -- Parents only (children are never rows of a feed), and only ones in an area: a parent with no
    -- area is in no dispatcher's feed.
    create function record_parent_tombstone() returns trigger language plpgsql as $$
    declare
      last bags;
    begin
      last := case when tg_op = 'DELETE' then old else new end;
      insert into sync_tombstones (feed, area, key, last_state)
      values ('parents', old.area, old.code, jsonb_build_object(
        'format', last.format, 'capacity', last.capacity, 'childCount', last.child_count, 'area', last.area));
      return null;
    end $$;
    create trigger bags_parent_deleted after delete on bags
      for each row when (old.type = 'parent' and old.area is not null) execute function record_parent_tombstone();
    create trigger bags_parent_moved after update of area on bags
      for each row when (old.type = 'parent' and old.area is not null and old.area is distinct from new.area)
      execute function record_parent_tombstone();

    create function record_bill_tombstone() returns trigger language plpgsql as $$
    begin
      insert into sync_tombstones (feed, area, key, last_state)
      values ('bills', null, old.bill_number, jsonb_build_object(
        'capacity', old.capacity, 'status', old.status, 'parentCount', old.parent_count));
      return null;
    end $$;
    create trigger bills_deleted after delete on bills for each row execute function record_bill_tombstone();

    -- Parents that age out of a dispatcher's 48-hour window change nothing, so a pull finds them by
    -- time. Full parents already left the feed when they filled up: non-full ones only.
    create index bags_open_parent_age on bags (area, updated_at, id) where type = 'parent' and child_count < capacity;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists bags_open_parent_age;
    drop trigger if exists bills_deleted on bills;
    drop trigger if exists bags_parent_moved on bags;
    drop trigger if exists bags_parent_deleted on bags;
    drop function if exists record_bill_tombstone;
    drop function if exists record_parent_tombstone;
    drop table if exists sync_tombstone_horizon;
    drop table if exists sync_tombstones;
  `.execute(db);
}
