import { areaCodeSchema, type BagFilter } from '@tracetrack/shared';
import { type RawBuilder, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { precompiled } from '../../infra/precompiled';
import type { Executor, Tx } from '../../infra/transaction';

/** How many of a bag's events bag.get shows. */
export const RECENT_EVENTS = 50;

const bagColumns = ['b.id', 'b.code', 'b.type', 'b.format', 'b.capacity', 'b.child_count', 'b.area', 'b.created_at'] as const;


/** Row-locks a bag for the rest of the transaction (the capacity and exclusivity rules rely on it). */
export async function lockBagByCode(tx: Tx, code: string) {
  return tx
    .selectFrom('bags as b')
    .select(bagColumns)
    .where('b.code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

export async function findLinkOfChild(db: Executor, childId: number) {
  return db
    .selectFrom('links as l')
    .innerJoin('bags as p', 'p.id', 'l.parent_id')
    .select(['l.parent_id', 'l.linked_by', 'l.linked_at', 'p.code as parent_code'])
    .where('l.child_id', '=', childId)
    .executeTakeFirst();
}

export async function deleteBagById(tx: Tx, id: number) {
  await tx.deleteFrom('bags').where('id', '=', id).execute();
}

export async function isParentBilled(db: Executor, parentId: number): Promise<boolean> {
  const row = await db.selectFrom('bill_parents').select('parent_id').where('parent_id', '=', parentId).executeTakeFirst();
  return row !== undefined;
}

/** A bag with what the API shows beside it: its parent (children), its bill (parents), its creator. */
function bagView(db: Executor) {
  return db
    .selectFrom('bags as b')
    .leftJoin('links as l', 'l.child_id', 'b.id')
    .leftJoin('bags as p', 'p.id', 'l.parent_id')
    .leftJoin('bill_parents as bp', 'bp.parent_id', 'b.id')
    .leftJoin('bills as bl', 'bl.id', 'bp.bill_id')
    .leftJoin('users as u', 'u.id', 'b.created_by')
    .select([...bagColumns, 'p.code as parent_code', 'bl.bill_number', 'bl.status as bill_status', 'u.username as created_by_username']);
}



/** A parent's children with who linked each and when (the unlink rules need both). */
function childrenOfQuery(db: Executor) {
  return bagView(db)
    .leftJoin('users as lu', 'lu.id', 'l.linked_by')
    .select(['l.linked_at', 'lu.username as linked_by_username'])
    .orderBy('l.linked_at')
    .orderBy('b.id')
    .limit(500);
}

export type BagListFilters = BagFilter & { afterId: number | null; limit: number };

/**
 * The bag view narrowed by a filter: the one WHERE behind the list, its count and its export.
 * Codes are stored upper-case and the search is normalised the same way, so LIKE is
 * case-insensitive here; the search holds only A–Z, 0–9 and -, none of them LIKE wildcards.
 * Both shapes are answered by the trigram index on lower(code) (bags_code_trgm), which lookups
 * by exact code never use.
 *
 * The type and area go into the statement as literals, not parameters (see listBags): they choose
 * the plan, and both are checked to a closed alphabet before they get here (bagTypeSchema,
 * areaCodeSchema), which `literalArea` checks again with the same schema.
 */
function filteredBags(db: Executor, filters: BagFilter) {
  let q = bagView(db);
  if (filters.code) {
    const needle = filters.code.toLowerCase();
    q = q.where(sql<string>`lower(b.code)`, 'like', filters.codeMatch === 'prefix' ? `${needle}%` : `%${needle}%`);
  }
  if (filters.type) q = q.where('b.type', '=', sql.lit(filters.type === 'parent' ? 'parent' : 'child'));
  if (filters.area) q = q.where('b.area', '=', sql.lit(literalArea(filters.area)));
  if (filters.from) q = q.where('b.created_at', '>=', new Date(filters.from));
  if (filters.to) q = q.where('b.created_at', '<=', new Date(filters.to));
  if (filters.linked !== undefined) {
    const linked = filters.linked;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('b.type', '=', sql.lit('child')), linked ? eb('l.child_id', 'is not', null) : eb('l.child_id', 'is', null)]),
        eb.and([eb('b.type', '=', sql.lit('parent')), eb('b.child_count', linked ? '>' : '=', sql.lit(0))]),
      ]),
    );
  }
  if (filters.billed !== undefined) {
    q = q.where('b.type', '=', sql.lit('parent')).where('bp.parent_id', filters.billed ? 'is not' : 'is', null);
  }
  if (filters.scannedBy) {
    const username = filters.scannedBy.toLowerCase();
    q = q.where('b.created_by', '=', (eb) =>
      eb.selectFrom('users').select('id').where(sql`lower(username)`, '=', username),
    );
  }
  return q;
}

/** An area code as it may appear in a statement's text: what areaCodeSchema takes, nothing else. */
function literalArea(area: string): string {
  if (!areaCodeSchema.safeParse(area).success) throw new Error(`not an area code: ${JSON.stringify(area.slice(0, 50))}`);
  return area;
}

