import { sql } from 'kysely';
import { anyOf } from '../../infra/any-of';
import type { Tx } from '../../infra/transaction';

export interface ProvisionalBag {
  code: string;
  type: 'parent' | 'child';
  format: string | null;
  capacity: number | null;
  /** The area it gets if registered: a child takes its parent's (when that exists), else this. */
  area: string | null;
  parentCode: string | null;
}

/**
 * Inserts the bags a batch may register, in code order (so concurrent batches wait on each other
 * instead of deadlocking); returns the codes that did not exist yet.
 */
export async function insertProvisionalBags(tx: Tx, bags: ProvisionalBag[], createdBy: number): Promise<Set<string>> {
  if (bags.length === 0) return new Set();
  const sorted = [...bags].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const rows = await sql<{ code: string }>`
    insert into bags (code, type, format, capacity, area, created_by)
    select v.code, v.type, v.format, v.capacity, coalesce(p.area, v.area), ${createdBy}::bigint
    from unnest(${sorted.map((b) => b.code)}::text[], ${sorted.map((b) => b.type)}::bag_type[],
                ${sorted.map((b) => b.format)}::text[], ${sorted.map((b) => b.capacity)}::int[],
                ${sorted.map((b) => b.area)}::text[], ${sorted.map((b) => b.parentCode)}::text[])
         with ordinality as v(code, type, format, capacity, area, parent_code, n)
    left join bags p on p.code = v.parent_code and p.type = 'parent'
    order by v.n
    on conflict (code) do nothing
    returning code`.execute(tx);
  return new Set(rows.rows.map((r) => r.code));
}

/**
 * Row-locks bags by code in id order: every batch locks in the same order, so none deadlock. The
 * current parents of `parentsOfChildCodes` (children the batch unlinks) join the same ordered set:
 * the statement reads those links before it locks anything, so the caller must re-check them once
 * the children are locked (another batch may have moved a child in between).
 */
export async function lockBagsByCode(tx: Tx, codes: string[], parentsOfChildCodes: string[] = []) {
  if (codes.length === 0 && parentsOfChildCodes.length === 0) return [];
  const select = tx.selectFrom('bags').select(['id', 'code', 'type', 'format', 'capacity', 'child_count', 'area']);
  const matching = parentsOfChildCodes.length === 0
    ? select.where(anyOf('code', codes, 'text'))
    : select.where(sql<boolean>`code = any(${codes}::text[]) or id = any(array(
        select l.parent_id from links l join bags c on c.id = l.child_id where c.code = any(${parentsOfChildCodes}::text[])))`);
  return matching.orderBy('id').forUpdate().execute();
}

export async function linksOfChildren(tx: Tx, childIds: number[]) {
  if (childIds.length === 0) return [];
  return tx
    .selectFrom('links as l')
    .innerJoin('bags as p', 'p.id', 'l.parent_id')
    .select(['l.child_id', 'p.code as parent_code', 'l.linked_by', 'l.linked_at'])
    .where(anyOf('l.child_id', childIds, 'bigint'))
    .execute();
}

/**
 * Locks the bills of these parents: completing a bill takes FOR UPDATE, so nothing slips into a
 * completed bill. FOR NO KEY UPDATE rather than FOR SHARE because a changed child count updates
 * the bill row (the billers' feed trigger): two batches sharing a bill would each hold a share
 * lock and then wait for the other's to update it (a deadlock); this way the second one waits here.
 */
export async function billsOfParents(tx: Tx, parentIds: number[]) {
  if (parentIds.length === 0) return [];
  return tx
    .selectFrom('bill_parents as bp')
    .innerJoin('bills as bl', 'bl.id', 'bp.bill_id')
    .select(['bp.parent_id', 'bl.bill_number', 'bl.status'])
    .where(anyOf('bp.parent_id', parentIds, 'bigint'))
    .forNoKeyUpdate('bl')
    .execute();
}

export async function deleteLinksOf(tx: Tx, childIds: number[]) {
  if (childIds.length) await tx.deleteFrom('links').where(anyOf('child_id', childIds, 'bigint')).execute();
}

export async function insertLinks(tx: Tx, links: { childId: number; parentId: number; linkedBy: number | null; linkedAt: Date }[]) {
  if (links.length === 0) return;
  await sql`
    insert into links (child_id, parent_id, linked_by, linked_at)
    select * from unnest(${links.map((l) => l.childId)}::bigint[], ${links.map((l) => l.parentId)}::bigint[],
                         ${links.map((l) => l.linkedBy)}::bigint[], ${links.map((l) => l.linkedAt.toISOString())}::timestamptz[])`.execute(tx);
}

export async function updateBagStates(tx: Tx, rows: { id: number; childCount: number; area: string | null }[]) {
  if (rows.length === 0) return;
  await sql`
    update bags set child_count = v.child_count, area = v.area, updated_at = now()
    from unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.childCount)}::int[], ${rows.map((r) => r.area)}::text[])
      as v(id, child_count, area)
    where bags.id = v.id`.execute(tx);
}

export async function deleteBagsById(tx: Tx, ids: number[]) {
  if (ids.length) await tx.deleteFrom('bags').where(anyOf('id', ids, 'bigint')).execute();
}

/** Display names of dispatch areas ("Sri Ganganagar"), by code. */
export async function areaNamesOf(tx: Tx, codes: string[]): Promise<Map<string, string>> {
  const rows = await tx.selectFrom('dispatch_areas').select(['code', 'name']).where(anyOf('code', codes, 'text')).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}
