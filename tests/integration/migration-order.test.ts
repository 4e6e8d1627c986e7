import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrations } from '../../db/src/migrations/index';
import { migrateToLatest } from '../../db/src/migrator';
import { withDatabase } from '../helpers/global-setup';

const adminUrl = inject('adminUrl');
const name = `tt_migorder_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let admin: pg.Client;
let db: Kysely<any>;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: 2 });
  // The database is dropped at the end; a connection still closing then is no test failure.
  pool.on('error', () => {});
  db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
});
afterAll(async () => {
  await db?.destroy();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe('migrations landing out of number order', () => {
  it('a database that ran every migration but 0011 (landed later) runs 0011 on the next start', async () => {
    const { ['0011-returns']: later, ...landedFirst } = migrations;
    expect(later).toBeDefined();
    const first = await new Migrator({ db, provider: { getMigrations: async () => landedFirst } }).migrateToLatest();
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => r.migrationName)).toContain('0012-background-runs');

    expect(await migrateToLatest(db)).toEqual(['0011-returns']);
    const tables = await sql<{ n: number }>`select count(*)::int as n from pg_tables where tablename in ('return_tickets', 'return_ticket_bags', 'bill_return_events')`.execute(db);
    expect(tables.rows[0]!.n).toBe(3);
    expect(await migrateToLatest(db)).toEqual([]);
  });
});
