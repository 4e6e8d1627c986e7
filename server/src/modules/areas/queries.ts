import type { Executor } from '../../infra/transaction';

/** Every dispatch area in its display order (ten rows: kept as data, read whole). */
export async function listAreas(db: Executor) {
  return db.selectFrom('dispatch_areas').select(['code', 'name']).orderBy('sort_order').orderBy('code').execute();
}

/** Whether the area exists (the foreign key would refuse an unknown one less clearly). */
export async function areaExists(db: Executor, code: string): Promise<boolean> {
  return (await db.selectFrom('dispatch_areas').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}
