import { sql } from 'kysely';
import type { Executor, Tx } from '../../infra/transaction';

/** Serialises reservations of one kind (a parent format, or child codes) for the transaction. */
export async function lockReservations(tx: Tx, key: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`tracetrack:labels:${key}`}))`.execute(tx);
}

/**
 * The highest parent code of a format in use, as a number. Every code of a format has the same
 * shape (prefix + 5 digits), so text order is number order and the unique code index answers it
 * backwards from the top of the format's range.
 */
export async function highestParentNumber(db: Executor, format: string, lowest: string, highest: string, digitsFrom: number): Promise<number> {
  const row = await db
    .selectFrom('bags')
    .select('code')
    .where('code', '>=', lowest)
    .where('code', '<=', highest)
    .where('type', '=', 'parent')
    .where('format', '=', format)
    .orderBy('code', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.code.slice(digitsFrom)) : 0;
}

export async function highestReservedNumber(db: Executor, format: string): Promise<number> {
  const row = await db
    .selectFrom('label_reservations')
    .select('last_number')
    .where('kind', '=', 'parent')
    .where('format', '=', format)
    .orderBy('last_number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.last_number ?? 0;
}

/** Which of these codes are bags already (at most `limit` of them, to name in a refusal). */
export async function existingBagCodes(db: Executor, codes: readonly string[], limit: number): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await db.selectFrom('bags').select('code').where('code', 'in', codes).orderBy('code').limit(limit).execute();
  return rows.map((r) => r.code);
}

export async function reservedCodes(db: Executor, codes: readonly string[], limit: number): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await db.selectFrom('label_codes').select('code').where('code', 'in', codes).orderBy('code').limit(limit).execute();
  return rows.map((r) => r.code);
}

export async function insertReservation(
  tx: Tx,
  values: { kind: 'parent' | 'child'; format: string | null; firstNumber: number | null; lastNumber: number | null; codes: readonly string[]; createdBy: number },
) {
  const row = await tx
    .insertInto('label_reservations')
    .values({
      kind: values.kind,
      format: values.format,
      first_number: values.firstNumber,
      last_number: values.lastNumber,
      first_code: values.codes[0]!,
      last_code: values.codes.at(-1)!,
      code_count: values.codes.length,
      created_by: values.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    insert into label_codes (code, reservation_id, position)
    select c.code, ${row.id}::bigint, c.position - 1 from unnest(${values.codes}::text[]) with ordinality as c(code, position)`.execute(tx);
  return row.id;
}

function reservationView(db: Executor) {
  return db
    .selectFrom('label_reservations as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .select(['r.id', 'r.kind', 'r.format', 'r.first_code', 'r.last_code', 'r.code_count', 'r.created_at', 'u.username as created_by_username']);
}
export type ReservationRow = Awaited<ReturnType<typeof findReservation>> & {};

export async function findReservation(db: Executor, id: number) {
  return reservationView(db).where('r.id', '=', id).executeTakeFirst();
}

/** Newest first, keyset on id; one extra row tells whether another page follows. */
export async function listReservations(db: Executor, beforeId: number | null, limit: number) {
  let q = reservationView(db).orderBy('r.id', 'desc').limit(limit + 1);
  if (beforeId !== null) q = q.where('r.id', '<', beforeId);
  return q.execute();
}

export async function codesOfReservation(db: Executor, id: number): Promise<string[]> {
  const rows = await db.selectFrom('label_codes').select('code').where('reservation_id', '=', id).orderBy('position').execute();
  return rows.map((r) => r.code);
}
