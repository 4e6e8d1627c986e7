import { sql } from 'kysely';
import type { Executor } from '../../infra/transaction';

export async function findDatabaseFacts(db: Executor): Promise<{ version: string; sizeBytes: number }> {
  const { rows } = await sql<{ version: string; size: string }>`
    select current_setting('server_version') as version, pg_database_size(current_database())::text as size
  `.execute(db);
  return { version: rows[0]!.version, sizeBytes: Number(rows[0]!.size) };
}

export interface SlowStatementRow {
  query: string;
  calls: string;
  mean_ms: number;
  total_ms: number;
}

/**
 * This database's statements with the highest mean time, from pg_stat_statements; otherwise why
 * not: the extension is not created in this database, or it is but not loaded
 * (shared_preload_libraries), so its view cannot be read.
 */
export async function findSlowStatements(db: Executor, limit: number): Promise<{ rows: SlowStatementRow[] } | { missing: 'not-installed' | 'not-loaded' }> {
  const installed = await sql<{ ok: boolean }>`select exists (select 1 from pg_extension where extname = 'pg_stat_statements') as ok`.execute(db);
  if (!installed.rows[0]?.ok) return { missing: 'not-installed' };
  try {
    const { rows } = await sql<SlowStatementRow>`
      select left(query, 500) as query, calls::text as calls, mean_exec_time as mean_ms, total_exec_time as total_ms
      from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and calls > 0
      order by mean_exec_time desc
      limit ${limit}
    `.execute(db);
    return { rows };
  } catch {
    return { missing: 'not-loaded' };
  }
}

export async function findMigrationLevel(db: Executor): Promise<{ latest: string | null; applied: number }> {
  const { rows } = await sql<{ latest: string | null; applied: string }>`
    select max(name) as latest, count(*)::text as applied from kysely_migration
  `.execute(db);
  return { latest: rows[0]?.latest ?? null, applied: Number(rows[0]?.applied ?? 0) };
}

/** The latest end-of-day mail run, and the latest that failed. */
export async function findEodRunFacts(db: Executor) {
  const last = await db.selectFrom('eod_runs').select(['day', 'status', 'detail', 'started_at', 'finished_at']).orderBy('day', 'desc').limit(1).executeTakeFirst();
  const failed = await db.selectFrom('eod_runs').select(['detail', 'finished_at', 'started_at']).where('status', '=', 'failed').orderBy('day', 'desc').limit(1).executeTakeFirst();
  return { last: last ?? null, failed: failed ?? null };
}
