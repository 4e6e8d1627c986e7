import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from './migrations/index';

/**
 * The one migrator: start-up, tests and deploy all call this. An advisory lock lets several
 * server processes start at once; Kysely's own lock table guards the rest. Numbers are handed
 * out to work in progress ahead of time, so a lower number may land after a higher one: a
 * database that ran 0012 still runs 0011 when it arrives (allowUnorderedMigrations).
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function databaseIsReachable(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
