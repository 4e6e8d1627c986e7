import { z } from 'zod';
import { areaCodeSchema, cursorSchema, isoDateTimeSchema, pageLimitSchema, pageOf, rawCodeSchema, storableTextSchema } from './common';

/**
 * Return tickets (RULES.md, returns): parent bags sent back from dealers to a C&F point, each taken
 * off the bill it left on. A ticket's id is made on the device (so scans queued offline can name a
 * ticket the server has not seen yet); its number RTN-YYYYMMDD-XXXX is given by the server.
 */
export const RETURN_NOTES_MAX = 500;
export const RETURN_TICKET_NUMBER_PATTERN = /^RTN-\d{8}-[0-9A-F]{4}$/;

export const returnTicketStatusSchema = z.enum(['open', 'committed', 'cancelled']);
export type ReturnTicketStatus = z.infer<typeof returnTicketStatusSchema>;

const ticketIdSchema = z.uuid().toLowerCase();
const notesSchema = storableTextSchema.trim().max(RETURN_NOTES_MAX, `Notes are at most ${RETURN_NOTES_MAX} characters`);

export const returnCreateInput = z.object({ ticketId: ticketIdSchema, area: areaCodeSchema, notes: notesSchema.optional() });
export type ReturnCreateInput = z.infer<typeof returnCreateInput>;

export const returnScanInput = z.object({ ticketId: ticketIdSchema, code: rawCodeSchema });
export type ReturnScanInput = z.infer<typeof returnScanInput>;

export const returnTicketRefInput = z.object({ ticketId: ticketIdSchema });
export type ReturnTicketRefInput = z.infer<typeof returnTicketRefInput>;

/** Location and notes, while the ticket is open; undefined leaves a field, null or blank clears the notes. */
export const returnUpdateInput = z.object({
  ticketId: ticketIdSchema,
  area: areaCodeSchema.optional(),
  notes: notesSchema.nullable().optional(),
});
export type ReturnUpdateInput = z.infer<typeof returnUpdateInput>;

/** What the ticket list, and its export, filter by. `from`/`to` bound when the ticket was opened. */
export const returnFilterSchema = z.object({
  status: returnTicketStatusSchema.optional(),
  area: areaCodeSchema.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type ReturnFilter = z.infer<typeof returnFilterSchema>;

export const returnListInput = returnFilterSchema.extend({ limit: pageLimitSchema, cursor: cursorSchema });
export type ReturnListInput = z.infer<typeof returnListInput>;

export const returnTicketSchema = z.object({
  ticketId: z.string(),
  number: z.string(),
  area: z.string(),
  notes: z.string().nullable(),
  status: returnTicketStatusSchema,
  parentCount: z.number().int(),
  childCount: z.number().int(),
  weightKg: z.number(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Who finalised or cancelled it, and when; null while it is open. */
  closedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
});
export type ReturnTicket = z.infer<typeof returnTicketSchema>;

/** A parent on a ticket, as it was when it came back. */
export const returnedBagSchema = z.object({
  parentCode: z.string(),
  format: z.string(),
  childCount: z.number().int(),
  weightKg: z.number(),
  billNumber: z.string().nullable(),
  returnedBy: z.string().nullable(),
  returnedAt: z.string(),
});
export type ReturnedBag = z.infer<typeof returnedBagSchema>;

export const returnTicketDetailSchema = z.object({
  ticket: returnTicketSchema,
  /** The newest first, at most RETURN_DETAIL_BAGS (the export has them all). */
  bags: z.array(returnedBagSchema),
});
export type ReturnTicketDetail = z.infer<typeof returnTicketDetailSchema>;
export const RETURN_DETAIL_BAGS = 500;

/** A bill's totals before and after one of its parents came back on a ticket. */
export const billReturnEventSchema = z.object({
  parentCode: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string(),
  parentsBefore: z.number().int(),
  parentsAfter: z.number().int(),
  childrenBefore: z.number().int(),
  childrenAfter: z.number().int(),
  weightBeforeKg: z.number(),
  weightAfterKg: z.number(),
  returnedBy: z.string().nullable(),
  returnedAt: z.string(),
});
export type BillReturnEvent = z.infer<typeof billReturnEventSchema>;

export const returnMutationOutput = z.object({
  outcome: z.enum(['applied', 'unchanged']),
  message: z.string(),
  ticket: returnTicketSchema,
  /** The bag a scan returned, and the bill event it made. */
  bag: returnedBagSchema.optional(),
  event: billReturnEventSchema.optional(),
});
export type ReturnMutationOutput = z.infer<typeof returnMutationOutput>;

export const returnListOutput = pageOf(returnTicketSchema);
export const billReturnsOutput = z.object({ items: z.array(billReturnEventSchema) });
