import { type AppErrorCode, normalizeCode, parseBagCode } from '@tracetrack/shared';

/**
 * A pure, in-memory model of the bag rules (codes, linking, unlinking), bills (create, add a parent,
 * complete) and returns (tickets, return scans) used as a test oracle: the server's
 * database must end in the same state as this model after the same mutations. It is written
 * independently of the server code on purpose.
 */
export interface ModelActor {
  id: number;
  role: 'admin' | 'biller' | 'dispatcher';
  area: string | null;
}

export interface ModelBag {
  type: 'parent' | 'child';
  capacity: number;
  area: string | null;
}

export interface ModelBill {
  capacity: number;
  status: 'open' | 'loading' | 'completed';
  count: number;
}

export interface ModelTicket {
  status: 'open' | 'committed' | 'cancelled';
  /** Returned parent codes, with the bill each left. */
  bags: Map<string, string>;
}

export interface ModelState {
  bags: Map<string, ModelBag>;
  parentOf: Map<string, { parent: string; by: number; at: number }>;
  countOf: Map<string, number>;
  /** Parent code → bill number. */
  billOf: Map<string, string>;
  bills: Map<string, ModelBill>;
  /** By the ticket id the device made. */
  tickets: Map<string, ModelTicket>;
}

export type ModelOutcome = { status: 'applied' | 'unchanged' } | { status: 'rejected'; code: AppErrorCode };

const UNLINK_WINDOW_MS = 3_600_000;
const AREAS = new Set(['lucknow', 'indore', 'jaipur', 'hisar', 'sri_ganganagar', 'sangaria', 'bathinda', 'raipur', 'ranchi', 'akola']);
/** Bills and returns are for billers and admins. */
const isStaff = (actor: ModelActor) => actor.role !== 'dispatcher';
const isOnCompletedBill = (state: ModelState, parent: string) => state.bills.get(state.billOf.get(parent) ?? '')?.status === 'completed';

export function emptyModel(): ModelState {
  return { bags: new Map(), parentOf: new Map(), countOf: new Map(), billOf: new Map(), bills: new Map(), tickets: new Map() };
}

const refuse = (code: AppErrorCode): ModelOutcome => ({ status: 'rejected', code });

/** A dispatcher links and unlinks only in parents of their own area; a parent with no area takes anyone's. */
const isOtherArea = (actor: ModelActor, parent: ModelBag) => actor.role === 'dispatcher' && parent.area !== null && parent.area !== actor.area;

function parentSlot(state: ModelState, raw: unknown): string | ModelOutcome {
  if (typeof raw !== 'string') return refuse('VALIDATION');
  const p = parseBagCode(raw);
  if (p.kind === 'invalid') return refuse('INVALID_CODE');
  if (p.kind === 'child') return state.bags.has(p.code) ? refuse('WRONG_BAG_TYPE') : refuse('INVALID_CODE');
  return p.code;
}

function childSlot(raw: unknown): string | ModelOutcome {
  if (typeof raw !== 'string') return refuse('VALIDATION');
  const p = parseBagCode(raw);
  if (p.kind === 'invalid') return refuse('INVALID_CODE');
  if (p.kind === 'parent') return refuse('WRONG_BAG_TYPE');
  return p.code;
}

/**
 * `now` is the server's time (links are stamped with it); `clientTime` is when a synced scan was
 * captured on the device, null for online calls. A dispatcher's unlink is judged at the capture
 * time, at most now; a capture time before the link is a wrong clock and counts as now.
 */
