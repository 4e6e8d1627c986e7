import type { ReturnedBag, ReturnListInput, ReturnMutationOutput, ReturnTicket, ReturnTicketDetail, ReturnUpdateInput } from '@tracetrack/shared';
import { normalizeCode } from '@tracetrack/shared/codes';
import { api, describeFailure } from '../../api/trpc';
import { localDb, type OutboxRow, type OutcomeRow } from '../../local-db/db';
import { pendingOf } from '../../local-db/outbox';
import { currentUser } from '../auth/session';
import type { QueueResult } from '../sync/outcome-tracker';
import { queueWrite } from '../sync/queue-write';

/**
 * Return tickets on the device. Creating, scanning, finalising and cancelling go through the
 * outbox like every scan (the ticket's id is made here, so scans can name a ticket the server has
 * not seen yet); editing, the list and the detail are online calls. Offline, a ticket is what this
 * device knows of it: its queued writes and the outcomes the server sent back for them.
 */

export async function createTicket(area: string, notes: string): Promise<{ ticketId: string; queued: QueueResult }> {
  const ticketId = crypto.randomUUID();
  const queued = await queueWrite('return.create', { ticketId, area, ...(notes ? { notes } : {}) });
  return { ticketId, queued };
}
export const scanReturn = (ticketId: string, code: string) => queueWrite('return.scan', { ticketId, code });
export const finalizeTicket = (ticketId: string) => queueWrite('return.finalize', { ticketId });
export const cancelTicket = (ticketId: string) => queueWrite('return.cancel', { ticketId });

export type OnlineResult = { ok: true; message: string } | { ok: false; message: string };

export async function updateTicket(input: ReturnUpdateInput): Promise<OnlineResult> {
  try {
    const res = await api.return.update.mutate(input);
    return { ok: true, message: res.message };
  } catch (e) {
    const f = describeFailure(e);
    return { ok: false, message: f.code ? f.message : 'No connection: editing a return ticket needs the network.' };
  }
}

/** The ticket from the server, or null when it cannot be reached (offline: the device's view stands). */
export async function fetchTicket(ticketId: string): Promise<{ detail: ReturnTicketDetail | null; error: string | null }> {
  try {
    return { detail: await api.return.get.query({ ticketId }), error: null };
  } catch (e) {
    const f = describeFailure(e);
    return { detail: null, error: f.code === null ? null : f.message };
  }
}

export interface TicketListRow {
  ticketId: string;
  number: string | null;
  status: ReturnTicket['status'] | 'waiting';
  area: string;
  parentCount: number;
  weightKg: number;
  createdAt: string | null;
}

/** A page of tickets from the server; offline, the tickets this device opened or scanned onto. */
export async function fetchTicketPage(filters: Partial<ReturnListInput>, cursor: string | null) {
  try {
    const page = await api.return.list.query({ limit: 50, ...filters, ...(cursor ? { cursor } : {}) });
    return { items: page.items.map(toListRow), nextCursor: page.nextCursor };
  } catch (e) {
    if (describeFailure(e).code !== null) throw e;
    const uid = currentUser()?.id ?? null;
    const known = uid === null ? [] : await ticketsOnDevice(uid);
    const items = known.filter((t) => (!filters.status || t.status === filters.status) && (!filters.area || t.area === filters.area));
    return { items, nextCursor: null, note: `Offline: the ${items.length} return ticket${items.length === 1 ? '' : 's'} this device opened or scanned onto lately. The full list needs the connection.` };
  }
}

const toListRow = (t: ReturnTicket): TicketListRow => ({
  ticketId: t.ticketId, number: t.number, status: t.status, area: t.area, parentCount: t.parentCount, weightKg: t.weightKg, createdAt: t.createdAt,
});

const ticketIdOf = (row: { args: Record<string, unknown> }) => String(row.args.ticketId ?? '').toLowerCase();
const isReturnWrite = (name: string) => name.startsWith('return.');

