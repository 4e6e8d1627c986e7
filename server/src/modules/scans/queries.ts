import type { Executor } from '../../infra/transaction';
import type { ScanEnvelope } from './service';

export interface ScanRefs {
  parentId?: number | null;
  childId?: number | null;
  billId?: number | null;
}

export interface ScanEventRow {
  envelope: ScanEnvelope;
  userId: number;
  status: 'applied' | 'unchanged' | 'rejected';
  errorCode: string | null;
  message: string;
  result: unknown;
  refs: ScanRefs;
}

export async function insertScanEvents(db: Executor, rows: ScanEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('scan_events')
    .values(
      rows.map((row) => ({
        mutation_id: row.envelope.mutationId,
        device_id: row.envelope.deviceId,
        seq: row.envelope.seq,
        user_id: row.userId,
        name: row.envelope.name,
        args: JSON.stringify(row.envelope.args ?? null),
        client_time: row.envelope.clientTime,
        status: row.status,
        error_code: row.errorCode,
        message: row.message,
        result: row.result === undefined || row.result === null ? null : JSON.stringify(row.result),
        parent_id: row.refs.parentId ?? null,
        child_id: row.refs.childId ?? null,
        bill_id: row.refs.billId ?? null,
      })),
    )
    .execute();
}
