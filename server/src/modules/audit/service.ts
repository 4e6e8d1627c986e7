import { type AuditListInput, type AuditLogEntry, normalizeCode } from '@tracetrack/shared';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { decodeCursor, encodeCursor, keysetPage } from '../../infra/keyset-cursor';
import { type AuditFilterInput, type AuditLogRow, type AuditPosition, entityLabels, listAuditLog, resolveAuditFilter } from './list-queries';

/** Bag codes and bill numbers are stored normalised; people type them any way. */
export function toAuditFilterInput(filters: AuditListInput['filters']): AuditFilterInput {
  const { entityKey, entityType } = filters;
  const isCodeLike = entityType === 'bag' || entityType === 'bill';
  return { ...filters, entityKey: entityKey !== undefined && isCodeLike ? normalizeCode(entityKey) : entityKey };
}

const SECRET_KEY = /password|secret|token|hash|recovery|otp/i;

/**
 * Snapshots are written without secrets; this drops any key that names one again on the way out,
 * so a future writer's slip never reaches a screen or an export.
 */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => !SECRET_KEY.test(k) || typeof v === 'boolean' || typeof v === 'number')
        .map(([k, v]) => [k, withoutSecrets(v)]),
    );
  }
  return value;
}

/** A deleted bag or bill is no longer there to name it: its last snapshot still does. */
function labelFromSnapshots(row: AuditLogRow): string | null {
  for (const snapshot of [row.before, row.after]) {
    if (!snapshot || typeof snapshot !== 'object') continue;
    const s = snapshot as Record<string, unknown>;
    for (const key of ['code', 'billNumber', 'username', 'label']) if (typeof s[key] === 'string') return s[key] as string;
  }
  return null;
}

export function toAuditLogEntry(row: AuditLogRow, labels: Map<string, string>): AuditLogEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actor_id,
    actor: row.actor_username,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    entityLabel: (row.entity_id !== null ? labels.get(`${row.entity_type}:${row.entity_id}`) : undefined) ?? labelFromSnapshots(row),
    before: withoutSecrets(row.before ?? null),
    after: withoutSecrets(row.after ?? null),
    requestId: row.request_id,
    ip: row.ip,
    deviceId: row.device_id,
    seq: row.seq,
  };
}

/** Microseconds since the epoch as text: Postgres keeps µs, a JS Date only ms. */
const cursorShape: z.ZodType<AuditPosition> = z.object({ micros: z.string().regex(/^-?\d{1,18}$/), id: z.number().int().positive() });

/** Admins: the audit log, newest first, filtered; rows carry a readable name for their entity. */
export async function listAudit(deps: Pick<Deps, 'db'>, input: AuditListInput): Promise<{ items: AuditLogEntry[]; nextCursor: string | null }> {
  const after = decodeCursor(cursorShape, input.cursor);
  const filter = await resolveAuditFilter(deps.db, toAuditFilterInput(input.filters));
  if (!filter) return { items: [], nextCursor: null };
  const rows = await listAuditLog(deps.db, filter, after, input.limit);
  const { page, nextCursor } = keysetPage(rows, input.limit, (last) => encodeCursor({ micros: last.micros, id: last.id }));
  const labels = await entityLabels(deps.db, page.flatMap((r) => (r.entity_id === null ? [] : [{ type: r.entity_type, id: r.entity_id }])));
  return { items: page.map((r) => toAuditLogEntry(r, labels)), nextCursor };
}
