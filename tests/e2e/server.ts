import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '@tracetrack/db';
import { trpcHttp } from '../helpers/http';
import { ensureServerBundle, type ServerProcess, startServerProcess } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { CLIENT_DIST, deviceIp, ensureClientBuilt, launchChromium } from './browser';

/** The first admin's password (the password rule refuses one containing the username). */
export const E2E_ADMIN_PASSWORD = 'E2e-Granary-Gatekeeper-7';

export interface E2eServer {
  app: TestApp;
  server: ServerProcess;
  url: string;
  close(): Promise<void>;
}

/**
 * The built server (what `npm start` runs) over its own test database, serving the built PWA.
 * `env` adds to or overrides the server's environment (e.g. SMTP_URL for a test's mail server); an
 * undefined value removes a variable the test run has (REDIS_URL).
 */
export async function startE2eServer(env: Record<string, string | undefined> = {}, port?: number): Promise<E2eServer> {
  ensureClientBuilt();
  ensureServerBundle();
  const app = await createTestApp();
  const server = await startServerProcess(
    // Two-step sign-in is optional for admins here: the suites test other things, and the app
    // sends an admin without it to set-up first. two-factor.test.ts runs with it required.
    { DATABASE_URL: app.databaseUrl, CLIENT_DIST, TRUST_PROXY: 'true', ADMIN_PASSWORD: E2E_ADMIN_PASSWORD, ADMIN_TWO_FACTOR: 'optional', ...env },
    port,
    [],
    { bundle: true },
  );
  return {
    app,
    server,
    url: server.url,
    close: async () => {
      await server.kill();
      await app.close();
    },
  };
}

/** Another device calling the API over HTTP (its own IP and session), e.g. a second handheld. */
export async function otherDevice(url: string, username: string, password: string) {
  const ip = deviceIp();
  const fetcher = (u: string, init?: RequestInit) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } });
  const res = await trpcHttp(fetcher, url).mutate('auth.login', { username, password });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.error)}`);
  // Every cookie the answer sets (the session and the sign-in client id), as a browser would send them back.
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return trpcHttp(fetcher, url, cookies);
}

/** Children linked into a parent, straight from the database. */
export async function linkedChildren(db: Db, parentCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom('links')
    .innerJoin('bags as p', 'p.id', 'links.parent_id')
    .innerJoin('bags as c', 'c.id', 'links.child_id')
    .where('p.code', '=', parentCode)
    .select('c.code')
    .orderBy('c.code')
    .execute();
  return rows.map((r) => r.code);
}

/** Applied link events per child for a device: exactly one each means nothing was applied twice. */
export async function appliedLinksByDevice(db: Db, deviceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('scan_events')
    .where('device_id', '=', deviceId)
    .where('name', '=', 'child.link')
    .where('status', '=', 'applied')
    .select([sql<string>`args->>'childCode'`.as('child'), sql<number>`count(*)::int`.as('n')])
    .groupBy(sql`args->>'childCode'`)
    .execute();
  return new Map(rows.map((r) => [r.child.toUpperCase(), r.n]));
}

/**
 * One e2e file's setup: the server (startE2eServer's `env`) and Chromium start together before
 * the file's tests and are handed to `receive`; both stop after them, and if one of the two failed
 * to start, the other is still stopped.
 */
export function useE2eSuite(receive: (suite: { env: E2eServer; browser: Browser }) => void, env: Record<string, string | undefined> = {}): void {
  let server: E2eServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [s, b] = await Promise.allSettled([startE2eServer(env), launchChromium()]);
    if (s.status === 'fulfilled') server = s.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (s.status === 'rejected') throw s.reason;
    if (b.status === 'rejected') throw b.reason;
    receive({ env: server!, browser: browser! });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
