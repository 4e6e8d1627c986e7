import type { Db } from '@tracetrack/db';
import type { Role } from '@tracetrack/shared';
import { hashPassword } from '@tracetrack/db';
import type { Actor } from '../../server/src/modules/actor';

/** Meets the password rule (12–128 characters, not common, not containing a username). */
export const TEST_PASSWORD = 'Sturdy-Harbour-Lantern-42';
let counter = 0;
let cachedHash: Promise<string> | null = null;

/** Inserts a user directly (hashing is slow; one hash of TEST_PASSWORD is shared). */
export async function createUser(
  db: Db,
  opts: { role: Role; area?: string | null; username?: string; email?: string } ,
): Promise<Actor> {
  counter += 1;
  const username = opts.username ?? `${opts.role.slice(0, 4)}_${process.pid % 10000}_${counter}`;
  const area = opts.role === 'dispatcher' ? (opts.area ?? 'lucknow') : null;
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const row = await db
    .insertInto('users')
    .values({ username, email: opts.email ?? `${username.toLowerCase()}@example.test`, password_hash: await cachedHash, role: opts.role, area })
    .returning(['id', 'username', 'role', 'area'])
    .executeTakeFirstOrThrow();
  return { id: row.id, username: row.username, role: row.role, area: row.area, pendingSetup: null };
}

/** One user of each role (dispatcher in lucknow) for role-matrix style tests. */
export async function createStaff(db: Db) {
  return {
    admin: await createUser(db, { role: 'admin' }),
    biller: await createUser(db, { role: 'biller' }),
    dispatcher: await createUser(db, { role: 'dispatcher', area: 'lucknow' }),
  };
}
