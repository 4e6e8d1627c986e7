import type { Executor } from '../../infra/transaction';

/** Every dispatch area in its display order (ten rows: kept as data, read whole). */
export async function listAreas(db: Executor) {
  return db.selectFrom('dispatch_areas').select(['code', 'name']).orderBy('sort_order').orderBy('code').execute();
}
