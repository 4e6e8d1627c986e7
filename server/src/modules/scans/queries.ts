import { type RawBuilder, sql } from 'kysely';
import type { ScanEnvelope, ScanRefs } from './types';

export interface ScanEventRow {
  envelope: ScanEnvelope;
  userId: number;
  status: 'applied' | 'unchanged' | 'rejected';
  errorCode: string | null;
  message: string;
  result: unknown;
  refs: ScanRefs;
}

/**
 * One statement for a whole batch, with one array parameter per column: a 200-scan push would
 * otherwise send 2,800 parameters that Kysely compiles and Postgres parses one by one.
 */
export function scanEventsInsert(rows: ScanEventRow[]): RawBuilder<unknown> | null {
  if (rows.length === 0) return null;
  const col = <T>(pick: (row: ScanEventRow) => T) => rows.map(pick);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return sql`
    insert into scan_events (mutation_id, device_id, seq, user_id, name, args, client_time, status, error_code, message, result, parent_id, child_id, bill_id)
    select * from unnest(
      ${col((r) => r.envelope.mutationId)}::uuid[], ${col((r) => r.envelope.deviceId)}::uuid[], ${col((r) => r.envelope.seq)}::bigint[],
      ${col((r) => r.userId)}::bigint[], ${col((r) => r.envelope.name)}::text[], ${col((r) => JSON.stringify(r.envelope.args ?? null))}::jsonb[],
      ${col((r) => r.envelope.clientTime)}::timestamptz[], ${col((r) => r.status)}::event_status[], ${col((r) => r.errorCode)}::text[],
      ${col((r) => r.message)}::text[], ${col((r) => json(r.result))}::jsonb[], ${col((r) => r.refs.parentId ?? null)}::bigint[],
      ${col((r) => r.refs.childId ?? null)}::bigint[], ${col((r) => r.refs.billId ?? null)}::bigint[])`;
}
