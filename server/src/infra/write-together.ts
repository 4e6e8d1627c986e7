import { type RawBuilder, sql } from 'kysely';
import type { Executor } from './transaction';

/**
 * Runs independent writes (INSERT/UPSERT/UPDATE statements on different tables) as one statement
 * of data-modifying CTEs: one round trip instead of one each. They see the same snapshot, none
 * reads what another writes, and Postgres promises no order among them, so only writes that do
 * not depend on each other belong here. Empty parts (null) are left out.
 */
export async function writeTogether(db: Executor, parts: (RawBuilder<unknown> | null)[]): Promise<void> {
  const writes = parts.filter((p): p is RawBuilder<unknown> => p !== null);
  const last = writes.pop();
  if (!last) return;
  if (writes.length === 0) {
    await last.execute(db);
    return;
  }
  const ctes = sql.join(writes.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`));
  await sql`with ${ctes} ${last}`.execute(db);
}
