import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Return tickets (shared/RULES.md, returns): parent bags sent back from dealers to a C&F point
    -- (a dispatch area). ref is the id the device made, so scans queued offline can name a ticket
    -- before the server has seen it; number is the server's RTN-YYYYMMDD-XXXX.
    create type return_ticket_status as enum ('open', 'committed', 'cancelled');
    create table return_tickets (
      id bigint generated always as identity primary key,
      ref uuid not null,
      number text not null check (number ~ '^RTN-[0-9]{8}-[0-9A-F]{4}$'),
      area text not null references dispatch_areas (code),
      notes text check (length(notes) <= 500),
      status return_ticket_status not null default 'open',
      parent_count int not null default 0 check (parent_count >= 0),
      child_count int not null default 0 check (child_count >= 0),
      weight_kg numeric(12, 3) not null default 0 check (weight_kg >= 0),
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- who finalised (committed) or cancelled it, and when
      closed_by bigint references users (id),
      closed_at timestamptz,
      constraint return_tickets_ref_unique unique (ref),
      constraint return_tickets_number_unique unique (number),
      constraint return_tickets_closed_shape check ((status = 'open') = (closed_at is null)),
      constraint return_tickets_committed_has_bags check (status <> 'committed' or parent_count > 0)
    );
    -- The list's filters, newest first (keyset on id).
    create index return_tickets_id on return_tickets (id desc);
    create index return_tickets_status_id on return_tickets (status, id desc);
    create index return_tickets_area_id on return_tickets (area, id desc);
    create index return_tickets_created_at on return_tickets (created_at);

    -- The bags of a ticket, as they were when they came back. parent_code and bill_number are kept
    -- so the record stays readable if an admin later deletes the bag or the bill.
    create table return_ticket_bags (
      id bigint generated always as identity primary key,
      ticket_id bigint not null references return_tickets (id),
      parent_id bigint references bags (id) on delete set null,
      parent_code text not null,
      format text not null,
      child_count int not null check (child_count >= 0),
      weight_kg numeric(12, 3) not null check (weight_kg >= 0),
      bill_id bigint references bills (id) on delete set null,
      bill_number text not null,
      returned_by bigint references users (id),
      returned_at timestamptz not null default now(),
      constraint return_ticket_bags_once unique (ticket_id, parent_code)
    );
    create index return_ticket_bags_ticket on return_ticket_bags (ticket_id, id desc);
    -- "Is this parent on another open ticket?" under the parent's row lock; also what deleting a
    -- bag or a bill looks up to set these references null.
    create index return_ticket_bags_parent on return_ticket_bags (parent_id) where parent_id is not null;
    create index return_ticket_bags_bill on return_ticket_bags (bill_id) where bill_id is not null;

    -- What a bill held before and after each return: the one change to a completed bill, recorded.
    create table bill_return_events (
      id bigint generated always as identity primary key,
      bill_id bigint references bills (id) on delete set null,
      bill_number text not null,
      ticket_id bigint not null references return_tickets (id),
      parent_id bigint references bags (id) on delete set null,
      parent_code text not null,
      parents_before int not null,
      parents_after int not null,
      children_before int not null,
      children_after int not null,
      weight_before_kg numeric(12, 3) not null,
      weight_after_kg numeric(12, 3) not null,
      returned_by bigint references users (id),
      returned_at timestamptz not null default now()
    );
    create index bill_return_events_bill on bill_return_events (bill_id, id desc) where bill_id is not null;
    create index bill_return_events_parent on bill_return_events (parent_id) where parent_id is not null;
    create index bill_return_events_ticket on bill_return_events (ticket_id);
    -- The end-of-day summary counts a day's returns.
    create index bill_return_events_returned_at on bill_return_events (returned_at);

    -- A completed bill whose every parent came back keeps its status (the truck left with it):
    -- open still means no parents and loading at least one; completed may hold none.
    alter table bills drop constraint bills_status_matches;
    alter table bills add constraint bills_status_matches check (
      (status = 'open' and parent_count = 0) or (status = 'loading' and parent_count > 0) or status = 'completed');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table bills drop constraint bills_status_matches;
    alter table bills add constraint bills_status_matches check ((status = 'open') = (parent_count = 0));
    drop table if exists bill_return_events;
    drop table if exists return_ticket_bags;
    drop table if exists return_tickets;
    drop type if exists return_ticket_status;
  `.execute(db);
}
