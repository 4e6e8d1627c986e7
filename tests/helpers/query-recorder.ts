import type { Database } from '@tracetrack/db';
import { type CompiledQuery, type DatabaseConnection, type Driver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type QueryResult } from 'kysely';

/**
 * A Kysely instance that records every compiled query instead of running it (each returns no
 * rows), so tests can take the real query functions' SQL and EXPLAIN it on a real database.
 */
export function createQueryRecorder() {
  const recorded: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      recorded.push(query);
      return { rows: [] };
    },
    streamQuery: async function* () {},
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    db,
    /** Runs `fn` against the recorder and returns the statements it compiled (transaction control excluded). */
    async capture(fn: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery[]> {
      recorded.length = 0;
      await fn(db);
      return recorded.splice(0).filter((q) => !/^\s*(begin|commit|rollback|savepoint|release)/i.test(q.sql));
    },
  };
}
