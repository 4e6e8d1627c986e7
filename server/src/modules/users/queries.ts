import type { Executor } from '../../infra/transaction';
import type { Actor } from '../../trpc/context';

export async function findActorById(db: Executor, id: number): Promise<Actor | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'area', 'is_locked'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || row.is_locked) return null;
  return { id: row.id, username: row.username, role: row.role, area: row.area };
}
