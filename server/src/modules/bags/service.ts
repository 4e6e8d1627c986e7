import { AppError, type BagDetail, type BagListInput, type BagSetAreaInput, listAreaOf, OTHER_AREA_REFUSAL } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { decodeIdCursor, idKeysetPage } from '../../infra/keyset-cursor';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { type CounterDelta, type CounterName, scopeOf } from '../counters/deltas';
import { bumpCounters } from '../counters/queries';
import { toBag, toLinkedChild, toScanEvent } from './mappers';
import * as q from './queries';
import { classifyOrRefuse } from './code-slots';

/** Exact-code lookup works for every role: scanners must see conflicts in any area. */
export async function getBag(deps: Pick<Deps, 'db'>, input: { code: string }): Promise<BagDetail> {
  const code = classifyOrRefuse(input.code).code;
  const row = await q.findBagDetailByCode(deps.db, code);
  if (!row) throw new AppError('BAG_NOT_FOUND', `${code} is not registered.`);
  return {
    bag: toBag(row),
    parent: row.parent ? toBag(row.parent) : null,
    children: row.type === 'parent' ? row.children.map(toLinkedChild) : [],
    bill: row.bill_number && row.bill_status ? { billNumber: row.bill_number, status: row.bill_status } : null,
    events: row.events.map(toScanEvent),
  };
}

/** The area rule (listAreaOf): a dispatcher sees their own area only, enforced in the query's WHERE. */
export async function listBags(deps: Pick<Deps, 'db'>, actor: Actor, input: BagListInput) {
  const ownArea = listAreaOf(actor);
  if (ownArea !== null && input.area && input.area !== ownArea) throw new AppError('FORBIDDEN', OTHER_AREA_REFUSAL);
  const area = ownArea ?? input.area;
  const rows = await q.listBags(deps.db, { ...input, area, afterId: decodeIdCursor(input.cursor) });
  const { page, nextCursor } = idKeysetPage(rows, input.limit);
  return { items: page.map(toBag), nextCursor };
}

/** Admin only; a bag that holds or sits in anything, or is billed, must be freed first. */
export async function deleteBag(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: { code: string }) {
  const code = classifyOrRefuse(input.code).code;
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

/**
 * Admin only: moves a parent to another dispatch area, its children with it (children take their
 * parent's area). The counters move with them; the parent's old area's sync feed gets a tombstone
 * (a trigger) and the new one sees the parent as changed.
 */
export async function setBagArea(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: BagSetAreaInput) {
  const code = classifyOrRefuse(input.code).code;
  return inTransaction(deps.db, async (tx) => {
    const bag = await q.lockBagByCode(tx, code);
    if (!bag) throw new AppError('BAG_NOT_FOUND', `${code} is not registered.`);
    if (bag.type !== 'parent') throw new AppError('WRONG_BAG_TYPE', `${code} is a child bag; move its parent instead (children take their parent's area).`);
    const area = await q.findAreaName(tx, input.area);
    if (!area) throw new AppError('AREA_NOT_FOUND', `There is no dispatch area "${input.area}".`, { field: 'area' });
    if (bag.area === area.code) {
      return { outcome: 'unchanged' as const, message: `${code} is already in ${area.name}.`, code, area: area.code };
    }
    const children = await q.lockChildrenOf(tx, bag.id);
    const isBilled = await q.isParentBilled(tx, bag.id);
    await q.setAreaOfBags(tx, [bag.id, ...children.map((c) => c.id)], area.code);

    const [from, to] = [scopeOf(bag.area), scopeOf(area.code)];
    const move = (name: CounterName, n: number): CounterDelta[] => (n === 0 ? [] : [{ name, scope: from, delta: -n }, { name, scope: to, delta: n }]);
    const deltas: CounterDelta[] = [
      ...move('parents', 1),
      ...move('linked_children', children.length),
      ...move('parents_full', bag.child_count === bag.capacity ? 1 : 0),
      ...move('billed_parents', isBilled ? 1 : 0),
      // Children count where they are, which is their parent's area unless they were linked before it moved.
      ...children.map((c): CounterDelta => ({ name: 'children', scope: scopeOf(c.area), delta: -1 })),
      { name: 'children', scope: to, delta: children.length },
    ];
    await insertAudit(tx, { actor, meta }, {
      action: 'bag.set_area', entityType: 'bag', entityId: bag.id,
      before: { code, area: bag.area }, after: { code, area: area.code, childrenMoved: children.length },
    });
    await bumpCounters(tx, deltas);
    const message = `Moved ${code} and ${children.length} ${children.length === 1 ? 'child' : 'children'} to ${area.name}.`;
    return { outcome: 'applied' as const, message, code, area: area.code };
  });
}
