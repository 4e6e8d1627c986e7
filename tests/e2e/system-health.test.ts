/// <reference lib="dom" />
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { desktopPage, submitSignIn } from './account-flows';
import { launchChromium, openFromNav } from './browser';
import { E2E_ADMIN_PASSWORD, type E2eServer, startE2eServer } from './server';

let env: E2eServer;
let browser: Browser;
const workers = process.env.REDIS_URL ? 2 : 1;

beforeAll(async () => {
  [env, browser] = await Promise.all([startE2eServer({ WORKERS: String(workers) }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe('system health screen (real Chromium)', () => {
  it('shows an admin the real database, Redis, every worker process and the maintenance run; other roles have no way in', async () => {
    const admin: Page = await desktopPage(browser, env.url);
    await submitSignIn(admin, 'admin', E2E_ADMIN_PASSWORD);
    await admin.waitForURL(/\/bills$/);
    await openFromNav(admin, 'System health');
    await admin.getByRole('heading', { level: 1, name: 'System health' }).waitFor();
    const screen = admin.getByTestId('system-health');
    await screen.waitFor();

    const db = env.app.deps.db;
    const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v.split(' ')[0]!;
    const migrations = (await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(db)).rows[0]!.n;
    expect(await screen.textContent()).toContain(`Postgres ${version}`);
    expect(await screen.textContent()).toContain(`database migrations ${migrations} of ${migrations}`);
    // One row per server process, each with its own process id and memory.
    const rows = screen.getByTestId('health-worker-table').locator('tbody tr');
    expect(await rows.count()).toBe(workers);
    const pids = await rows.locator('td:first-child').allTextContents();
    expect(new Set(pids).size).toBe(workers);
    expect(pids).not.toContain(String(env.server.child.pid));
    for (const rss of await rows.locator('td:nth-child(3)').allTextContents()) expect(rss).toMatch(/^\d+(\.\d)? MB$/);
    expect(await screen.getByTestId('health-redis').textContent()).toMatch(process.env.REDIS_URL ? /^Answering — version \d+\./ : /^Not configured/);
    // The maintenance run at start-up, as background_runs recorded it.
    const run = (await sql<{ status: string }>`select last_status as status from background_runs where job = 'maintenance'`.execute(db)).rows[0];
    expect(run?.status).toBe('ok');
    expect(await screen.getByTestId('health-maintenance').textContent()).toMatch(/^Finished: last started .+ Purged \d+ audit rows/);
    // Without pg_stat_statements, the app's own slowest procedures, the sign-in among them.
    expect(await screen.getByTestId('health-slowest').textContent()).toContain('auth.login');

    const biller = await createUser(db, { role: 'biller' });
    const page = await desktopPage(browser, env.url);
    await submitSignIn(page, biller.username, TEST_PASSWORD);
    await page.waitForURL(/\/bills$/);
    expect(await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'System health' }).count()).toBe(0);
    // Typed in by hand, the address sends a biller home (to their bills), not to the screen.
    await page.goto('/system');
    await page.waitForURL(/\/bills$/);
    expect(await page.getByRole('heading', { level: 1, name: 'System health' }).count()).toBe(0);
    expect((await env.app.as(biller).system.health().catch((e: Error) => e)) instanceof Error).toBe(true);
  });
});
