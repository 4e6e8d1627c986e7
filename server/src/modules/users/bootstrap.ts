import { passwordProblems } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { insertAudit } from '../audit/queries';
import { generateStrongPassword, hashPassword } from '../auth/passwords';
import { hasAnyAdmin, insertUser, lockFirstAdminBootstrap } from './queries';

/**
 * First start: when no admin exists, create `admin` with ADMIN_PASSWORD, or with a generated
 * password printed once. An advisory lock keeps several starting workers from racing.
 */
export async function ensureFirstAdmin(deps: Pick<Deps, 'db' | 'logger'>, adminPassword: string | undefined): Promise<void> {
  if (adminPassword !== undefined) {
    const problems = passwordProblems(adminPassword);
    if (problems.length) throw new Error(`ADMIN_PASSWORD is too weak: it needs ${problems.join(', ')}.`);
  }
  await deps.db.transaction().execute(async (tx) => {
    await lockFirstAdminBootstrap(tx);
    if (await hasAnyAdmin(tx)) return;
    const password = adminPassword ?? generateStrongPassword();
    const created = await insertUser(tx, { username: 'admin', email: 'admin@localhost', passwordHash: await hashPassword(password), role: 'admin', area: null });
    await insertAudit(tx, { actor: null, meta: { requestId: 'bootstrap', ip: null } }, {
      action: 'user.bootstrap_admin', entityType: 'user', entityId: created.id, after: { username: 'admin', role: 'admin' }, isPermanent: true,
    });
    if (adminPassword === undefined) {
      // Printed once, on purpose, to stdout: it is the only way to learn it.
      process.stdout.write(`\n  First start: created user "admin" with password: ${password}\n  Change it after signing in.\n\n`);
    } else {
      deps.logger.info('first start: created user "admin" from ADMIN_PASSWORD');
    }
  });
}
