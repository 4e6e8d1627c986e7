import { AppError, canScanIntoArea, isFinalRefusal } from '@tracetrack/shared';
import { sql } from 'kysely';
import type { Tx } from '../../infra/transaction';
import type { Actor } from '../actor';
import type { CounterDelta } from '../counters/deltas';
import type { BagCommand } from '../scans/commands';
import type { ScanRefs } from '../scans/types';
import * as bq from './batch-queries';
import { applyBagCommand, type BatchBag, type BatchLink, type BatchState, classifyCommand, codesOf, type RuleResult } from './rules';

export interface BagBatchResult {
  results: Array<RuleResult | AppError>;
  counters: CounterDelta[];
}

/** One bag scan of a batch and when it was captured: a device's clock for synced scans, null online. */
export interface BagScan {
  command: BagCommand;
  clientTime: Date | null;
}

/** How often the lock phase starts over when children keep moving to parents outside its lock set. */
const LOCK_ATTEMPTS = 5;

/**
 * Applies a run of bag scans in one transaction with a constant number of statements: every bag
 * the run may touch is inserted (if new) and row-locked up front in id order, the rules run in
 * memory in order, and only the net changes are written. Online calls are runs of one.
 */
export async function runBagCommands(tx: Tx, actor: Actor, scans: BagScan[], now: Date): Promise<BagBatchResult> {
  const provisional = new Map<string, bq.ProvisionalBag>();
  const lookups = new Set<string>();
  const unlinked = new Set<string>();
  const commands = scans.map((scan) => classifyCommand(scan.command));
  for (const cmd of commands) {
    const codes = codesOf(cmd);
    for (const p of codes.parents) {
      provisional.set(p.code, { code: p.code, type: 'parent', format: p.format, capacity: p.spec.maxChildren, area: actor.area, parentCode: null });
    }
    // A new child is inserted already in the area it will take (its parent's), so linking it
    // needs no second write of the row.
    const parentCode = cmd.name === 'child.link' && cmd.parent.kind === 'parent' ? cmd.parent.code : null;
    for (const code of codes.children) {
      if (!provisional.has(code)) provisional.set(code, { code, type: 'child', format: null, capacity: null, area: actor.area, parentCode });
    }
    for (const code of codes.lookups) lookups.add(code);
    if (cmd.name === 'child.unlink') for (const code of codes.lookups) unlinked.add(code);
  }

  const created = await bq.insertProvisionalBags(tx, [...provisional.values()], actor.id);
  const { rows, links } = await lockBatch(tx, [...new Set([...provisional.keys(), ...lookups])], unlinked);
  const childIds = rows.filter((r) => r.type === 'child').map((r) => r.id);
  const codeOfChild = new Map(rows.map((r) => [r.id, r.code]));
  const bills = new Map((await bq.billsOfParents(tx, rows.filter((r) => r.type === 'parent').map((r) => r.id))).map((b) => [b.parent_id, b]));

  // Names for the area rule's refusals, read only when this batch touches a parent the actor may not scan into.
  const otherAreas = rows.filter((r) => r.type === 'parent' && !canScanIntoArea(actor, r.area)).map((r) => r.area!);
  const areaNames = otherAreas.length === 0 ? new Map<string, string>() : await bq.areaNamesOf(tx, [...new Set([...otherAreas, actor.area ?? ''])]);
  const state: BatchState = { bags: new Map(), links: new Map(), counters: [], areaNames };
  const loaded = new Map<string, { childCount: number; area: string | null }>();
  for (const r of rows) {
    const bill = bills.get(r.id);
    const bag: BatchBag = {
      id: r.id, code: r.code, type: r.type, format: r.format, capacity: r.capacity, childCount: r.child_count, area: r.area,
      isProvisional: created.has(r.code), exists: !created.has(r.code), billNumber: bill?.bill_number ?? null, billStatus: bill?.status ?? null,
    };
    state.bags.set(r.code, bag);
    loaded.set(r.code, { childCount: r.child_count, area: r.area });
  }
  const initialLinks = new Map<string, BatchLink | null>();
  for (const id of childIds) initialLinks.set(codeOfChild.get(id)!, null);
  for (const l of links) {
    initialLinks.set(codeOfChild.get(l.child_id)!, { parentCode: l.parent_code, linkedBy: l.linked_by, linkedAt: l.linked_at });
  }
  for (const [code, link] of initialLinks) state.links.set(code, link);

  const results: Array<RuleResult | AppError> = scans.map(({ clientTime }, i) => {
    try {
      return applyBagCommand(state, actor, commands[i]!, { now, clientTime });
    } catch (e) {
      // A refusal is this scan's final answer; anything else fails the whole batch, to be resent.
      if (isFinalRefusal(e)) return e;
      throw e;
    }
  });

  await writeNetChanges(tx, state, initialLinks, loaded);
  dropRefsToDiscarded(results, state);
  return { results, counters: state.counters };
}

