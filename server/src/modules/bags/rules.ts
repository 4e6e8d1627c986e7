import { AppError, canScanIntoArea, classifyCode, DISPATCHER_UNLINK_WINDOW_MS, type ParsedCode } from '@tracetrack/shared';
import type { Actor } from '../actor';
import { type CounterDelta, scopeOf } from '../counters/deltas';
import type { BagCommand } from '../scans/commands';
import type { ScanEffect, ScanRefs } from '../scans/types';
import { childCodeOrRefuse, knownCodeOrRefuse, refuseNonParentCode } from './code-slots';
import { toParentState } from './mappers';

/** When a scan is judged: the transaction's server time, and the device's capture time of a synced scan. */
export interface ScanClock {
  now: Date;
  /** null for online calls: they happen at `now`. */
  clientTime: Date | null;
}

/** A bag command with its (normalised) codes classified, once, before the batch loads anything. */
export type ClassifiedCommand =
  | { name: 'parent.scan'; code: ParsedCode }
  | { name: 'child.link'; parent: ParsedCode; child: ParsedCode }
  | { name: 'child.unlink'; child: ParsedCode };

export function classifyCommand(cmd: BagCommand): ClassifiedCommand {
  switch (cmd.name) {
    case 'parent.scan':
      return { name: cmd.name, code: classifyCode(cmd.args.code) };
    case 'child.link':
      return { name: cmd.name, parent: classifyCode(cmd.args.parentCode), child: classifyCode(cmd.args.childCode) };
    case 'child.unlink':
      return { name: cmd.name, child: classifyCode(cmd.args.childCode) };
  }
}

/** A bag as the batch sees it, locked for the whole transaction. */
export interface BatchBag {
  id: number;
  code: string;
  type: 'parent' | 'child';
  format: string | null;
  capacity: number | null;
  childCount: number;
  area: string | null;
  /** Inserted by this batch ahead of time so it could be locked; real only once a command registers it. */
  isProvisional: boolean;
  exists: boolean;
  billNumber: string | null;
  billStatus: string | null;
}

export interface BatchLink {
  parentCode: string;
  linkedBy: number | null;
  linkedAt: Date;
}

/** Everything a batch of bag scans reads and changes, held in memory between load and write. */
export interface BatchState {
  bags: Map<string, BatchBag>;
  links: Map<string, BatchLink | null>;
  counters: CounterDelta[];
  /** Display names of the areas a refusal may name (loaded only when the area rule can refuse). */
  areaNames: Map<string, string>;
}

/** What a bag rule reports for one scan (see applyScanBatch). */
export type RuleResult = ScanEffect<Record<string, unknown>>;

function parentSlot(state: BatchState, parsed: ParsedCode): string {
  const known = knownCodeOrRefuse(parsed);
  if (known.kind !== 'parent') refuseNonParentCode(known.code, state.bags.get(known.code)?.exists ?? false);
  return known.code;
}

type ParentCode = Extract<ParsedCode, { kind: 'parent' }>;

/**
 * The codes a command may register (inserted ahead as provisional rows so they can be locked)
 * and the codes it only looks up. Codes of no known format are left out: the rules refuse them.
 */
export function codesOf(cmd: ClassifiedCommand): { parents: ParentCode[]; children: string[]; lookups: string[] } {
  const out = { parents: [] as ParentCode[], children: [] as string[], lookups: [] as string[] };
  const add = (p: ParsedCode, register: 'parent' | 'child' | null) => {
    if (p.kind === 'invalid') return;
    if (register === 'parent' && p.kind === 'parent') out.parents.push(p);
    else if (register === 'child' && p.kind === 'child') out.children.push(p.code);
    else out.lookups.push(p.code);
  };
  switch (cmd.name) {
    case 'parent.scan':
      add(cmd.code, 'parent');
      break;
    case 'child.link':
      add(cmd.parent, null);
      add(cmd.child, 'child');
      break;
    case 'child.unlink':
      add(cmd.child, null);
      break;
  }
  return out;
}

