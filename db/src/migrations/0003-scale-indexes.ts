import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A new handheld's first sync.pull pages through its area's non-full parents. At 2M bags an
    -- area holds ~8k parents of which a few hundred are not full; walking them all through
    -- bags_parent_changes touched one heap page per parent (~70 ms cold). Non-full parents only.
    create index bags_open_parent_changes on bags (area, change_xid, id) where type = 'parent' and child_count < capacity;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists bags_open_parent_changes`.execute(db);
}
