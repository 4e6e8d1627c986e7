import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

/**
 * The audit log's filters as columns: the usernames, bag codes and bill numbers people type are
 * resolved to ids first (resolveAuditFilter), so the planner sees real values and picks the index
 * that fits (a rare actor's index, or the time index for a busy one).
 */
export interface AuditLogFilter {
  actorId?: number | undefined;
  /** An exact action (`auth.login`) or a group ending in a dot (`auth.`). */
  action?: string | undefined;
  entityType?: string | undefined;
  /** The id as the rows store it. */
  entityId?: string | undefined;
  from?: string | Date | undefined;
  to?: string | Date | undefined;
}

/** The filters as people give them (see auditFiltersSchema), keys already normalised by the caller. */
export interface AuditFilterInput {
  actor?: string | undefined;
  action?: string | undefined;
  entityType?: string | undefined;
  /** What people call the entity: bag code, bill number, username; for other types, the stored id. */
  entityKey?: string | undefined;
  entityId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The id an entity key stands for (each by its unique index); null when there is no such entity. */
async function entityIdOfKey(db: Executor, type: string, key: string): Promise<string | null> {
  const row = await (type === 'bag'
    ? db.selectFrom('bags').select('id').where('code', '=', key).executeTakeFirst()
    : type === 'bill'
      ? db.selectFrom('bills').select('id').where('bill_number', '=', key).executeTakeFirst()
      : type === 'user'
        ? db.selectFrom('users').select('id').where(sql<string>`lower(username)`, '=', key.toLowerCase()).executeTakeFirst()
        : Promise.resolve({ id: key }));
  return row ? String(row.id) : null;
}

/**
 * Turns the filters people give into column filters; null when they name an actor or entity that
 * does not exist (nothing can match). Both entity key and entity id must agree when both are given.
 */
export async function resolveAuditFilter(db: Executor, input: AuditFilterInput): Promise<AuditLogFilter | null> {
  const filter: AuditLogFilter = { action: input.action, entityType: input.entityType, from: input.from, to: input.to };
  if (input.actor !== undefined) {
    const actor = await db.selectFrom('users').select('id').where(sql<string>`lower(username)`, '=', input.actor.toLowerCase()).executeTakeFirst();
    if (!actor) return null;
    filter.actorId = actor.id;
  }
  if (input.entityType !== undefined && input.entityKey !== undefined) {
    const id = await entityIdOfKey(db, input.entityType, input.entityKey);
    if (id === null || (input.entityId !== undefined && input.entityId !== id)) return null;
    filter.entityId = id;
  } else if (input.entityType !== undefined) {
    filter.entityId = input.entityId;
  }
  return filter;
}

/** Where a newest-first walk has got to: the last row's time (µs since epoch) and id. */
export interface AuditPosition {
  micros: string;
  id: number;
}

/**
 * The filtered audit log, newest first ((at, id) descending), with the columns the API shows.
 * Each filter has an index ending in (at, id) (migration 0008), so a page, with or without a
 * time range, is an index range scan. Exports stream this same query.
 */
export function selectAuditLog(db: Executor, filter: AuditLogFilter) {
  let query = db
    .selectFrom('audit_log as a')
    .select([
      'a.id', 'a.at', 'a.actor_id', 'a.actor_username', 'a.action', 'a.entity_type', 'a.entity_id', 'a.before', 'a.after',
      'a.request_id', 'a.ip', 'a.device_id', 'a.seq',
      sql<string>`(extract(epoch from a.at) * 1000000)::bigint::text`.as('micros'),
    ])
    .orderBy('a.at', 'desc')
    .orderBy('a.id', 'desc');
  if (filter.actorId !== undefined) query = query.where('a.actor_id', '=', filter.actorId);
  if (filter.action !== undefined) {
    query = filter.action.endsWith('.')
      ? query.where(sql<boolean>`split_part(a.action, '.', 1) = ${filter.action.slice(0, -1)}`)
      : query.where('a.action', '=', filter.action);
  }
  if (filter.entityType !== undefined) {
    query = query.where('a.entity_type', '=', filter.entityType);
    if (filter.entityId !== undefined) query = query.where('a.entity_id', '=', filter.entityId);
  }
  if (filter.from !== undefined) query = query.where('a.at', '>=', new Date(filter.from));
  if (filter.to !== undefined) query = query.where('a.at', '<', new Date(filter.to));
  return query;
}
export type AuditLogRow = Awaited<ReturnType<ReturnType<typeof selectAuditLog>['execute']>>[number];

/** One page after `after`; one extra row tells whether another page follows. */
export async function listAuditLog(db: Executor, filter: AuditLogFilter, after: AuditPosition | null, limit: number) {
  let query = selectAuditLog(db, filter).limit(limit + 1);
  if (after) {
    query = query.where(sql<boolean>`(a.at, a.id) < (timestamptz 'epoch' + ${after.micros}::bigint * interval '1 microsecond', ${after.id}::bigint)`);
  }
  return query.execute();
}

/** Names people know for the entities of a page: bag codes, bill numbers, usernames, device labels. */
export async function entityLabels(db: Executor, refs: { type: string; id: string }[]): Promise<Map<string, string>> {
  const idsOf = (type: string) => [...new Set(refs.filter((r) => r.type === type && /^\d{1,18}$/.test(r.id)).map((r) => r.id))];
  const deviceIds = [...new Set(refs.filter((r) => r.type === 'device' && /^[0-9a-f-]{36}$/.test(r.id)).map((r) => r.id))];
  const [bags, bills, users, devices] = await Promise.all([
    idsOf('bag').length ? db.selectFrom('bags').select(['id', 'code as label']).where('id', 'in', idsOf('bag').map(Number)).execute() : [],
    idsOf('bill').length ? db.selectFrom('bills').select(['id', 'bill_number as label']).where('id', 'in', idsOf('bill').map(Number)).execute() : [],
    idsOf('user').length ? db.selectFrom('users').select(['id', 'username as label']).where('id', 'in', idsOf('user').map(Number)).execute() : [],
    deviceIds.length ? db.selectFrom('devices').select(['id', 'label']).where('id', 'in', deviceIds).execute() : [],
  ]);
  const labels = new Map<string, string>();
  for (const [type, rows] of [['bag', bags], ['bill', bills], ['user', users], ['device', devices]] as const) {
    for (const r of rows) if (r.label !== null) labels.set(`${type}:${r.id}`, r.label);
  }
  return labels;
}
