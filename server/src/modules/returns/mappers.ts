import type { BillReturnEvent, ReturnedBag, ReturnTicket } from '@tracetrack/shared';
import type { ReturnEventRow, TicketBagRow, TicketViewRow } from './queries';

export function toReturnTicket(row: TicketViewRow): ReturnTicket {
  return {
    ticketId: row.ref,
    number: row.number,
    area: row.area,
    notes: row.notes,
    status: row.status,
    parentCount: row.parent_count,
    childCount: row.child_count,
    weightKg: Number(row.weight_kg),
    createdBy: row.created_by_username,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedBy: row.closed_by_username,
    closedAt: row.closed_at,
  };
}

export function toReturnedBag(row: TicketBagRow): ReturnedBag {
  return {
    parentCode: row.parent_code,
    format: row.format,
    childCount: row.child_count,
    weightKg: Number(row.weight_kg),
    billNumber: row.bill_number,
    returnedBy: row.returned_by_username,
    returnedAt: row.returned_at,
  };
}

export function toBillReturnEvent(row: ReturnEventRow): BillReturnEvent {
  return {
    parentCode: row.parent_code,
    ticketId: row.ticket_ref,
    ticketNumber: row.ticket_number,
    parentsBefore: row.parents_before,
    parentsAfter: row.parents_after,
    childrenBefore: row.children_before,
    childrenAfter: row.children_after,
    weightBeforeKg: Number(row.weight_before_kg),
    weightAfterKg: Number(row.weight_after_kg),
    returnedBy: row.returned_by_username,
    returnedAt: row.returned_at,
  };
}

/** What the audit log keeps of a ticket. */
export function ticketSnapshot(t: { number: string; area: string; notes: string | null; status: string; parent_count: number; child_count: number; weight_kg: number }) {
  return { number: t.number, area: t.area, notes: t.notes, status: t.status, parentCount: t.parent_count, childCount: t.child_count, weightKg: Number(t.weight_kg) };
}
