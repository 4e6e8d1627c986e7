import { type Bag, type LinkedChild, type ParentState, parentActualWeightKg, parentStatus, CHILD_WEIGHT_KG, type ScanEvent } from '@tracetrack/shared';

interface BagLike {
  id: number;
  code: string;
  type: 'parent' | 'child';
  format: string | null;
  capacity: number | null;
  child_count: number;
  area: string | null;
  /** A Date from a column, ISO text from JSON (bag.get's parent and children). */
  created_at: Date | string;
  parent_code?: string | null;
  bill_number?: string | null;
  created_by_username?: string | null;
}

export function toBag(row: BagLike): Bag {
  const isParent = row.type === 'parent';
  return {
    id: row.id,
    code: row.code,
    type: row.type,
    format: row.format,
    area: row.area,
    childCount: isParent ? row.child_count : null,
    capacity: isParent ? row.capacity : null,
    status: isParent ? parentStatus(row.child_count, row.capacity ?? 0) : null,
    weightKg: isParent ? parentActualWeightKg(row.child_count) : CHILD_WEIGHT_KG,
    parentCode: row.parent_code ?? null,
    billNumber: row.bill_number ?? null,
    createdBy: row.created_by_username ?? null,
    createdAt: isoOf(row.created_at),
  };
}

/** `Date#toISOString` of a timestamp read as a Date or as JSON text (`2026-12-01T04:31:50.123456+00:00`). */
const isoOf = (t: Date | string) => (typeof t === 'string' ? new Date(t) : t).toISOString();

export function toLinkedChild(row: BagLike & { linked_at: Date | string | null; linked_by_username: string | null }): LinkedChild {
  return { ...toBag(row), linkedBy: row.linked_by_username, linkedAt: isoOf(row.linked_at ?? row.created_at) };
}

export function toParentState(row: { code: string; format: string | null; capacity: number | null }, childCount: number): ParentState {
  const capacity = row.capacity ?? 0;
  return {
    code: row.code,
    format: row.format ?? '',
    childCount,
    capacity,
    status: parentStatus(childCount, capacity),
    weightKg: parentActualWeightKg(childCount),
  };
}

/** A scan event as bag.get reads it (JSON: timestamps as text). */
export interface ScanEventRow {
  mutation_id: string;
  name: string;
  status: ScanEvent['status'];
  error_code: string | null;
  message: string;
  username: string | null;
  device_id: string | null;
  seq: number | null;
  client_time: Date | string | null;
  server_time: Date | string;
}

export function toScanEvent(row: ScanEventRow): ScanEvent {
  return {
    id: row.mutation_id,
    name: row.name,
    status: row.status,
    code: row.error_code,
    message: row.message,
    username: row.username,
    deviceId: row.device_id,
    seq: row.seq,
    clientTime: row.client_time ? isoOf(row.client_time) : null,
    serverTime: isoOf(row.server_time),
  };
}
