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
}

export function createDb({ url, poolSize = 20, statementTimeoutMs = 15_000 }: DbOptions): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    statement_timeout: statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection (Postgres restart, pg_terminate_backend) must not crash the process:
  // idle clients report through the pool, checked-out ones between queries through themselves.
  // The next query on such a client fails and the pool discards it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