function existingParent(state: BatchState, code: string): BatchBag {
  const bag = state.bags.get(code);
  if (!bag?.exists) throw new AppError('BAG_NOT_FOUND', `Parent ${code} is not registered. Scan it as a parent first.`);
  if (bag.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag, not a parent.`);
  return bag;
}

/** The area rule for scans: a dispatcher links and unlinks only in parents of their own area. */
function refuseIfOtherArea(s: BatchState, actor: Actor, parent: BatchBag, refs: ScanRefs) {
  if (canScanIntoArea(actor, parent.area)) return;
  const nameOf = (area: string | null) => (area === null ? 'no area' : (s.areaNames.get(area) ?? area));
  throw new AppError(
    'PARENT_IN_OTHER_AREA',
    `${parent.code} belongs to ${nameOf(parent.area)}; dispatchers link and unlink only in parents of their own area (${nameOf(actor.area)}).`,
    { area: parent.area, areaName: nameOf(parent.area), refs },
  );
}

function refuseIfOnCompletedBill(parent: BatchBag, refs: ScanRefs) {
  if (parent.billStatus === 'completed') {
    throw new AppError('BILL_COMPLETED', `${parent.code} is on completed bill ${parent.billNumber}; reopen the bill first.`, {
      billNumber: parent.billNumber, refs,
    });
  }
}

const state = (p: BatchBag) => toParentState(p, p.childCount);

/** Scanning a parent registers it (in the dispatcher's area) or opens the existing one. */
function scanParent(s: BatchState, actor: Actor, parsed: ParsedCode): RuleResult {
  const code = parentSlot(s, parsed);
  const bag = s.bags.get(code);
  if (!bag) throw new AppError('TRANSIENT', `Could not register ${code}. Try again.`);
  if (bag.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is registered as a child bag, not a parent.`);
  const scope = scopeOf(bag.exists ? bag.area : actor.area);
  if (bag.exists) {
    const p = state(bag);
    const message = `${code} ${p.childCount}/${p.capacity}`;
    return { status: 'unchanged', message, data: { outcome: 'unchanged', message, parent: p }, refs: { parentId: bag.id }, scope };
  }
  bag.exists = true;
  bag.area = actor.area;
  s.counters.push({ name: 'parents', scope, delta: 1 });
  const p = state(bag);
  const message = `Registered ${code} (${p.childCount}/${p.capacity})`;
  return {
    status: 'applied', message, data: { outcome: 'applied', message, parent: p }, refs: { parentId: bag.id }, scope,
    audit: { action: 'bag.register_parent', entityType: 'bag', entityId: bag.id, after: { code, format: bag.format, area: bag.area } },
  };
}

/** Links a child into a parent: the area rule, exclusivity, capacity and the completed-bill lock (RULES.md, Linking). */
function linkChild(s: BatchState, actor: Actor, cmd: { parent: ParsedCode; child: ParsedCode }, now: Date): RuleResult {
  const parentCode = parentSlot(s, cmd.parent);
  const childCode = childCodeOrRefuse(cmd.child);
  const parent = existingParent(s, parentCode);
  const child = s.bags.get(childCode);
  if (!child) throw new AppError('TRANSIENT', `Could not register ${childCode}. Try again.`);
  const refs = { parentId: parent.id, childId: child.id };
  if (child.type !== 'child') throw new AppError('WRONG_BAG_TYPE', `${childCode} is registered as a parent bag, not a child.`, { refs });
  refuseIfOtherArea(s, actor, parent, refs);

  const link = s.links.get(childCode) ?? null;
  if (link?.parentCode === parentCode) {
    const p = state(parent);
    const message = `${childCode} is already in ${parentCode} (${p.childCount}/${p.capacity})`;
    return { status: 'unchanged', message, data: { outcome: 'unchanged', message, childCode, parent: p }, refs, scope: scopeOf(parent.area) };
  }
  if (link) {
    throw new AppError('CHILD_IN_OTHER_PARENT', `${childCode} is already in ${link.parentCode}. Unlink it there first.`, {
      otherParentCode: link.parentCode, childCode, refs,
    });
  }
  const capacity = parent.capacity ?? 0;
  if (parent.childCount >= capacity) {
    throw new AppError('PARENT_FULL', `${parentCode} is full (${parent.childCount}/${capacity}).`, { parent: state(parent), childCode, refs });
  }
  refuseIfOnCompletedBill(parent, refs);

  const scope = scopeOf(parent.area);
  if (!child.exists) {
    child.exists = true;
    s.counters.push({ name: 'children', scope, delta: 1 });
  } else if (child.area !== parent.area) {
    // Children take their parent's area; the child's count moves with it.
    s.counters.push({ name: 'children', scope: scopeOf(child.area), delta: -1 }, { name: 'children', scope, delta: 1 });
  }
  child.area = parent.area;
  s.links.set(childCode, { parentCode, linkedBy: actor.id, linkedAt: now });
  parent.childCount += 1;
  s.counters.push({ name: 'linked_children', scope, delta: 1 });
  if (parent.childCount === capacity) s.counters.push({ name: 'parents_full', scope, delta: 1 });

  const p = state(parent);
  const message = `${childCode} → ${parentCode} (${p.childCount}/${p.capacity})`;
  return {
    status: 'applied', message, data: { outcome: 'applied', message, childCode, parent: p }, refs, scope,
    audit: { action: 'bag.link', entityType: 'bag', entityId: child.id, before: { parent: null }, after: { parent: parentCode, childCode } },
  };
}