/**
 * Locks the batch's bags in one id-ordered statement. An unlink changes the count of the child's
 * current parent, so that parent must be in the same ordered set: the statement reads the links
 * of the unlinked children before it locks (taking a parent later, outside the order, is what
 * deadlocked crossing batches). That read is not under the child's lock, so once every child is
 * locked (and its link can no longer change) the links are read again; if a child now sits in a
 * parent outside the set, the locks are given back (rollback to the savepoint) and the phase
 * starts over. Correctness never rests on the first read, only the lock order does.
 */
async function lockBatch(tx: Tx, codes: string[], unlinked: Set<string>) {
  const mayRetry = unlinked.size > 0;
  if (mayRetry) await sql`savepoint bag_lock_set`.execute(tx);
  for (let attempt = 1; ; attempt++) {
    const rows = await bq.lockBagsByCode(tx, codes, [...unlinked]);
    const links = await bq.linksOfChildren(tx, rows.filter((r) => r.type === 'child').map((r) => r.id));
    const locked = new Set(rows.map((r) => r.code));
    const codeOf = new Map(rows.map((r) => [r.id, r.code]));
    const hasEveryParent = links.every((l) => locked.has(l.parent_code) || !unlinked.has(codeOf.get(l.child_id)!));
    if (hasEveryParent) {
      if (mayRetry) await sql`release savepoint bag_lock_set`.execute(tx);
      return { rows, links };
    }
    if (attempt === LOCK_ATTEMPTS) {
      throw new AppError('TRANSIENT', 'Other scans kept moving these children to other parents; nothing was saved. Try again.');
    }
    await sql`rollback to savepoint bag_lock_set`.execute(tx);
  }
}

async function writeNetChanges(
  tx: Tx,
  state: BatchState,
  initialLinks: Map<string, BatchLink | null>,
  loaded: Map<string, { childCount: number; area: string | null }>,
) {
  const idOf = (code: string) => state.bags.get(code)!.id;
  const removed: number[] = [];
  const added: { childId: number; parentId: number; linkedBy: number | null; linkedAt: Date }[] = [];
  for (const [code, link] of state.links) {
    const before = initialLinks.get(code) ?? null;
    if (link === before) continue;
    if (before) removed.push(idOf(code));
    if (link) added.push({ childId: idOf(code), parentId: idOf(link.parentCode), linkedBy: link.linkedBy, linkedAt: link.linkedAt });
  }
  const discarded: number[] = [];
  const changed: { id: number; childCount: number; area: string | null }[] = [];
  for (const bag of state.bags.values()) {
    if (bag.isProvisional && !bag.exists) {
      discarded.push(bag.id);
      continue;
    }
    const before = loaded.get(bag.code);
    if (!before || before.childCount !== bag.childCount || before.area !== bag.area) changed.push({ id: bag.id, childCount: bag.childCount, area: bag.area });
  }
  await bq.deleteLinksOf(tx, removed);
  await bq.updateBagStates(tx, changed);
  await bq.insertLinks(tx, added);
  await bq.deleteBagsById(tx, discarded);
}

/** A refused scan of a new code leaves no bag behind, so its event must not point at one. */
function dropRefsToDiscarded(results: Array<RuleResult | AppError>, state: BatchState) {
  const discarded = new Set([...state.bags.values()].filter((b) => b.isProvisional && !b.exists).map((b) => b.id));
  if (discarded.size === 0) return;
  for (const r of results) {
    const refs = (r instanceof AppError ? r.details?.refs : r.refs) as ScanRefs | undefined;
    if (!refs) continue;
    if (refs.childId && discarded.has(refs.childId)) refs.childId = null;
    if (refs.parentId && discarded.has(refs.parentId)) refs.parentId = null;
  }
}
