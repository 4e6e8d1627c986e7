import type { AuditFilters, AuditLogEntry } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { type AuditPosition, entityLabels, listAuditLog, resolveAuditFilter, selectAuditLog } from '../audit/list-queries';
import { toAuditFilterInput, toAuditLogEntry } from '../audit/service';
import { EXPORT_PAGE_ROWS } from './bag-sheets';
import { localDateTime } from './local-time';
import type { Column, Sheet } from './sheet';

const snapshotText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function auditColumns(timeZone: string): Column<AuditLogEntry>[] {
  return [
    { header: `Time (${timeZone})`, value: (e) => localDateTime(e.at, timeZone), width: 20 },
    { header: 'User', value: (e) => e.actor, width: 16 },
    { header: 'Action', value: (e) => e.action, width: 24 },
    { header: 'Entity type', value: (e) => e.entityType },
    { header: 'Entity', value: (e) => e.entityLabel ?? e.entityId, width: 20 },
    { header: 'Entity id', value: (e) => e.entityId },
    { header: 'Before', value: (e) => snapshotText(e.before), width: 40 },
    { header: 'After', value: (e) => snapshotText(e.after), width: 40 },
    { header: 'Request id', value: (e) => e.requestId, width: 38 },
    { header: 'IP', value: (e) => e.ip, width: 16 },
    { header: 'Device', value: (e) => e.deviceId, width: 38 },
    { header: 'Device seq', value: (e) => e.seq },
  ];
}

/**
 * The audit log for the screen's filters, newest first, as the screen shows it (names for
 * entities, snapshots without secrets), walked by the same keyset as the list.
 */
export function auditSheet(deps: Pick<Deps, 'db' | 'config'>, filters: AuditFilters): Sheet<AuditLogEntry> {
  async function* rows() {
    const filter = await resolveAuditFilter(deps.db, toAuditFilterInput(filters));
    if (!filter) return;
    let after: AuditPosition | null = null;
    for (;;) {
      const page = await listAuditLog(deps.db, filter, after, EXPORT_PAGE_ROWS);
      const items = page.slice(0, EXPORT_PAGE_ROWS);
      if (items.length > 0) {
        const labels = await entityLabels(deps.db, items.flatMap((r) => (r.entity_id === null ? [] : [{ type: r.entity_type, id: r.entity_id }])));
        yield items.map((r) => toAuditLogEntry(r, labels));
      }
      if (page.length <= EXPORT_PAGE_ROWS) return;
      const last = items.at(-1)!;
      after = { micros: last.micros, id: last.id };
    }
  }
  return { name: 'Audit log', columns: auditColumns(deps.config.timeZone), rows: rows() };
}

/** Rows the audit export would hold, counted up to `cap`. */
export async function countAudit(deps: Pick<Deps, 'db'>, filters: AuditFilters, cap: number): Promise<number> {
  const filter = await resolveAuditFilter(deps.db, toAuditFilterInput(filters));
  if (!filter) return 0;
  const matching = selectAuditLog(deps.db, filter).clearSelect().clearOrderBy().select('a.id').limit(cap + 1);
  const row = await deps.db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
