import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A biller or dispatcher asks for another role; an admin approves (the role changes through the
    -- user-update rules) or declines. One pending request per user, enforced by the partial index.
    create type promotion_status as enum ('pending', 'approved', 'declined');
    create table promotion_requests (
      id bigint generated always as identity primary key,
      user_id bigint not null references users (id),
      role user_role not null,
      -- the area asked for with the dispatcher role (an admin may set it when approving)
      area text references dispatch_areas (code),
      reason text not null check (length(reason) between 1 and 500),
      status promotion_status not null default 'pending',
      created_at timestamptz not null default now(),
      decided_at timestamptz,
      decided_by bigint references users (id),
      constraint promotion_requests_decided check ((status = 'pending') = (decided_at is null))
    );
    create unique index promotion_requests_one_pending on promotion_requests (user_id) where status = 'pending';
    -- The admins' queue: pending first, newest first, as one keyset order.
    create index promotion_requests_queue on promotion_requests ((status <> 'pending'), id desc);
    create index promotion_requests_status on promotion_requests (status, id desc);
    create index promotion_requests_user on promotion_requests (user_id, id desc);

    -- The audit viewer lists newest first by (at, id) with one filter at a time (actor, action,
    -- action group, entity) and an optional time range: each filter gets an index that ends in
    -- (at, id), so a filtered page with a range is one index range scan at millions of rows. They
    -- replace the (…, id desc) indexes, which could not serve a time range. (at, id) also serves
    -- the retention purge (at < cutoff, oldest first).
    drop index audit_log_entity;
    drop index audit_log_actor;
    drop index audit_log_action;
    drop index audit_log_at;
    create index audit_log_at_id on audit_log (at, id);
    create index audit_log_actor_at on audit_log (actor_id, at, id);
    create index audit_log_action_at on audit_log (action, at, id);
    -- An action group ('auth.' → 'auth') as its own key, so a group filter is an equality, not a
    -- LIKE range that would have to sort.
    create index audit_log_action_group_at on audit_log ((split_part(action, '.', 1)), at, id);
    create index audit_log_entity_at on audit_log (entity_type, entity_id, at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists audit_log_entity_at;
    drop index if exists audit_log_action_group_at;
    drop index if exists audit_log_action_at;
    drop index if exists audit_log_actor_at;
    drop index if exists audit_log_at_id;
    create index if not exists audit_log_entity on audit_log (entity_type, entity_id, id desc);
    create index if not exists audit_log_actor on audit_log (actor_id, id desc);
    create index if not exists audit_log_action on audit_log (action, id desc);
    create index if not exists audit_log_at on audit_log (at);
    drop table if exists promotion_requests;
    drop type if exists promotion_status;
  `.execute(db);
}