/** The tickets known on this device: from the outcomes the server sent (a week's) and queued creates. */
async function ticketsOnDevice(userId: number): Promise<TicketListRow[]> {
  const byId = new Map<string, TicketListRow>();
  const outcomes = await localDb.outcomes.orderBy('receivedAt').filter((o) => isReturnWrite(o.name)).toArray();
  for (const o of outcomes) {
    const ticket = (o.data as ReturnMutationOutput | null)?.ticket;
    if (ticket) byId.set(ticket.ticketId, toListRow(ticket));
  }
  for (const row of await pendingOf(userId).toArray()) {
    if (row.name !== 'return.create' || byId.has(ticketIdOf(row))) continue;
    byId.set(ticketIdOf(row), { ticketId: ticketIdOf(row), number: null, status: 'waiting', area: String(row.args.area), parentCount: 0, weightKg: 0, createdAt: new Date(row.createdAt).toISOString() });
  }
  return [...byId.values()].reverse();
}

export type ReturnLineState = 'pending' | 'applied' | 'unchanged' | 'rejected';

export interface ReturnLine {
  /** The outbox or outcome id, or the code for a bag only the server knows about. */
  key: string;
  code: string;
  state: ReturnLineState;
  message: string;
  at: number;
}

/** What this device knows of a ticket: the server's last word on it, and its own queued writes. */
export interface DeviceTicketView {
  /** The ticket as the newest outcome about it described it; null before any outcome arrived. */
  ticket: ReturnTicket | null;
  /** The area and notes of a create still waiting to be sent. */
  pendingCreate: { area: string; notes: string | null } | null;
  /** This device's own lines for the ticket, newest first (the screen lists `ticketLines`). */
  lines: ReturnLine[];
  pendingScans: number;
  /** A finalise or cancel still waiting to be sent. */
  pendingClose: 'return.finalize' | 'return.cancel' | null;
  /** The queued writes, to follow their outcomes on screen. */
  pendingRows: OutboxRow[];
}

export async function loadDeviceTicketView(ticketId: string, userId: number): Promise<DeviceTicketView> {
  const id = ticketId.toLowerCase();
  const pendingRows = (await pendingOf(userId).toArray()).filter((r) => isReturnWrite(r.name) && ticketIdOf(r) === id);
  const outcomes: OutcomeRow[] = await localDb.outcomes.orderBy('receivedAt').filter((o) => isReturnWrite(o.name) && ticketIdOf(o) === id).toArray();
  let ticket: ReturnTicket | null = null;
  for (const o of outcomes) ticket = (o.data as ReturnMutationOutput | null)?.ticket ?? ticket;
  const create = pendingRows.find((r) => r.name === 'return.create');
  const lines: ReturnLine[] = [
    ...pendingRows.filter((r) => r.name === 'return.scan').map((r) => ({
      key: r.id, code: normalizeCode(String(r.args.code ?? '')), state: 'pending' as const, message: 'Waiting to be sent', at: r.createdAt,
    })),
    ...outcomes.filter((o) => o.name === 'return.scan').map((o) => ({
      key: o.id, code: normalizeCode(String(o.args.code ?? '')), state: o.status, message: o.message, at: Date.parse(o.clientTime),
    })),
  ].sort((a, b) => b.at - a.at);
  const close = pendingRows.find((r) => r.name === 'return.finalize' || r.name === 'return.cancel');
  return {
    ticket,
    pendingCreate: create ? { area: String(create.args.area), notes: create.args.notes ? String(create.args.notes) : null } : null,
    lines,
    pendingScans: pendingRows.filter((r) => r.name === 'return.scan').length,
    pendingClose: close ? (close.name as 'return.finalize' | 'return.cancel') : null,
    pendingRows,
  };
}

/** Lines for the bags the server has on the ticket that this device's own lines do not show. */
function serverLines(bags: readonly ReturnedBag[], shown: readonly ReturnLine[]): ReturnLine[] {
  const codes = new Set(shown.filter((l) => l.state === 'applied').map((l) => l.code));
  return bags
    .filter((b) => !codes.has(b.parentCode))
    .map((b) => ({ key: `server:${b.parentCode}`, code: b.parentCode, state: 'applied' as const, message: `from bill ${b.billNumber ?? '—'} · ${b.childCount} children`, at: Date.parse(b.returnedAt) }));
}

/** How many of a ticket's lines its screen lists. */
export const LINES_SHOWN = 50;

/** A ticket's last lines, newest first: this device's own, and the server's for the bags others returned. */
export function ticketLines(own: readonly ReturnLine[], bags: readonly ReturnedBag[]): ReturnLine[] {
  return [...own, ...serverLines(bags, own)].sort((a, b) => b.at - a.at).slice(0, LINES_SHOWN);
}

export { returnTicketHref } from '@tracetrack/shared/export-links';
