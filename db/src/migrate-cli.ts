/**
 * `npm run db:migrate`: brings the database to the latest migration and says which ran. The
 * database is DATABASE_URL, or the embedded Postgres the server would use when it is unset (same
 * DATA_DIR and EMBEDDED_PG_PORT). The server also migrates at start-up; this is for deploys and
 * for looking at an empty database before the first start.
 */
import { createDb } from './connection';
import { loadDatabaseEnv } from './env';
import { migrateToLatest } from './migrator';
import { openDatabase } from './open-database';

const database = await openDatabase(loadDatabaseEnv(), (message, fields) => console.log(message, fields ?? ''));
try {
  const { db } = createDb({ url: database.url, poolSize: 1 });
  try {
    const ran = await migrateToLatest(db);
    console.log(ran.length ? `Migrated: ${ran.join(', ')}` : 'The database is already at the latest migration.');
  } finally {
    await db.destroy();
  }
} catch (e) {
  console.error(`Migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await database.stop();
}
