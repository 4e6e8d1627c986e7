import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The billers' sync.pull feed sends each open or loading bill with its parents' child counts,
    -- and a bill is sent again only when its row's change_xid moves. A link or unlink changes a
    -- parent, not its bill, so without this the counts on a device (and the weights of an offline
    -- bill page) would stay as they were when the bill last changed. A trigger, not a line in the
    -- scan code, so no path that changes a parent's count can forget it. Completed bills are out
    -- of the feed and locked against unlinks, so they are left alone.
    create function touch_bill_of_parent() returns trigger language plpgsql as $$
    begin
      update bills set change_xid = pg_current_xact_id()
      where id = (select bill_id from bill_parents where parent_id = new.id) and status <> 'completed';
      return null;
    end $$;
    create trigger bags_parent_count_moves_bill after update of child_count on bags
      for each row when (new.type = 'parent' and old.child_count is distinct from new.child_count)
      execute function touch_bill_of_parent();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger if exists bags_parent_count_moves_bill on bags;
    drop function if exists touch_bill_of_parent;
  `.execute(db);
}
