import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
  deviceId?: string | null;
  seq?: number | null;
  /** Deletions and role changes are kept forever; everything else 90 days. */
  isPermanent?: boolean;
}

export interface AuditSource {
  actor: Pick<Actor, 'id' | 'username'> | null;
  meta: Pick<RequestMeta, 'requestId' | 'ip'>;
}

export async function insertAudit(db: Executor, source: AuditSource, entry: AuditEntry): Promise<void> {
  await auditsInsert(source, [entry])?.execute(db);
}

/**
 * Audit rows as one statement (to run alone or with other writes, see writeTogether): one array
 * parameter per column, the actor and request being the same for every row, so a scan batch's
 * 200 changes are not 2,600 parameters to compile, parse and plan.
 */
export function auditsInsert(source: AuditSource, entries: AuditEntry[]): RawBuilder<unknown> | null {
  if (entries.length === 0) return null;
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return sql`
    insert into audit_log (actor_id, actor_username, request_id, ip, action, entity_type, entity_id, before, after, device_id, seq, is_permanent)
    select ${source.actor?.id ?? null}::bigint, ${source.actor?.username ?? null}::text, ${source.meta.requestId}::text, ${source.meta.ip}::text, v.*
    from unnest(${entries.map((e) => e.action)}::text[], ${entries.map((e) => e.entityType)}::text[],
                ${entries.map((e) => (e.entityId === null ? null : String(e.entityId)))}::text[],
                ${entries.map((e) => json(e.before))}::jsonb[], ${entries.map((e) => json(e.after))}::jsonb[],
                ${entries.map((e) => e.deviceId ?? null)}::uuid[], ${entries.map((e) => e.seq ?? null)}::bigint[],
                ${entries.map((e) => e.isPermanent ?? false)}::boolean[]) as v`;
}

/** One batch of expired audit rows (not the permanent ones), oldest first; returns how many went. */
export async function deleteAuditBefore(db: Executor, cutoff: Date, limit: number): Promise<number> {
  const res = await sql`
    delete from audit_log where id in (
      select id from audit_log where at < ${cutoff} and not is_permanent order by at limit ${limit})`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