export function applyToModel(
  state: ModelState,
  actor: ModelActor,
  name: string,
  args: Record<string, unknown>,
  now: number,
  clientTime: number | null = null,
): ModelOutcome {
  switch (name) {
    case 'parent.scan': {
      const code = parentSlot(state, args.code);
      if (typeof code !== 'string') return code;
      if (state.bags.has(code)) return { status: 'unchanged' };
      const p = parseBagCode(code);
      state.bags.set(code, { type: 'parent', capacity: p.kind === 'parent' ? p.spec.maxChildren : 0, area: actor.area });
      state.countOf.set(code, 0);
      return { status: 'applied' };
    }
    case 'child.link': {
      const parent = parentSlot(state, args.parentCode);
      if (typeof parent !== 'string') return parent;
      const child = childSlot(args.childCode);
      if (typeof child !== 'string') return child;
      const parentBag = state.bags.get(parent);
      if (!parentBag) return refuse('BAG_NOT_FOUND');
      if (isOtherArea(actor, parentBag)) return refuse('PARENT_IN_OTHER_AREA');
      const current = state.parentOf.get(child);
      if (current?.parent === parent) return { status: 'unchanged' };
      if (current) return refuse('CHILD_IN_OTHER_PARENT');
      const count = state.countOf.get(parent) ?? 0;
      if (count >= parentBag.capacity) return refuse('PARENT_FULL');
      if (isOnCompletedBill(state, parent)) return refuse('BILL_COMPLETED');
      if (!state.bags.has(child)) state.bags.set(child, { type: 'child', capacity: 0, area: parentBag.area });
      else state.bags.get(child)!.area = parentBag.area;
      state.parentOf.set(child, { parent, by: actor.id, at: now });
      state.countOf.set(parent, count + 1);
      return { status: 'applied' };
    }
    case 'child.unlink': {
      const child = childSlot(args.childCode);
      if (typeof child !== 'string') return child;
      if (!state.bags.has(child)) return refuse('BAG_NOT_FOUND');
      const link = state.parentOf.get(child);
      if (!link) return refuse('CHILD_NOT_LINKED');
      if (isOtherArea(actor, state.bags.get(link.parent)!)) return refuse('PARENT_IN_OTHER_AREA');
      const claimed = clientTime ?? now;
      const judgedAt = claimed < link.at ? now : Math.min(now, claimed);
      if (actor.role === 'dispatcher' && (link.by !== actor.id || judgedAt - link.at > UNLINK_WINDOW_MS)) return refuse('UNLINK_NOT_ALLOWED');
      if (isOnCompletedBill(state, link.parent)) return refuse('BILL_COMPLETED');
      state.parentOf.delete(child);
      state.countOf.set(link.parent, (state.countOf.get(link.parent) ?? 1) - 1);
      return { status: 'applied' };
    }
    case 'bill.create': {
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const number = normalizeCode(String(args.billNumber));
      if (state.bills.has(number)) return refuse('BILL_EXISTS');
      state.bills.set(number, { capacity: Number(args.capacity), status: 'open', count: 0 });
      return { status: 'applied' };
    }
    case 'bill.addParent': {
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const p = parseBagCode(String(args.parentCode));
      if (p.kind === 'invalid') return refuse('INVALID_CODE');
      if (p.kind === 'child') return refuse(state.bags.has(p.code) ? 'WRONG_BAG_TYPE' : 'INVALID_CODE');
      const bag = state.bags.get(p.code);
      if (!bag) return refuse('BAG_NOT_FOUND');
      if (bag.type !== 'parent') return refuse('WRONG_BAG_TYPE');
      const number = normalizeCode(String(args.billNumber));
      const bill = state.bills.get(number);
      if (!bill) return refuse('BILL_NOT_FOUND');
      const current = state.billOf.get(p.code);
      if (current === number) return { status: 'unchanged' };
      if (bill.status === 'completed') return refuse('BILL_COMPLETED');
      if (current) return refuse('PARENT_ON_OTHER_BILL');
      if (bill.count >= bill.capacity) return refuse('BILL_FULL');
      state.billOf.set(p.code, number);
      bill.count += 1;
      bill.status = 'loading';
      return { status: 'applied' };
    }
    case 'bill.complete': {
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const bill = state.bills.get(normalizeCode(String(args.billNumber)));
      if (!bill) return refuse('BILL_NOT_FOUND');
      if (bill.status === 'completed') return { status: 'unchanged' };
      if (bill.count === 0) return refuse('BILL_EMPTY');
      if (bill.count < bill.capacity && !args.allowShort) return refuse('BILL_SHORT_NOT_CONFIRMED');
      bill.status = 'completed';
      return { status: 'applied' };
    }
    case 'return.create': {
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const id = String(args.ticketId).toLowerCase();
      if (state.tickets.has(id)) return { status: 'unchanged' };
      if (!AREAS.has(String(args.area))) return refuse('AREA_NOT_FOUND');
      state.tickets.set(id, { status: 'open', bags: new Map() });
      return { status: 'applied' };
    }
    case 'return.scan': {
      // Checks in the order of the rule: the ticket is open, a known bag, a parent, not on this
      // ticket, not on another open ticket, on a bill.
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const ticket = state.tickets.get(String(args.ticketId).toLowerCase());
      if (!ticket) return refuse('TICKET_NOT_FOUND');
      if (ticket.status !== 'open') return refuse('TICKET_CLOSED');
      const p = parseBagCode(String(args.code));
      if (p.kind === 'invalid') return refuse('INVALID_CODE');
      const bag = state.bags.get(p.code);
      if (!bag) return refuse('BAG_NOT_FOUND');
      if (bag.type !== 'parent') return refuse('WRONG_BAG_TYPE');
      if (ticket.bags.has(p.code)) return refuse('ALREADY_ON_TICKET');
      if ([...state.tickets.values()].some((t) => t !== ticket && t.status === 'open' && t.bags.has(p.code))) return refuse('ON_OTHER_TICKET');
      const number = state.billOf.get(p.code);
      if (!number) return refuse('NOT_ON_A_BILL');
      const bill = state.bills.get(number)!;
      state.billOf.delete(p.code);
      bill.count -= 1;
      // A completed bill stays completed; a loading one with no parents left is open again.
      if (bill.status === 'loading' && bill.count === 0) bill.status = 'open';
      ticket.bags.set(p.code, number);
      return { status: 'applied' };
    }
    case 'return.finalize':
    case 'return.cancel': {
      if (!isStaff(actor)) return refuse('FORBIDDEN');
      const ticket = state.tickets.get(String(args.ticketId).toLowerCase());
      if (!ticket) return refuse('TICKET_NOT_FOUND');
      const to = name === 'return.finalize' ? 'committed' : 'cancelled';
      if (ticket.status === to) return { status: 'unchanged' };
      if (ticket.status !== 'open') return refuse('TICKET_CLOSED');
      if (to === 'committed' && ticket.bags.size === 0) return refuse('TICKET_EMPTY');
      ticket.status = to;
      return { status: 'applied' };
    }
    default:
      return refuse('VALIDATION');
  }
}

/** The model's billed parents as sorted "PARENT@BILL" strings. */
export function modelBilledParents(state: ModelState): string[] {
  return [...state.billOf.entries()].map(([p, b]) => `${p}@${b}`).sort();
}

/** The model's returned parents as sorted "PARENT<BILL" strings, for comparing with return_ticket_bags. */
export function modelReturns(state: ModelState): string[] {
  return [...state.tickets.values()].flatMap((t) => [...t.bags.entries()].map(([p, b]) => `${p}<${b}`)).sort();
}

/** The model's links as sorted "CHILD>PARENT" strings, for comparing with the database. */
export function modelLinks(state: ModelState): string[] {
  return [...state.parentOf.entries()].map(([c, l]) => `${c}>${l.parent}`).sort();
}