/** The first page's keyset cursor: every bag id is below it. */
const BEFORE_EVERY_ID = Number.MAX_SAFE_INTEGER;

/**
 * Newest first, keyset on id; fetches one extra row to know whether another page exists.
 * With a code search the matches come from the trigram index and are then sorted: ordering by an
 * expression keeps the planner from walking the primary key backwards until a page of matches
 * turns up, which reads most of the table when the matches are old bags (codes and ids rise
 * together). A 3-character search matches at most a few thousand of 2M codes.
 *
 * A list filtered by what is in it (type, area, linked or billed) is planned once per connection,
 * not per call: its six-way join takes Postgres ~1.4 ms to plan and ~0.2 ms to run, and screens
 * reload their page on every change. Those values choose the plan, so they are literals in the
 * text; the cursor, present on every page (the first starts above every id), reaches the planner
 * only through `(select $n)`, so no plan knows it: the custom plans Postgres tries first cost what
 * the generic one does, and it keeps the generic one (connection.ts names the statement). A code
 * search, a date range or a "scanned by" is a parameter that chooses the plan; those lists are
 * planned per call, as before (with the hidden cursor the 4-character contains-search got slower
 * in the bench: p50 16–22 → 30–33 ms).
 */
export async function listBags(db: Executor, filters: BagListFilters) {
  const q = filteredBags(db, filters);
  if (filters.code || filters.from || filters.to || filters.scannedBy) {
    const page = filters.afterId === null ? q : q.where('b.id', '<', filters.afterId);
    return page.orderBy(filters.code ? sql`b.id + 0` : sql`b.id`, 'desc').limit(filters.limit + 1).execute();
  }
  return q
    .where('b.id', '<', sql<number>`(select ${filters.afterId ?? BEFORE_EVERY_ID}::bigint)`)
    .orderBy('b.id', 'desc')
    .limit(sql.lit(filters.limit + 1))
    .execute();
}

/** How many bags match, counting at most `cap + 1` (the caller says "more than cap"). */
export async function countBags(db: Executor, filters: BagFilter, cap: number): Promise<number> {
  const matching = filteredBags(db, filters).clearSelect().select('b.id').limit(cap + 1);
  const row = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The last events of a bag as the child and as the parent (two index probes), newest first. */
function recentEventsQuery(db: Executor, bagId: RawBuilder<number>, limit: number) {
  const branch = (column: 'child_id' | 'parent_id') =>
    db
      .selectFrom('scan_events as e')
      .leftJoin('users as u', 'u.id', 'e.user_id')
      .select([
        'e.id', 'e.mutation_id', 'e.name', 'e.status', 'e.error_code', 'e.message', 'e.device_id', 'e.seq',
        'e.client_time', 'e.server_time', 'u.username',
      ])
      .where(`e.${column}`, '=', bagId)
      .orderBy('e.id', 'desc')
      .limit(limit);
  // union, not union all: an event that names the bag twice is one event.
  const both = db.selectFrom(branch('child_id').as('c')).selectAll().union(db.selectFrom(branch('parent_id').as('p')).selectAll());
  return db.selectFrom(both.as('ev')).selectAll().orderBy('ev.id', 'desc').limit(limit);
}

/**
 * bag.get in one statement: the bag's view and, as JSON beside it, its parent's view, its
 * children (a parent's) and its last events, instead of four round trips. JSON carries
 * timestamps as text (the mappers take either).
 */
const bagDetailQuery = precompiled(1, (db, code: string) =>
  db
    .selectFrom(bagView(db).where('b.code', '=', code).as('v'))
    .selectAll('v')
    .select(() => [
      jsonObjectFrom(bagView(db).where('b.code', '=', sql.ref<string>('v.parent_code'))).as('parent'),
      jsonArrayFrom(childrenOfQuery(db).where('l.parent_id', '=', sql.ref<number>('v.id'))).as('children'),
      jsonArrayFrom(recentEventsQuery(db, sql.ref<number>('v.id'), RECENT_EVENTS)).as('events'),
    ]));

export async function findBagDetailByCode(db: Executor, code: string) {
  const [row] = await bagDetailQuery(db, code);
  return row;
}

/** A parent's children, row-locked in id order (an area move rewrites each of them). */
export async function lockChildrenOf(tx: Tx, parentId: number) {
  return tx
    .selectFrom('bags as b')
    .innerJoin('links as l', 'l.child_id', 'b.id')
    .select(['b.id', 'b.area'])
    .where('l.parent_id', '=', parentId)
    .orderBy('b.id')
    .forUpdate('b')
    .execute();
}

/** Moves bags to an area; the parent's move leaves a tombstone in its old area's sync feed (migration 0005). */
export async function setAreaOfBags(tx: Tx, ids: number[], area: string) {
  if (ids.length === 0) return;
  await tx.updateTable('bags').set({ area, updated_at: sql`now()` }).where('id', 'in', ids).execute();
}

export async function findAreaName(db: Executor, code: string) {
  return db.selectFrom('dispatch_areas').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
}
