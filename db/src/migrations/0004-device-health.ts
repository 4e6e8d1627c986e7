import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- device.list showed each device's refusals by counting its scan_events: at tens of millions
    -- of events that is a scan per device per page. The count is kept on the device instead, in
    -- the same transaction that stores the outcomes, and backfilled here from the stored events.
    alter table devices add column rejected_count bigint not null default 0 check (rejected_count >= 0);
    update devices d set rejected_count = r.n
    from (select device_id, count(*) as n from scan_events where device_id is not null and status = 'rejected' group by device_id) r
    where r.device_id = d.id;

    -- A gap is open while its seqs have never reached the server. A late push that fills part of
    -- it splits the row: the filled part keeps its detection time and gets filled_at.
    alter table device_seq_gaps add column filled_at timestamptz;
    create index device_seq_gaps_open on device_seq_gaps (device_id, from_seq) where filled_at is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists device_seq_gaps_open;
    alter table device_seq_gaps drop column if exists filled_at;
    alter table devices drop column if exists rejected_count;
  `.execute(db);
}
