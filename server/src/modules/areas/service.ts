import type { Area } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import * as q from './queries';

/** Areas are not secret: every signed-in role needs their names to read lists and bags. */
export async function listAreas(deps: Pick<Deps, 'db'>): Promise<Area[]> {
  const rows = await q.listAreas(deps.db);
  return rows.map((r) => ({ code: r.code, name: r.name }));
}
