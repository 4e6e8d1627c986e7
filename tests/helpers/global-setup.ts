import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createDb, migrateToLatest, startEmbeddedPostgres, type RunningPostgres } from '@tracetrack/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort } from './server-process';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

interface TestDatabases {
  adminUrl: string;
  templateDb: string;
  teardown: () => Promise<void>;
}

/**
 * Each test tier that needs a database (integration, e2e, fault, property) names this setup; the
 * first one to run creates the server and the template, the last one to finish drops them. Kept
 * on globalThis: vitest loads a setup file once per project.
 */
const shared = globalThis as typeof globalThis & { ttTestDatabases?: { users: number; ready: Promise<TestDatabases> } };

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Uses DATABASE_URL's server when set, otherwise an embedded Postgres. Migrations run once into
 * a template; every test file clones its own database from it, so files share no data.
 */
async function createTestDatabases(): Promise<TestDatabases> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: RunningPostgres | null = null;
  // Each run gets its own throw-away cluster, so two runs on one machine never share one.
  const dataDir = path.resolve(`.data/test-pg/${process.pid}`);
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
  }
  const url = adminUrl;
  const templateDb = `tt_template_${process.pid}`;
  await admin(url, async (c) => {
    await c.query(`drop database if exists ${templateDb}`);
    await c.query(`create database ${templateDb}`);
  });
  const { db } = createDb({ url: withDatabase(url, templateDb), poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();
  return {
    adminUrl: url,
    templateDb,
    teardown: async () => {
      await admin(url, (c) => c.query(`drop database if exists ${templateDb} with (force)`));
      if (embedded) {
        await embedded.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export default async function setup(project: TestProject) {
  shared.ttTestDatabases ??= { users: 0, ready: createTestDatabases() };
  const state = shared.ttTestDatabases;
  state.users += 1;
  const { adminUrl, templateDb, teardown } = await state.ready;
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    state.users -= 1;
    if (state.users > 0) return;
    shared.ttTestDatabases = undefined;
    await teardown();
  };
}
