import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- What the handheld says is still waiting on it (its outbox), reported with each push and when
    -- it comes back online: scans stuck on a device never reach scan_events, so only the device
    -- can tell. last_pull_at: the device health screen shows pulls beside pushes.
    alter table devices
      add column last_pull_at timestamptz,
      add column outbox_depth integer check (outbox_depth >= 0),
      add column outbox_oldest_at timestamptz,
      add column outbox_reported_at timestamptz;

    -- Refusals in the last day per device (device health): refusals are a small share of the
    -- events, so this partial index stays small where a scan of a device's events would not.
    create index scan_events_device_refusals on scan_events (device_id, server_time) where status = 'rejected' and device_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists scan_events_device_refusals;
    alter table devices
      drop column if exists outbox_reported_at,
      drop column if exists outbox_oldest_at,
      drop column if exists outbox_depth,
      drop column if exists last_pull_at;
  `.execute(db);
}
