import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './types';

export type Db = Kysely<Database>;

// Counts and ids fit in a double; parse int8/numeric as numbers, and keep `date` as text.
const types = {
  getTypeParser: (oid: number, format?: any) => {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

export interface DbOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** How long a query waits for a free connection before it fails (a TRANSIENT answer). */
  connectionTimeoutMs?: number;
  /** How long an idle connection stays open; tests' short-lived pools keep the 30 s default. */
  idleTimeoutMs?: number;
}

export function createDb({ url, poolSize = 20, statementTimeoutMs = 15_000, connectionTimeoutMs = 5_000, idleTimeoutMs = 30_000 }: DbOptions): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    statement_timeout: statementTimeoutMs,
    connectionTimeoutMillis: connectionTimeoutMs,
    // Request queries run in milliseconds; JIT compiling one whose estimate crosses jit_above_cost
    // (a page of parents with their children) cost ~13 ms for 4 ms of work.
    options: '-c jit=off',
    idleTimeoutMillis: idleTimeoutMs,
  });
  // A dropped connection (Postgres restart, pg_terminate_backend) must not crash the process:
  // idle clients report through the pool, checked-out ones between queries through themselves.
  // The next query on such a client fails and the pool discards it.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareRepeatedStatements(client);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/**
 * Statements with more parameters than this (multi-row VALUES lists, whose length varies) are not
 * prepared. Batch statements pass one array per column, so their count is fixed: a scan batch's
 * closing write (events, audit, daily chart and counters in one statement) has 34.
 */
const MAX_PREPARED_PARAMS = 40;
/**
 * How many distinct statements get a name, and so how many each connection may prepare. Texts
 * are the code's query shapes, plus the few values some carry as literals (a bag list's area and
 * page size, see listBags); past this many, a new text goes unnamed: planned per call, as Kysely
 * sends it, so no input can grow what every connection holds.
 */
const MAX_NAMED_STATEMENTS = 2_000;
const statementNames = new Map<string, string>();

/**
 * Request-path statements are small and repeated, and planning them costs more than running
 * them (the bag view's six joins plan in ~0.6 ms and run in ~0.1 ms). Kysely sends every query
 * unnamed, so Postgres plans it every time; here a parameterised statement gets a name derived
 * from its text, so each connection prepares it once and Postgres may reuse the plan: it does
 * once a generic plan costs what its first five custom plans did (a lookup by a unique key; a bag
 * list, shaped for it in listBags). Long parameter lists vary in length from call to call and
 * stay unnamed, which keeps each connection's set of prepared statements small and bounded.
 */
function prepareRepeatedStatements(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && values.length <= MAX_PREPARED_PARAMS) {
      let name = statementNames.get(config);
      if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
        name = `k${createHash('sha1').update(config).digest('base64url')}`;
        statementNames.set(config, name);
      }
      if (name) return query({ name, text: config, values }, callback);
    }
    return query(config, values, callback);
  };
}
