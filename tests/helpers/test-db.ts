import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from './global-setup';

/** Creates a fresh, migrated database for one test file; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `tt_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await run(`create database ${name} template ${inject('templateDb')}`);
  return { url: withDatabase(adminUrl, name), drop: () => run(`drop database if exists ${name} with (force)`) };
}