/**
 * The moment a dispatcher's unlink counts as made: a synced scan's device time, so an unlink scanned
 * offline within the window is not refused for syncing late, but never later than server now. A
 * device time before the link it undoes is a wrong clock (a handheld reset to 1970), not a reason
 * to allow the unlink: the unlink then counts at server now.
 */
function unlinkTimeOf(link: BatchLink, clock: ScanClock): Date {
  const claimed = clock.clientTime?.getTime() ?? clock.now.getTime();
  if (claimed < link.linkedAt.getTime()) return clock.now;
  return new Date(Math.min(clock.now.getTime(), claimed));
}

/** Removes only the link: both bags and all history stay. */
function unlinkChild(s: BatchState, actor: Actor, parsed: ParsedCode, clock: ScanClock): RuleResult {
  const childCode = childCodeOrRefuse(parsed);
  const child = s.bags.get(childCode);
  if (!child?.exists) throw new AppError('BAG_NOT_FOUND', `${childCode} is not registered.`);
  if (child.type !== 'child') throw new AppError('WRONG_BAG_TYPE', `${childCode} is a parent bag, not a child.`);
  const link = s.links.get(childCode) ?? null;
  if (!link) throw new AppError('CHILD_NOT_LINKED', `${childCode} is not in any parent.`, { refs: { childId: child.id } });
  const parent = s.bags.get(link.parentCode);
  if (!parent) throw new AppError('TRANSIENT', `${childCode} changed while unlinking. Try again.`);
  const refs = { parentId: parent.id, childId: child.id };
  refuseIfOtherArea(s, actor, parent, refs);
  if (actor.role === 'dispatcher') {
    const isOwn = link.linkedBy === actor.id;
    const isRecent = unlinkTimeOf(link, clock).getTime() - link.linkedAt.getTime() <= DISPATCHER_UNLINK_WINDOW_MS;
    if (!isOwn || !isRecent) {
      throw new AppError('UNLINK_NOT_ALLOWED', `Dispatchers can only unlink children they linked themselves, within an hour of linking. Ask a biller or admin to unlink ${childCode}.`, { refs });
    }
  }
  refuseIfOnCompletedBill(parent, refs);

  const scope = scopeOf(parent.area);
  if (parent.childCount === parent.capacity) s.counters.push({ name: 'parents_full', scope, delta: -1 });
  s.links.set(childCode, null);
  parent.childCount -= 1;
  s.counters.push({ name: 'linked_children', scope, delta: -1 });
  const p = state(parent);
  const message = `${childCode} removed from ${parent.code} (${p.childCount}/${p.capacity})`;
  return {
    status: 'applied', message, data: { outcome: 'applied', message, childCode, parent: p }, refs, scope,
    audit: { action: 'bag.unlink', entityType: 'bag', entityId: child.id, before: { parent: parent.code }, after: { parent: null } },
  };
}

export function applyBagCommand(s: BatchState, actor: Actor, cmd: ClassifiedCommand, clock: ScanClock): RuleResult {
  switch (cmd.name) {
    case 'parent.scan':
      return scanParent(s, actor, cmd.code);
    case 'child.link':
      // A link is stamped with server time: the window runs from when the server recorded it.
      return linkChild(s, actor, cmd, clock.now);
    case 'child.unlink':
      return unlinkChild(s, actor, cmd.child, clock);
  }
}
