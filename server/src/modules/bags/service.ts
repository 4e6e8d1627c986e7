import {
  ACCEPTED_FORMATS_TEXT,
  AppError,
  type BagDetail,
  type BagListInput,
  type LinkChildOutput,
  PARENT_FORMATS,
  parseBagCode,
  type ParsedCode,
} from '@tracetrack/shared';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { type Executor, inTransaction, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../../trpc/context';
import { insertAudit } from '../audit/queries';
import { bumpCounters, type CounterDelta, scopeOf } from '../counters/queries';
import type { ScanEffect } from '../scans/service';
import * as q from './queries';
import { toBag, toParentState, toScanEvent } from './mappers';

/** Dispatchers may undo their own links for this long; billers and admins any time. */
export const DISPATCHER_UNLINK_WINDOW_MS = 60 * 60 * 1000;

function parseOrRefuse(raw: string): Exclude<ParsedCode, { kind: 'invalid' }> {
  const parsed = parseBagCode(raw);
  if (parsed.kind === 'invalid') {
    throw new AppError('INVALID_CODE', `"${parsed.code || raw.slice(0, 40)}" is not a bag code. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
  }
  return parsed;
}

const PARENT_FORMATS_TEXT = PARENT_FORMATS.map((f) => `${f.example} (${f.label})`).join(' or ');

/**
 * A code in a parent slot. A known child is WRONG_BAG_TYPE (a code's type never changes);
 * an unknown code that is not a parent format is INVALID_CODE, naming the parent formats.
 */
async function expectParentCode(tx: Executor, raw: string) {
  const parsed = parseOrRefuse(raw);
  if (parsed.kind === 'parent') return parsed;
  if (await q.findBagByCode(tx, parsed.code)) {
    throw new AppError('WRONG_BAG_TYPE', `${parsed.code} is a child bag; scan a parent bag (e.g. ${PARENT_FORMATS_TEXT}).`);
  }
  throw new AppError('INVALID_CODE', `${parsed.code} is not a parent code. Parent codes look like ${PARENT_FORMATS_TEXT}.`);
}

function expectChildCode(raw: string) {
  const parsed = parseOrRefuse(raw);
  if (parsed.kind !== 'child') {
    throw new AppError('WRONG_BAG_TYPE', `${parsed.code} is a parent code; scan a child bag here.`);
  }
  return parsed;
}

/** Locks an existing parent; refuses if the code is unknown or belongs to a child. */
async function lockParent(tx: Tx, code: string) {
  const bag = await q.lockBagByCode(tx, code);
  if (!bag) throw new AppError('BAG_NOT_FOUND', `Parent ${code} is not registered. Scan it as a parent first.`);
  if (bag.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag, not a parent.`);
  return bag;
}

async function refuseIfOnCompletedBill(tx: Tx, parent: { id: number; code: string }, refs: Record<string, unknown>) {
  const bill = await q.findBillOfParentForShare(tx, parent.id);
  if (bill?.status === 'completed') {
    throw new AppError('BILL_COMPLETED', `${parent.code} is on completed bill ${bill.bill_number}; reopen the bill first.`, {
      billNumber: bill.bill_number, refs,
    });
  }
}

/** Scanning a parent registers it (in the dispatcher's area) or opens the existing one. */
export async function scanParent(tx: Tx, actor: Actor, input: { code: string }) {
  const parsed = await expectParentCode(tx, input.code);
  let bag = await q.lockBagByCode(tx, parsed.code);
  let created = false;
  if (!bag) {
    bag = await q.insertParentBag(tx, {
      code: parsed.code, format: parsed.format, capacity: parsed.spec.maxChildren, area: actor.area, createdBy: actor.id,
    });
    created = bag !== undefined;
    // Lost a race with another scanner registering the same code: use theirs.
    bag ??= await q.lockBagByCode(tx, parsed.code);
  }
  if (!bag) throw new AppError('TRANSIENT', 'Could not register the parent. Try again.');
  if (bag.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${parsed.code} is registered as a child bag, not a parent.`);
  const parent = toParentState(bag, bag.child_count);
  const effect: ScanEffect<{ outcome: 'applied' | 'unchanged'; message: string; parent: typeof parent }> = {
    status: created ? 'applied' : 'unchanged',
    message: created
      ? `Registered ${bag.code} (${parent.childCount}/${parent.capacity})`
      : `${bag.code} ${parent.childCount}/${parent.capacity}`,
    data: { outcome: created ? 'applied' : 'unchanged', message: '', parent },
    refs: { parentId: bag.id },
    scope: scopeOf(bag.area),
  };
  effect.data.message = effect.message;
  if (created) {
    effect.audit = { action: 'bag.register_parent', entityType: 'bag', entityId: bag.id, after: { code: bag.code, format: bag.format, area: bag.area } };
    await bumpCounters(tx, [{ name: 'parents', scope: scopeOf(bag.area), delta: 1 }]);
  }
  return effect;
}

/**
 * Links a child into a parent under the parent's row lock (capacity) and the child's row lock
 * (exclusivity). Lock order everywhere: parent bag, then child bag, then bill.
 */
export async function linkChildToParent(
  tx: Tx,
  actor: Actor,
  input: { parentCode: string; childCode: string },
  now: Date,
): Promise<ScanEffect<LinkChildOutput>> {
  const parentCode = (await expectParentCode(tx, input.parentCode)).code;
  const childCode = expectChildCode(input.childCode).code;
  const parent = await lockParent(tx, parentCode);
  const refs = { parentId: parent.id };

  let child = await q.lockBagByCode(tx, childCode);
  let childCreated = false;
  if (!child) {
    child = await q.insertChildBag(tx, { code: childCode, area: parent.area, createdBy: actor.id });
    childCreated = child !== undefined;
    child ??= await q.lockBagByCode(tx, childCode);
  }
  if (!child) throw new AppError('TRANSIENT', 'Could not register the child. Try again.');
  if (child.type !== 'child') {
    throw new AppError('WRONG_BAG_TYPE', `${childCode} is registered as a parent bag, not a child.`, { refs });
  }
  const childRefs = { parentId: parent.id, childId: child.id };

  const existing = childCreated ? undefined : await q.findLinkOfChild(tx, child.id);
  if (existing && existing.parent_id === parent.id) {
    const state = toParentState(parent, parent.child_count);
    const message = `${childCode} is already in ${parent.code} (${state.childCount}/${state.capacity})`;
    return { status: 'unchanged', message, data: { outcome: 'unchanged', message, childCode, parent: state }, refs: childRefs, scope: scopeOf(parent.area) };
  }
  if (existing) {
    throw new AppError('CHILD_IN_OTHER_PARENT', `${childCode} is already in ${existing.parent_code}. Unlink it there first.`, {
      otherParentCode: existing.parent_code, childCode, refs: childRefs,
    });
  }
  const capacity = parent.capacity ?? 0;
  if (parent.child_count >= capacity) {
    throw new AppError('PARENT_FULL', `${parent.code} is full (${parent.child_count}/${capacity}).`, {
      parent: toParentState(parent, parent.child_count), childCode, refs: childRefs,
    });
  }
  await refuseIfOnCompletedBill(tx, parent, childRefs);

  await q.insertLink(tx, child.id, parent.id, actor.id, now);
  const childCount = await q.changeChildCount(tx, parent.id, 1);
  const deltas: CounterDelta[] = [{ name: 'linked_children', scope: scopeOf(parent.area), delta: 1 }];
  if (childCreated) deltas.push({ name: 'children', scope: scopeOf(parent.area), delta: 1 });
  else if (child.area !== parent.area) {
    // Children take their parent's area; move the child's count with it.
    await q.setBagArea(tx, child.id, parent.area);
    deltas.push({ name: 'children', scope: scopeOf(child.area), delta: -1 }, { name: 'children', scope: scopeOf(parent.area), delta: 1 });
  }
  if (childCount === capacity) deltas.push({ name: 'parents_full', scope: scopeOf(parent.area), delta: 1 });
  await bumpCounters(tx, deltas);

  const state = toParentState(parent, childCount);
  const message = `${childCode} → ${parent.code} (${state.childCount}/${state.capacity})`;
  return {
    status: 'applied',
    message,
    data: { outcome: 'applied', message, childCode, parent: state },
    refs: childRefs,
    scope: scopeOf(parent.area),
    audit: { action: 'bag.link', entityType: 'bag', entityId: child.id, before: { parent: null }, after: { parent: parent.code, childCode } },
  };
}

/** Removes only the link: both bags and all history stay. */
export async function unlinkChild(tx: Tx, actor: Actor, input: { childCode: string }, now: Date) {
  const childCode = expectChildCode(input.childCode).code;
  const found = await q.findBagViewByCode(tx, childCode);
  if (!found) throw new AppError('BAG_NOT_FOUND', `${childCode} is not registered.`);
  if (found.type !== 'child') throw new AppError('WRONG_BAG_TYPE', `${childCode} is a parent bag, not a child.`);
  const link = await q.findLinkOfChild(tx, found.id);
  if (!link) throw new AppError('CHILD_NOT_LINKED', `${childCode} is not in any parent.`, { refs: { childId: found.id } });

  // Lock in the global order (parent, then child), then confirm the link did not move meanwhile.
  const parent = await lockParent(tx, link.parent_code);
  await q.lockBagByCode(tx, childCode);
  const current = await q.findLinkOfChild(tx, found.id);
  if (!current || current.parent_id !== parent.id) throw new AppError('TRANSIENT', `${childCode} changed while unlinking. Try again.`);
  const refs = { parentId: parent.id, childId: found.id };

  if (actor.role === 'dispatcher') {
    const isOwn = current.linked_by === actor.id;
    const isRecent = now.getTime() - current.linked_at.getTime() <= DISPATCHER_UNLINK_WINDOW_MS;
    if (!isOwn || !isRecent) {
      throw new AppError('UNLINK_NOT_ALLOWED', `Dispatchers can only unlink children they linked in the last hour. Ask a biller or admin to unlink ${childCode}.`, { refs });
    }
  }
  await refuseIfOnCompletedBill(tx, parent, refs);

  await q.deleteLink(tx, found.id);
  const childCount = await q.changeChildCount(tx, parent.id, -1);
  const deltas: CounterDelta[] = [{ name: 'linked_children', scope: scopeOf(parent.area), delta: -1 }];
  if (parent.child_count === parent.capacity) deltas.push({ name: 'parents_full', scope: scopeOf(parent.area), delta: -1 });
  await bumpCounters(tx, deltas);

  const state = toParentState(parent, childCount);
  const message = `${childCode} removed from ${parent.code} (${state.childCount}/${state.capacity})`;
  return {
    status: 'applied' as const,
    message,
    data: { outcome: 'applied' as const, message, childCode, parent: state },
    refs,
    scope: scopeOf(parent.area),
    audit: { action: 'bag.unlink', entityType: 'bag', entityId: found.id, before: { parent: parent.code }, after: { parent: null } },
  };
}

/** Exact-code lookup works for every role: scanners must see conflicts in any area. */
export async function getBag(deps: Pick<Deps, 'db'>, input: { code: string }): Promise<BagDetail> {
  const code = parseOrRefuse(input.code).code;
  const row = await q.findBagViewByCode(deps.db, code);
  if (!row) throw new AppError('BAG_NOT_FOUND', `${code} is not registered.`);
  const [parent, children, events] = await Promise.all([
    row.parent_code ? q.findBagViewByCode(deps.db, row.parent_code) : undefined,
    row.type === 'parent' ? q.listChildrenOf(deps.db, row.id) : [],
    q.recentEventsOfBag(deps.db, row.id),
  ]);
  return {
    bag: toBag(row),
    parent: parent ? toBag(parent) : null,
    children: children.map(toBag),
    bill: row.bill_number && row.bill_status ? { billNumber: row.bill_number, status: row.bill_status } : null,
    events: events.map(toScanEvent),
  };
}

const cursorSchema = z.object({ id: z.number().int().positive() });
export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}
export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).id;
  } catch {
    throw new AppError('VALIDATION', 'The page cursor is invalid; start from the first page.');
  }
}

/** Dispatchers see their own area only, enforced in the query's WHERE. */
export async function listBags(deps: Pick<Deps, 'db'>, actor: Actor, input: BagListInput) {
  if (actor.role === 'dispatcher' && input.area && input.area !== actor.area) {
    throw new AppError('FORBIDDEN', 'Dispatchers can only list bags of their own area.');
  }
  const area = actor.role === 'dispatcher' ? (actor.area ?? undefined) : input.area;
  const rows = await q.listBags(deps.db, { ...input, area, afterId: decodeCursor(input.cursor) });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return { items: page.map(toBag), nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null };
}

/** Admin only; a bag that holds or sits in anything, or is billed, must be freed first. */
export async function deleteBag(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: { code: string }) {
  const code = parseOrRefuse(input.code).code;
  return inTransaction(deps.db, async (tx) => {
    const bag = await q.lockBagByCode(tx, code);
    if (!bag) throw new AppError('BAG_NOT_FOUND', `${code} is not registered.`);
    if (bag.type === 'child' && (await q.findLinkOfChild(tx, bag.id))) {
      throw new AppError('BAG_IN_USE', `${code} is in a parent; unlink it before deleting.`);
    }
    if (bag.type === 'parent' && bag.child_count > 0) {
      throw new AppError('BAG_IN_USE', `${code} still holds ${bag.child_count} children; unlink them before deleting.`);
    }
    if (bag.type === 'parent' && (await q.isParentBilled(tx, bag.id))) {
      throw new AppError('BAG_IN_USE', `${code} is on a bill; remove it from the bill before deleting.`);
    }
    await q.deleteBagById(tx, bag.id);
    await insertAudit(tx, { actor, meta }, {
      action: 'bag.delete', entityType: 'bag', entityId: bag.id, before: { code: bag.code, type: bag.type, area: bag.area }, isPermanent: true,
    });
    await bumpCounters(tx, [{ name: bag.type === 'parent' ? 'parents' : 'children', scope: scopeOf(bag.area), delta: -1 }]);
    return { outcome: 'applied' as const, message: `Deleted ${code}.`, code };
  });
}
