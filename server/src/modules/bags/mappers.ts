import { type Bag, type LinkedChild, type ParentState, parentActualWeightKg, parentStatus, CHILD_WEIGHT_KG, type ScanEvent } from '@tracetrack/shared';
import type { recentEventsOfBag } from './queries';

interface BagLike {
  id: number;
  code: string;
  type: 'parent' | 'child';
  format: string | null;
  capacity: number | null;
  child_count: number;
  area: string | null;
  created_at: Date;
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
    createdAt: row.created_at.toISOString(),
  };
}

export function toLinkedChild(row: BagLike & { linked_at: Date | null; linked_by_username: string | null }): LinkedChild {
  return { ...toBag(row), linkedBy: row.linked_by_username, linkedAt: (row.linked_at ?? row.created_at).toISOString() };
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

export function toScanEvent(row: Awaited<ReturnType<typeof recentEventsOfBag>>[number]): ScanEvent {
  return {
    id: row.mutation_id,
    name: row.name,
    status: row.status,
    code: row.error_code,
    message: row.message,
    username: row.username,
    deviceId: row.device_id,
    seq: row.seq,
    clientTime: row.client_time ? new Date(row.client_time).toISOString() : null,
    serverTime: row.server_time.toISOString(),
  };
}
