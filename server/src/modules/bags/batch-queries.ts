import { sql } from 'kysely';
import type { Tx } from '../../infra/transaction';

export interface ProvisionalBag {
  code: string;
  type: 'parent' | 'child';
  format: string | null;
  capacity: number | null;
}

/**
 * Inserts the bags a batch may register, in code order (so concurrent batches wait on each other
 * instead of deadlocking); returns the codes that did not exist yet.
 */
export async function insertProvisionalBags(tx: Tx, bags: ProvisionalBag[], createdBy: number): Promise<Set<string>> {
  if (bags.length === 0) return new Set();
  const sorted = [...bags].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const rows = await sql<{ code: string }>`
    insert into bags (code, type, format, capacity, created_by)
    select code, type, format, capacity, ${createdBy}::bigint
    from unnest(${sorted.map((b) => b.code)}::text[], ${sorted.map((b) => b.type)}::bag_type[],
                ${sorted.map((b) => b.format)}::text[], ${sorted.map((b) => b.capacity)}::int[])
         with ordinality as v(code, type, format, capacity, n)
    order by n
    on conflict (code) do nothing
    returning code`.execute(tx);
  return new Set(rows.rows.map((r) => r.code));
}

/** Row-locks bags by code in id order: every batch locks in the same order, so none deadlock. */
export async function lockBagsByCode(tx: Tx, codes: string[]) {
  if (codes.length === 0) return [];
  return tx
    .selectFrom('bags')
    .select(['id', 'code', 'type', 'format', 'capacity', 'child_count', 'area'])
    .where('code', 'in', codes)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function linksOfChildren(tx: Tx, childIds: number[]) {
  if (childIds.length === 0) return [];
  return tx
    .selectFrom('links as l')
    .innerJoin('bags as p', 'p.id', 'l.parent_id')
    .select(['l.child_id', 'p.code as parent_code', 'l.linked_by', 'l.linked_at'])
    .where('l.child_id', 'in', childIds)
    .execute();
}

/** FOR SHARE on the bills: completing a bill takes FOR UPDATE, so nothing slips into a completed bill. */
export async function billsOfParents(tx: Tx, parentIds: number[]) {
  if (parentIds.length === 0) return [];
  return tx
    .selectFrom('bill_parents as bp')
    .innerJoin('bills as bl', 'bl.id', 'bp.bill_id')
    .select(['bp.parent_id', 'bl.bill_number', 'bl.status'])
    .where('bp.parent_id', 'in', parentIds)
    .forShare('bl')
    .execute();
}

export async function deleteLinksOf(tx: Tx, childIds: number[]) {
  if (childIds.length) await tx.deleteFrom('links').where('child_id', 'in', childIds).execute();
}

export async function insertLinks(tx: Tx, links: { childId: number; parentId: number; linkedBy: number | null; linkedAt: Date }[]) {
  if (links.length === 0) return;
  await tx
    .insertInto('links')
    .values(links.map((l) => ({ child_id: l.childId, parent_id: l.parentId, linked_by: l.linkedBy, linked_at: l.linkedAt })))
    .execute();
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
  if (ids.length) await tx.deleteFrom('bags').where('id', 'in', ids).execute();
}
