import { type RawBuilder, sql } from 'kysely';
import type { Executor } from './transaction';

/**
 * Runs independent writes (INSERT/UPSERT statements on different tables) as one statement of
 * data-modifying CTEs: one round trip instead of one each. They see the same snapshot and none
 * reads what another writes, which is what makes them independent; they run in the given order.
 * Empty parts (null) are left out.
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
