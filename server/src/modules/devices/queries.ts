import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

export async function findDevice(db: Executor, id: string) {
  return db.selectFrom('devices').select(['id', 'user_id', 'label', 'last_seq']).where('id', '=', id).executeTakeFirst();
}

export async function upsertDevice(db: Executor, values: { id: string; userId: number; label: string | null }) {
  return db
    .insertInto('devices')
    .values({ id: values.id, user_id: values.userId, label: values.label, last_seen_at: new Date() })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        user_id: values.userId,
        label: sql`coalesce(${values.label}, devices.label)`,
        last_seen_at: new Date(),
      }),
    )
    .returning(['id', 'label', 'last_seq'])
    .executeTakeFirstOrThrow();
}

export async function recordPush(db: Executor, id: string, maxSeq: number, at: Date) {
  await db
    .updateTable('devices')
    .set({
      last_seq: sql`greatest(last_seq, ${maxSeq})`,
      push_count: sql`push_count + 1`,
      last_push_at: at,
      last_seen_at: at,
    })
    .where('id', '=', id)
    .execute();
}

export async function insertSeqGap(db: Executor, deviceId: string, fromSeq: number, toSeq: number) {
  await db.insertInto('device_seq_gaps').values({ device_id: deviceId, from_seq: fromSeq, to_seq: toSeq }).execute();
}
