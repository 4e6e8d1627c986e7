/**
 * `npm run seed -- --bags N [--seed S] [--reset] [--password P] [--database-url URL]`
 * Loads a realistic, deterministic dataset into an empty database (DATABASE_URL, or the embedded
 * Postgres the server uses: same DATA_DIR and EMBEDDED_PG_PORT).
 */
import { parseArgs } from 'node:util';
import { passwordProblem } from '@tracetrack/shared/common-passwords';
import pg from 'pg';
import { createDb } from './connection';
import { loadDatabaseEnv } from './env';
import { migrateToLatest } from './migrator';
import { openDatabase } from './open-database';
import { hashPassword } from './passwords';
import { seedDatabase } from './seed/index';

/** The documented development password of every seeded user (override with --password). */
export const DEFAULT_SEED_PASSWORD = 'Seed-Passw0rd!';

const { values } = parseArgs({
  options: {
    bags: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    reset: { type: 'boolean', default: false },
    password: { type: 'string', default: DEFAULT_SEED_PASSWORD },
    'database-url': { type: 'string' },
  },
});

const bags = Number(values.bags);
const seed = Number(values.seed);
if (!Number.isInteger(bags) || bags < 1) throw new Error('--bags must be a positive integer');
if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
// Every seeded username starts with `seed_`: a password without it contains none of them.
const problem = passwordProblem(values.password, 'seed_');
if (problem) throw new Error(`--password is refused: ${problem}`);

const env = loadDatabaseEnv();
const database = await openDatabase({ ...env, DATABASE_URL: values['database-url'] ?? env.DATABASE_URL }, (message, fields) =>
  console.log(message, fields ?? ''),
);
const url = database.url;

try {
  const { db } = createDb({ url, poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    console.log(`Seeding ${bags.toLocaleString('en')} bags (seed ${seed})…`);
    const summary = await seedDatabase(client, {
      bags, seed, reset: values.reset, passwordHash: await hashPassword(values.password), timeZone: env.TIME_ZONE, log: (m) => console.log(m),
    });
    console.log(`\nSeeded in ${(summary.ms / 1000).toFixed(1)} s:`);
    console.log(`  bags ${summary.bags} (parents ${summary.parents}, children ${summary.children}, links ${summary.links})`);
    console.log(`  bills ${JSON.stringify(summary.bills)} with ${summary.billParents} parents; scan events ${summary.events}`);
    console.log(`  users ${summary.users} (seed_admin1.., seed_biller01.., seed_<area>_d01..), devices ${summary.devices}`);
    console.log(`  every seeded user's password: ${values.password}`);
  } finally {
    await client.end();
  }
} finally {
  await database.stop();
}
