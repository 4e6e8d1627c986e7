import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table dispatch_areas (
      code text primary key check (code ~ '^[a-z_]{2,40}$'),
      name text not null,
      sort_order int not null
    );
    insert into dispatch_areas (code, name, sort_order) values
      ('lucknow', 'Lucknow', 1), ('indore', 'Indore', 2), ('jaipur', 'Jaipur', 3), ('hisar', 'Hisar', 4),
      ('sri_ganganagar', 'Sri Ganganagar', 5), ('sangaria', 'Sangaria', 6), ('bathinda', 'Bathinda', 7),
      ('raipur', 'Raipur', 8), ('ranchi', 'Ranchi', 9), ('akola', 'Akola', 10);

    create type user_role as enum ('admin', 'biller', 'dispatcher');
    create table users (
      id bigint generated always as identity primary key,
      username text not null check (username ~ '^[A-Za-z0-9_]{3,20}$'),
      email text not null check (email = lower(email)),
      password_hash text not null,
      role user_role not null,
      area text references dispatch_areas (code),
      is_locked boolean not null default false,
      failed_logins int not null default 0 check (failed_logins >= 0),
      locked_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- a dispatcher has exactly one area; billers and admins have none
      constraint users_area_by_role check ((role = 'dispatcher') = (area is not null))
    );
    create unique index users_username_ci on users (lower(username));
    create unique index users_email_unique on users (email);
    create index users_role_area on users (role, area);

    create type bag_type as enum ('parent', 'child');
    create table bags (
      id bigint generated always as identity primary key,
      code text not null check (code = upper(code) and code ~ '^[A-Z0-9-]{4,20}$'),
      type bag_type not null,
      format text,
      capacity int,
      child_count int not null default 0,
      area text references dispatch_areas (code),
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint bags_code_unique unique (code),
      constraint bags_id_type unique (id, type),
      constraint bags_parent_shape check ((type = 'parent') = (format is not null and capacity is not null)),
      constraint bags_child_count_range check (child_count >= 0 and (capacity is null or child_count <= capacity)),
      constraint bags_children_hold_nothing check (type = 'parent' or child_count = 0)
    );
    create index bags_area_id on bags (area, id desc);
    create index bags_type_id on bags (type, id desc);
    create index bags_created_by_id on bags (created_by, id desc);
    create index bags_created_at on bags (created_at);

    -- a bag is a parent or a child forever, and its code never changes
    create function bags_identity_immutable() returns trigger language plpgsql as $$
    begin
      if new.type <> old.type or new.code <> old.code or new.format is distinct from old.format then
        raise exception 'bag type, code and format are immutable' using errcode = '23514';
      end if;
      return new;
    end $$;
    create trigger bags_identity_immutable before update on bags
      for each row execute function bags_identity_immutable();

    -- one parent per child: child_id is the primary key
    create table links (
      child_id bigint primary key,
      child_type bag_type not null default 'child' check (child_type = 'child'),
      parent_id bigint not null,
      parent_type bag_type not null default 'parent' check (parent_type = 'parent'),
      linked_by bigint references users (id),
      linked_at timestamptz not null default now(),
      foreign key (child_id, child_type) references bags (id, type),
      foreign key (parent_id, parent_type) references bags (id, type)
    );
    create index links_parent on links (parent_id, linked_at);

    create type bill_status as enum ('open', 'loading', 'completed');
    create table bills (
      id bigint generated always as identity primary key,
      bill_number text not null check (bill_number = upper(bill_number) and length(bill_number) between 3 and 50),
      capacity int not null check (capacity between 1 and 500),
      description text,
      destination text,
      vehicle_number text,
      status bill_status not null default 'open',
      parent_count int not null default 0,
      is_short boolean not null default false,
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      completed_at timestamptz,
      completed_by bigint references users (id),
      constraint bills_number_unique unique (bill_number),
      constraint bills_parent_count_range check (parent_count >= 0 and parent_count <= capacity),
      constraint bills_status_matches check ((status = 'open') = (parent_count = 0))
    );
    create index bills_status_id on bills (status, id desc);
    create index bills_created_by_id on bills (created_by, id desc);
    create index bills_created_at on bills (created_at);
    create index bills_number_pattern on bills (bill_number text_pattern_ops);

    -- one bill per parent: parent_id is the primary key
    create table bill_parents (
      parent_id bigint primary key,
      parent_type bag_type not null default 'parent' check (parent_type = 'parent'),
      bill_id bigint not null references bills (id),
      added_by bigint references users (id),
      added_at timestamptz not null default now(),
      foreign key (parent_id, parent_type) references bags (id, type)
    );
    create index bill_parents_bill on bill_parents (bill_id, added_at);

    create table devices (
      id uuid primary key,
      user_id bigint not null references users (id),
      label text,
      last_seq bigint not null default 0 check (last_seq >= 0),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz
    );
    create index devices_user on devices (user_id);

    create type event_status as enum ('applied', 'unchanged', 'rejected');
    -- every scan, online or synced, with its stored outcome; kept forever
    create table scan_events (
      id bigint generated always as identity primary key,
      mutation_id uuid not null,
      device_id uuid references devices (id),
      seq bigint check (seq >= 1),
      user_id bigint not null references users (id),
      name text not null,
      args jsonb not null,
      client_time timestamptz,
      server_time timestamptz not null default now(),
      status event_status not null,
      error_code text,
      message text not null,
      result jsonb,
      parent_id bigint,
      child_id bigint,
      bill_id bigint,
      constraint scan_events_mutation_unique unique (mutation_id)
    );
    create index scan_events_child on scan_events (child_id, id desc) where child_id is not null;
    create index scan_events_parent on scan_events (parent_id, id desc) where parent_id is not null;
    create index scan_events_bill on scan_events (bill_id, id desc) where bill_id is not null;
    create index scan_events_device_seq on scan_events (device_id, seq) where device_id is not null;
    create index scan_events_user on scan_events (user_id, id desc);

    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_id bigint references users (id),
      actor_username text,
      action text not null,
      entity_type text not null,
      entity_id text,
      before jsonb,
      after jsonb,
      request_id text,
      ip text,
      device_id uuid,
      seq bigint,
      -- deletions and role changes are kept forever; the rest 90 days
      is_permanent boolean not null default false
    );
    create index audit_log_entity on audit_log (entity_type, entity_id, id desc);
    create index audit_log_actor on audit_log (actor_id, id desc);
    create index audit_log_action on audit_log (action, id desc);
    create index audit_log_at on audit_log (at);

    -- Dashboard totals, maintained in the same transactions as the changes. Each (name, scope) is
    -- spread over a few shards so concurrent scanners do not queue on one hot row; a total is the
    -- sum of its shards (a single shard may go negative, the sum never does).
    create table counters (
      name text not null,
      scope text not null,
      shard smallint not null check (shard >= 0),
      value bigint not null default 0,
      primary key (name, scope, shard)
    );
    create table daily_counters (
      day date not null,
      name text not null,
      scope text not null,
      shard smallint not null check (shard >= 0),
      value bigint not null default 0,
      primary key (day, name, scope, shard)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists daily_counters, counters, audit_log, scan_events, devices, bill_parents, bills,
      links, bags, users, dispatch_areas cascade;
    drop function if exists bags_identity_immutable cascade;
    drop type if exists event_status, bill_status, bag_type, user_role;
  `.execute(db);
}
