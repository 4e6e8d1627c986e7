import { AppError, type BagDetail, type BagListInput, listAreaOf, OTHER_AREA_REFUSAL } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { decodeIdCursor, idKeysetPage } from '../../infra/keyset-cursor';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { scopeOf } from '../counters/deltas';
import { bumpCounters } from '../counters/queries';
import { toBag, toLinkedChild, toScanEvent } from './mappers';
import * as q from './queries';
import { classifyOrRefuse } from './code-slots';

/** Exact-code lookup works for every role: scanners must see conflicts in any area. */
export async function getBag(deps: Pick<Deps, 'db'>, input: { code: string }): Promise<BagDetail> {
  const code = classifyOrRefuse(input.code).code;
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
    children: children.map(toLinkedChild),
    bill: row.bill_number && row.bill_status ? { billNumber: row.bill_number, status: row.bill_status } : null,
    events: events.map(toScanEvent),
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
