import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createSecondaryStructures, dropSecondaryStructures, readSecondaryStructures } from './indexes';
import { createPeople, SEED_EMAIL_DOMAIN } from './people';
import { planDataset } from './plan';
import * as rows from './rows';
import { countersOf, dayInZone, writeCounters } from './totals';

export interface SeedOptions {
  bags: number;
  seed: number;
  /** The dataset's last day; default the start of today (UTC). */
  until?: Date;
  /** One hash, computed once by the caller, shared by every seeded user. */
  passwordHash: string;
  /** Empty the bag, bill, event, device, audit and counter tables first, and remove earlier seed users. */
  reset?: boolean;
  /** The server's TIME_ZONE, for the daily scan chart. */
  timeZone: string;
  log?: (message: string) => void;
}

export interface SeedSummary {
  bags: number;
  parents: number;
  children: number;
  links: number;
  bills: Record<string, number>;
  billParents: number;
  events: number;
  users: number;
  devices: number;
  ms: number;
  steps: Array<{ step: string; ms: number }>;
}

const LOADED = ['bags', 'links', 'bills', 'bill_parents', 'scan_events'];
/** Return tickets (migration 0011): not seeded, emptied with the tables they refer to. */
const RETURNS = ['bill_return_events', 'return_ticket_bags', 'return_tickets'];

/**
 * Loads a deterministic dataset in ONE transaction (a failure leaves the database as it was):
 * the loaded tables are truncated in it so COPY ... FREEZE writes rows already frozen and
 * visible; secondary indexes, unique constraints and foreign keys are dropped and built once
 * after the load; counters are written to match a recount; then ANALYZE.
 */
export async function seedDatabase(client: pg.Client, opts: SeedOptions): Promise<SeedSummary> {
  const log = opts.log ?? (() => {});
  const steps: SeedSummary['steps'] = [];
  const t0 = performance.now();
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await fn();
    const ms = performance.now() - t;
    steps.push({ step: name, ms });
    log(`  ${name}: ${(ms / 1000).toFixed(1)} s`);
    return out;
  };
  const until = (opts.until ?? new Date(new Date().toISOString().slice(0, 10))).getTime();
  const areas = (await client.query<{ code: string }>('select code from dispatch_areas order by sort_order, code')).rows.map((r) => r.code);
  const plan = planDataset({ bags: opts.bags, seed: opts.seed, until, areas });

  await client.query('begin');
  try {
    await client.query(`set local maintenance_work_mem = '512MB'`);
    await client.query('set local synchronous_commit = off');
    await prepareTables(client, opts.reset ?? false);
    const people = await createPeople(client, plan, areas, opts.passwordHash);
    const structures = await readSecondaryStructures(client, LOADED);
    await dropSecondaryStructures(client, structures);

    const day = dayInZone(opts.timeZone);
    const daily = new Map<string, number>();
    let events = 0;
    const onScan = (at: number, scope: string) => {
      const key = `${day(at)}|${scope}`;
      daily.set(key, (daily.get(key) ?? 0) + 1);
    };
    await step('copy bags', () => copy(client, 'bags', rows.BAG_COLUMNS, rows.bagLines(plan, people.actors)));
    await step('copy links', () => copy(client, 'links', rows.LINK_COLUMNS, rows.linkLines(plan, people.actors)));
    await step('copy bills', () => copy(client, 'bills', rows.BILL_COLUMNS, rows.billLines(plan, people.actors)));
    await step('copy bill_parents', () => copy(client, 'bill_parents', rows.BILL_PARENT_COLUMNS, rows.billParentLines(plan, people.actors)));
    await step('copy scan_events', () =>
      copy(client, 'scan_events', rows.EVENT_COLUMNS, rows.eventLines(plan, people.actors, (at, scope) => {
        events += 1;
        onScan(at, scope);
      })),
    );
    await step('indexes and constraints', () => createSecondaryStructures(client, structures, (s, ms) => log(`    ${s}: ${(ms / 1000).toFixed(1)} s`)));
    await step('counters', () => writeCounters(client, countersOf(plan), daily));
    const check = await client.query<{ n: number; max: number }>('select count(*)::int as n, coalesce(max(id), 0)::int as max from bags');
    if (check.rows[0]!.n !== plan.totalBags || check.rows[0]!.max !== plan.totalBags) {
      throw new Error(`bag ids did not follow load order (${check.rows[0]!.n} rows, max id ${check.rows[0]!.max}); nothing was written`);
    }
    await step('analyze', () => client.query(`analyze ${[...LOADED, 'users', 'devices', 'counters', 'daily_counters'].join(', ')}`));
    await step('commit', () => client.query('commit'));

    const linked = plan.parents.reduce((n, p) => n + p.children, 0);
    const unlinked = plan.parents.reduce((n, p) => n + p.unlinked, 0);
    const bills: Record<string, number> = {};
    for (const b of plan.bills) bills[b.status] = (bills[b.status] ?? 0) + 1;
    return {
      bags: plan.totalBags, parents: plan.parents.length, children: linked + unlinked, links: linked, bills,
      billParents: plan.bills.reduce((n, b) => n + b.parents.length, 0), events, users: people.users.length, devices: people.devices,
      ms: performance.now() - t0, steps,
    };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  }
}

/** Refuses a database that already holds bags, bills or scans, unless told to empty it. */
async function prepareTables(client: pg.Client, reset: boolean) {
  const found = await client.query<{ t: string }>(`
    select 'bags' as t where exists (select 1 from bags) union all select 'bills' where exists (select 1 from bills)
    union all select 'scan_events' where exists (select 1 from scan_events)`);
  if (found.rows.length && !reset) {
    throw new Error(`The database already has ${found.rows.map((r) => r.t).join(', ')}. Seed an empty database, or pass --reset to empty it first.`);
  }
  if (reset) {
    await client.query(`truncate ${RETURNS.join(', ')}, bags, links, bills, bill_parents, scan_events, devices, device_seq_gaps, audit_log, counters, daily_counters restart identity`);
    await client.query(`delete from users where email like $1`, [`%@${SEED_EMAIL_DOMAIN}`]);
  }
  // Truncated in this transaction, so COPY may FREEZE; identities restart so bag ids follow load order.
  // The return tables point at bags and bills, so Postgres truncates them with them (none are seeded).
  await client.query(`truncate ${[...LOADED, ...RETURNS].join(', ')} restart identity`);
}

async function copy(client: pg.Client, table: string, columns: string, lines: Iterable<string>): Promise<void> {
  const target = client.query(copyFrom(`copy ${table} ${columns} from stdin with (freeze)`));
  await pipeline(Readable.from(rows.chunked(lines)), target);
}
