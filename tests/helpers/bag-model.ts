import { type AppErrorCode, parseBagCode } from '@tracetrack/shared';

/**
 * A pure, in-memory model of the bag rules (codes, linking, unlinking) used as a test oracle: the server's
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

export interface ModelState {
  bags: Map<string, ModelBag>;
  parentOf: Map<string, { parent: string; by: number; at: number }>;
  countOf: Map<string, number>;
}

export type ModelOutcome = { status: 'applied' | 'unchanged' } | { status: 'rejected'; code: AppErrorCode };

const UNLINK_WINDOW_MS = 3_600_000;

export function emptyModel(): ModelState {
  return { bags: new Map(), parentOf: new Map(), countOf: new Map() };
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
      state.parentOf.delete(child);
      state.countOf.set(link.parent, (state.countOf.get(link.parent) ?? 1) - 1);
      return { status: 'applied' };
    }
    default:
      return refuse('VALIDATION');
  }
}

/** The model's links as sorted "CHILD>PARENT" strings, for comparing with the database. */
export function modelLinks(state: ModelState): string[] {
  return [...state.parentOf.entries()].map(([c, l]) => `${c}>${l.parent}`).sort();
}
