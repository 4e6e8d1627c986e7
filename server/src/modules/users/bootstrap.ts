import { generateStrongPassword, hashPassword, passwordProblemOf } from '@tracetrack/db';
import type { Deps } from '../../deps';
import type { Env } from '../../env';
import { insertAudit } from '../audit/queries';
import { hasAnyAdmin, insertUser, lockFirstAdminBootstrap } from './queries';

export interface FirstAdmin {
  username: string;
  email: string | null;
  /** Unset: a strong one is generated and printed once (and must be changed at the first sign-in). */
  password: string | undefined;
}

export const firstAdminOf = (env: Pick<Env, 'ADMIN_USERNAME' | 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>): FirstAdmin => ({
  username: env.ADMIN_USERNAME,
  email: env.ADMIN_EMAIL ?? null,
  password: env.ADMIN_PASSWORD,
});

/**
 * First start: when no admin exists, create one (ADMIN_USERNAME, ADMIN_EMAIL) with ADMIN_PASSWORD,
 * or with a generated password printed once. An advisory lock keeps several starting workers from
 * racing. ADMIN_PASSWORD meets the same password rule as every other password.
 */
export async function ensureFirstAdmin(deps: Pick<Deps, 'db' | 'logger'>, first: FirstAdmin): Promise<void> {
  if (first.password !== undefined) {
    const problem = await passwordProblemOf(first.password, first.username);
    if (problem) throw new Error(`ADMIN_PASSWORD is refused: ${problem}`);
  }
  await deps.db.transaction().execute(async (tx) => {
    await lockFirstAdminBootstrap(tx);
    if (await hasAnyAdmin(tx)) return;
    const password = first.password ?? (await generateStrongPassword(first.username));
    const created = await insertUser(tx, {
      username: first.username, email: first.email, passwordHash: await hashPassword(password), role: 'admin', area: null,
      // A printed password has been seen by whoever reads the logs.
      mustChangePassword: first.password === undefined,
    });
    await insertAudit(tx, { actor: null, meta: { requestId: 'bootstrap', ip: null } }, {
      action: 'user.bootstrap_admin', entityType: 'user', entityId: created.id, after: { username: created.username, role: 'admin' }, isPermanent: true,
    });
    if (first.password === undefined) {
      // Printed once, on purpose, to stdout: it is the only way to learn it.
      process.stdout.write(`\n  First start: created admin "${created.username}" with password: ${password}\n  You will be asked to change it at the first sign-in.\n\n`);
    } else {
      deps.logger.info('first start: created the first admin from ADMIN_PASSWORD', { username: created.username });
    }
  });
}
