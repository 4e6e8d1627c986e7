/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so these files see DOM types too.
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { trpcHttp } from '../helpers/http';
import { blurEverything, CLIENT_DIST, goOffline, newDevice, openFromNav, openHandheld, signInThroughUi, textOf, waitForServiceWorker, waitForText, wedgeScan } from './browser';
import { installLatencyProbe, latencyStats, percentile, readLatencyProbe, setProbeExpectation } from './probes';
import { appliedLinksByDevice, type E2eServer, linkedChildren, otherDevice, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

const pad = (n: number) => String(n).padStart(2, '0');

async function deviceIdOf(userId: number): Promise<string> {
  const row = await env.app.deps.db.selectFrom('devices').where('user_id', '=', userId).select('id').executeTakeFirstOrThrow();
  return row.id;
}

describe('PWA end to end (real Chromium, real server and Postgres)', () => {
  it('wedge scanner with no field focused: a parent and 30 children reach 30/30, the 31st is refused, the server has 30 links', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    const scriptUrls: string[] = [];
    const transfers: Promise<{ path: string; encoding: string | undefined; bytes: number }>[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'script' || !r.ok()) return;
      const p = new URL(r.url()).pathname;
      scriptUrls.push(p);
      transfers.push(r.request().sizes().then((sz) => ({ path: p, encoding: r.headers()['content-encoding'], bytes: sz.responseBodySize })));
    });
    await signInThroughUi(page, user.username, TEST_PASSWORD, /\/scan$/);
    await page.getByText('to start').waitFor();

    // What /scan costs to load: the bytes of every script the page fetched, as the server sent
    // them (gzip), checked against gzipping the built files.
    const fetched = [...new Map((await Promise.all(transfers)).map((t) => [t.path, t])).values()];
    // Every script is sent gzip but one under compress()'s 1 KB threshold (public/early-keys.js).
    const plain = fetched.filter((t) => t.encoding !== 'gzip');
    expect(plain.filter((t) => t.bytes >= 1024)).toEqual([]);
    const jsTransferredBytes = fetched.reduce((sum, t) => sum + t.bytes, 0);
    const jsGzipBytes = [...new Set(scriptUrls)].reduce((sum, p) => sum + gzipSync(readFileSync(path.join(CLIENT_DIST, p))).length, 0);
    expect(jsTransferredBytes).toBeGreaterThan(0);
    expect(jsTransferredBytes).toBeLessThan(jsGzipBytes * 1.2);

    await blurEverything(page);
    await installLatencyProbe(page);
    await wedgeScan(page, 'SB70001');
    await waitForText(page, 'parent-progress', '0/30');
    for (let i = 1; i <= 30; i++) {
      const code = `K70C${pad(i)}`;
      // A focused button must not be pressed by the scanner's Enter.
      if (i === 10) await page.getByRole('button', { name: 'Done with parent' }).focus();
      await setProbeExpectation(page, code);
      await wedgeScan(page, code);
    }
    await waitForText(page, 'parent-progress', '30/30');
    await waitForText(page, 'pending-count', '0');
    expect(await textOf(page, 'parent-code')).toBe('SB70001');
    await setProbeExpectation(page, 'K70C31');
    await wedgeScan(page, 'K70C31');
    await page.locator('[data-testid="scan-feedback"][data-kind="error"]', { hasText: 'SB70001 is full' }).waitFor();
    await waitForText(page, 'parent-progress', '30/30');

    expect(await linkedChildren(env.app.deps.db, 'SB70001')).toEqual(Array.from({ length: 30 }, (_, i) => `K70C${pad(i + 1)}`));
    expect(await linkedChildren(env.app.deps.db, 'SB70001')).not.toContain('K70C31');

    // Undo last child is a child.unlink through the same outbox.
    await page.getByRole('button', { name: 'Undo last child (K70C30)' }).click();
    await waitForText(page, 'parent-progress', '29/30');
    // The scan screen counts the unlink from the outbox, possibly before the status bar's count
    // has caught up with the queued row: wait for the server, not for a "0" that may be stale.
    await expect.poll(() => linkedChildren(env.app.deps.db, 'SB70001'), { timeout: 30_000 }).toHaveLength(29);
    await waitForText(page, 'pending-count', '0');

    // Online round trip: each scan waits for the server's answer on screen before the next.
    await wedgeScan(page, 'SB70002');
    await waitForText(page, 'parent-progress', '0/30');
    for (let i = 1; i <= 10; i++) {
      const code = `K70D${pad(i)}`;
      await setProbeExpectation(page, code);
      await wedgeScan(page, code);
      await page.locator('[data-testid="scan-feedback"][data-kind="ok"]', { hasText: code }).waitFor();
    }

    const probe = await readLatencyProbe(page);
    const stats = latencyStats;
    const report = {
      scanJsTransferredKB: +(jsTransferredBytes / 1024).toFixed(1),
      scanJsGzipKB: +(jsGzipBytes / 1024).toFixed(1),
      scripts: [...new Set(scriptUrls)],
      enterToFeedbackDomMs: stats(probe.first),
      enterToFeedbackFrameMs: stats(probe.frame),
      enterToServerConfirmedMs: stats(probe.confirmed),
    };
    console.log(`[e2e measurements] ${JSON.stringify(report)}`);
    expect(probe.first).toHaveLength(41);
    expect(jsTransferredBytes).toBeLessThan(100 * 1024);
    expect(percentile(probe.frame, 50)).toBeLessThan(50);
    await device.close();
  }, 120_000);

  it('offline: 2 parents and 25 children are kept through a reload from the service worker, then each is applied exactly once', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'indore' });
    const { device, page } = await openHandheld(browser, env.url, user, { isOffline: true });
    await wedgeScan(page, 'SB71001');
    for (let i = 1; i <= 13; i++) await wedgeScan(page, `K71A${pad(i)}`);
    await waitForText(page, 'parent-progress', '13/30');
    await wedgeScan(page, 'SB71002');
    for (let i = 1; i <= 12; i++) await wedgeScan(page, `K71B${pad(i)}`);
    await waitForText(page, 'pending-count', '27');

    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await waitForText(page, 'pending-count', '27');
    await waitForText(page, 'parent-progress', '12/30');
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await textOf(page, 'oldest-pending')).toMatch(/oldest \d+/);

    // Signing out with unsynced scans warns first.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alertdialog').getByText('27 scans are not synced yet').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    await device.setOffline(false);
    await waitForText(page, 'pending-count', '0');
    await waitForText(page, 'parent-progress', '12/30');

    const db = env.app.deps.db;
    expect(await linkedChildren(db, 'SB71001')).toEqual(Array.from({ length: 13 }, (_, i) => `K71A${pad(i + 1)}`));
    expect(await linkedChildren(db, 'SB71002')).toEqual(Array.from({ length: 12 }, (_, i) => `K71B${pad(i + 1)}`));
    const applied = await appliedLinksByDevice(db, await deviceIdOf(user.id));
    expect(applied.size).toBe(25);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(await textOf(page, 'inbox-count')).toBe('0');
    await device.close();
  }, 120_000);

  it('conflict: a child linked elsewhere by another device while offline lands in the inbox naming the other parent; the other 24 apply', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const rival = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const { device, page } = await openHandheld(browser, env.url, user, { isOffline: true });
    await wedgeScan(page, 'SB72001');
    for (let i = 1; i <= 25; i++) await wedgeScan(page, `K72C${pad(i)}`);
    await waitForText(page, 'pending-count', '26');

    const other = await otherDevice(env.url, rival.username, TEST_PASSWORD);
    expect((await other.mutate('bag.scanParent', { code: 'SB72999' })).status).toBe(200);
    expect((await other.mutate('bag.linkChild', { parentCode: 'SB72999', childCode: 'K72C07' })).status).toBe(200);

    await device.setOffline(false);
    await waitForText(page, 'pending-count', '0');
    await waitForText(page, 'inbox-count', '1');
    await waitForText(page, 'parent-progress', '24/30');
    await page.getByRole('link', { name: /^Inbox/ }).click();
    const item = page.getByTestId('inbox-list').locator('li');
    await expect.poll(() => item.count()).toBe(1);
    const text = (await item.first().textContent()) ?? '';
    expect(text).toContain('K72C07 is already in SB72999');
    expect(text).toMatch(/unlink/i);

    const db = env.app.deps.db;
    const linked = await linkedChildren(db, 'SB72001');
    expect(linked).toHaveLength(24);
    expect(linked).not.toContain('K72C07');
    expect(await linkedChildren(db, 'SB72999')).toEqual(['K72C07']);

    // Dispatchers see bills read-only: no creation form.
    await page.getByRole('link', { name: 'Bills' }).click();
    await page.getByRole('heading', { name: 'Bills' }).waitFor();
    expect(await page.getByText('New bill').count()).toBe(0);
    await device.close();
  }, 120_000);

  it('two tabs share one outbox and one pusher: both see the same counts, each scan applies once, each tab hears its own outcome', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'raipur' });
    const device = await newDevice(browser, env.url);
    const a = await device.newPage();
    await signInThroughUi(a, user.username, TEST_PASSWORD, /\/scan$/);
    const b = await device.newPage();
    await b.goto('/scan');
    await b.getByText('to start').waitFor();
    await blurEverything(a);
    await blurEverything(b);

    await wedgeScan(a, 'SB74001');
    await wedgeScan(b, 'SB74001');
    for (let i = 1; i <= 3; i++) {
      await wedgeScan(a, `K74A${pad(i)}`);
      await wedgeScan(b, `K74B${pad(i)}`);
    }
    for (const page of [a, b]) {
      await waitForText(page, 'pending-count', '0');
      await waitForText(page, 'parent-progress', '6/30');
    }
    await b.locator('[data-testid="scan-feedback"][data-kind="ok"]', { hasText: 'K74B03' }).waitFor();
    await a.locator('[data-testid="scan-feedback"][data-kind="ok"]', { hasText: 'K74A03' }).waitFor();

    const db = env.app.deps.db;
    expect(await linkedChildren(db, 'SB74001')).toEqual(['K74A01', 'K74A02', 'K74A03', 'K74B01', 'K74B02', 'K74B03']);
    const applied = await appliedLinksByDevice(db, await deviceIdOf(user.id));
    expect([...applied.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    await device.close();
  }, 60_000);

  it('shared handheld: each user syncs, counts and resumes only their own scans; an offline sign-out sticks through reloads and ends the server session once back online', async () => {
    const db = env.app.deps.db;
    const first = await createUser(db, { role: 'dispatcher', area: 'hisar' });
    const second = await createUser(db, { role: 'dispatcher', area: 'hisar' });
    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();

    const devicesOf = async (userId: number) => (await db.selectFrom('devices').where('user_id', '=', userId).select('id').execute()).map((r) => r.id);
    const eventsOf = (parent: string) => db.selectFrom('scan_events').where(sql<boolean>`args->>'code' = ${parent} or args->>'parentCode' = ${parent}`)
      .select(['device_id', 'user_id', 'seq', 'status']).orderBy('seq').execute();
    const signOut = async (waitingScans: number) => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      if (waitingScans > 0) {
        await page.getByRole('alertdialog').getByText(`${waitingScans} scans are not synced yet`).waitFor();
        await page.getByRole('button', { name: 'Sign out anyway' }).click();
      }
      await page.waitForURL(/\/login$/);
    };
    /** Where the app lands when opened at `/`: the sign-in screen, or the signed-in user's home. */
    const openApp = async () => {
      await page.goto('/');
      await page.waitForURL(/\/(login|scan)$/);
      await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).or(page.getByTestId('connection')).waitFor();
      return new URL(page.url()).pathname;
    };
    const sessionStatus = async (cookie: string) => (await trpcHttp(fetch, env.url, cookie).query('sync.pull', { limit: 1 })).status;

    // Each user of the handheld gets a device id of their own, registered to them.
    await signInThroughUi(page, first.username, TEST_PASSWORD, /\/scan$/);
    await page.getByText('to start').waitFor();
    await waitForServiceWorker(page);
    await expect.poll(() => devicesOf(first.id), { timeout: 30_000 }).toHaveLength(1);
    const [firstDevice] = await devicesOf(first.id);
    const session = (await device.cookies()).find((c) => c.name === 'tt_session');
    expect(session).toBeDefined();
    const firstCookie = `${session!.name}=${session!.value}`;
    expect(await sessionStatus(firstCookie)).toBe(200);

    await goOffline(device, page);
    await blurEverything(page);
    await wedgeScan(page, 'SB75001');
    await wedgeScan(page, 'K75A01');
    await wedgeScan(page, 'K75A02');
    await waitForText(page, 'pending-count', '3');
    await signOut(3);

    // Signed out with no network: the server session could not be ended, but the sign-out sticks.
    // Offline, a reload opens the sign-in screen from the service worker…
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();
    // …and online too while the server cannot be told (its logout refused here): auth.me would
    // still answer with `first`, and is not trusted.
    let refusedLogouts = 0;
    await device.route(/\/trpc\/[^?]*auth\.logout/, (route) => {
      refusedLogouts += 1;
      return route.abort('connectionrefused');
    });
    await device.setOffline(false);
    expect(await openApp()).toBe('/login');
    await expect.poll(() => refusedLogouts, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await sessionStatus(firstCookie)).toBe(200);
    // Once the server answers, the stale session is ended: its cookie is refused.
    await device.unroute(/\/trpc\/[^?]*auth\.logout/);
    await expect.poll(() => sessionStatus(firstCookie), { timeout: 30_000 }).toBe(401);
    expect(await openApp()).toBe('/login');

    // The next user signs in on the same handheld. They start with no parent (the first user's is
    // theirs), and the counters are their own; the first user's waiting scans are shown apart.
    await signInThroughUi(page, second.username, TEST_PASSWORD, /\/scan$/);
    await page.getByText('to start').waitFor();
    await waitForText(page, 'pending-count', '0');
    await waitForText(page, 'others-pending', '3');
    expect(await page.getByTestId('oldest-pending').count()).toBe(0);
    expect(await page.getByTestId('parent-code').count()).toBe(0);
    await blurEverything(page);
    await wedgeScan(page, 'SB75002');
    await waitForText(page, 'parent-code', 'SB75002');
    await waitForText(page, 'parent-progress', '0/30');
    await wedgeScan(page, 'K75B01');
    await expect.poll(() => linkedChildren(db, 'SB75002'), { timeout: 30_000 }).toEqual(['K75B01']);
    await waitForText(page, 'pending-count', '0');
    await waitForText(page, 'others-pending', '3');
    const [secondDevice] = await devicesOf(second.id);
    expect(secondDevice).toBeDefined();
    expect(secondDevice).not.toBe(firstDevice);
    expect((await eventsOf('SB75002')).map((e) => [e.device_id, e.user_id, e.seq])).toEqual([[secondDevice, second.id, 1], [secondDevice, second.id, 2]]);
    expect(await eventsOf('SB75001')).toEqual([]);
    // Nothing of theirs is waiting, so no warning (the first user's 3 are not theirs to send).
    await signOut(0);

    // Back on the handheld, the first user resumes their parent, and their scans go out under
    // their id, in their seq order, no gaps.
    await signInThroughUi(page, first.username, TEST_PASSWORD, /\/scan$/);
    await waitForText(page, 'parent-code', 'SB75001');
    await waitForText(page, 'pending-count', '0');
    await waitForText(page, 'parent-progress', '2/30');
    expect(await page.getByTestId('others-pending').count()).toBe(0);
    expect(await linkedChildren(db, 'SB75001')).toEqual(['K75A01', 'K75A02']);
    expect((await eventsOf('SB75001')).map((e) => [e.device_id, e.user_id, e.seq, e.status])).toEqual(
      [1, 2, 3].map((seq) => [firstDevice, first.id, seq, 'applied']),
    );
    expect(await db.selectFrom('device_seq_gaps').where('device_id', 'in', [firstDevice!, secondDevice!]).select('id').execute()).toEqual([]);
    await device.close();
  }, 120_000);

  it('two tabs, one signs out and in as another user: the other tab’s waiting scan is never sent under the new session', async () => {
    const db = env.app.deps.db;
    const first = await createUser(db, { role: 'dispatcher', area: 'hisar' });
    const second = await createUser(db, { role: 'dispatcher', area: 'hisar' });
    const device = await newDevice(browser, env.url);
    const a = await device.newPage();
    await signInThroughUi(a, first.username, TEST_PASSWORD, /\/scan$/);
    await a.getByText('to start').waitFor();
    const b = await device.newPage();
    await b.goto('/scan');
    await b.getByText('to start').waitFor();
    await b.getByRole('button', { name: 'Sign out' }).click();
    await b.waitForURL(/\/login$/);
    await signInThroughUi(b, second.username, TEST_PASSWORD, /\/scan$/);
    await b.getByText('to start').waitFor();

    // Tab a still shows `first`, but the handheld's cookie is now `second`'s.
    await blurEverything(a);
    await wedgeScan(a, 'SB76001');
    await a.getByRole('link', { name: 'Sign in again to send waiting scans' }).waitFor();
    await waitForText(a, 'pending-count', '1');
    const eventsOf = () => db.selectFrom('scan_events').where(sql<boolean>`args->>'code' = 'SB76001'`).select(['device_id', 'user_id']).execute();
    expect(await eventsOf()).toEqual([]);

    // Signed in again as `first`, tab a sends it under their own device id.
    await a.getByRole('link', { name: 'Sign in again to send waiting scans' }).click();
    await a.getByLabel('Username').fill(first.username);
    await a.getByLabel('Password').fill(TEST_PASSWORD);
    await a.getByRole('button', { name: 'Sign in' }).click();
    await a.waitForURL(/\/scan$/);
    await waitForText(a, 'pending-count', '0');
    expect(await eventsOf()).toEqual([{ device_id: await deviceIdOf(first.id), user_id: first.id }]);
    await device.close();
  }, 60_000);

  it('biller builds a bill of 3 parents by typing and by wedge scan, sees the server’s weights, completes, reopens and completes short', async () => {
    const db = env.app.deps.db;
    const biller = await createUser(db, { role: 'biller' });
    const loader = await createUser(db, { role: 'dispatcher', area: 'hisar' });
    const as = env.app.as(loader);
    const fill = { SB73001: 30, SB73002: 12, SB73003: 5 } as const;
    for (const [parent, n] of Object.entries(fill)) {
      await as.bag.scanParent({ code: parent });
      for (let i = 1; i <= n; i++) await as.bag.linkChild({ parentCode: parent, childCode: `${parent.slice(2)}C${pad(i)}` });
    }

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    await page.getByLabel('Bill number').first().fill('E2E-BILL-73');
    await page.getByLabel('Capacity (parent bags)').fill('3');
    await page.getByRole('button', { name: 'Create bill' }).click();
    await page.waitForURL(/\/bills\/E2E-BILL-73$/);
    await waitForText(page, 'bill-progress', '0/3');

    const field = page.getByLabel('Parent code (type or scan)');
    await field.fill('SB73001');
    await field.press('Enter');
    await waitForText(page, 'bill-progress', '1/3');
    await field.fill('sb73002');
    await page.getByRole('button', { name: 'Add parent' }).click();
    await waitForText(page, 'bill-progress', '2/3');
    await blurEverything(page);
    await wedgeScan(page, 'SB73003');
    await waitForText(page, 'bill-progress', '3/3');

    const { bill } = await env.app.as(biller).bill.get({ billNumber: 'E2E-BILL-73' });
    expect(bill.parentCount).toBe(3);
    await waitForText(page, 'bill-actual-weight', `${bill.actualWeightKg} kg`);
    expect(await textOf(page, 'bill-expected-weight')).toBe(`${bill.expectedWeightKg} kg`);
    expect(await textOf(page, 'bill-variance')).toBe(`${bill.varianceKg} kg`);
    expect(bill.actualWeightKg).toBe(47);
    expect(bill.expectedWeightKg).toBe(90);

    await page.getByRole('button', { name: 'Complete bill' }).click();
    await waitForText(page, 'bill-status', 'completed');
    expect((await env.app.as(biller).bill.get({ billNumber: 'E2E-BILL-73' })).bill.status).toBe('completed');

    await page.getByRole('button', { name: 'Reopen bill' }).click();
    await waitForText(page, 'bill-status', 'loading');
    await page.getByRole('button', { name: 'Remove SB73003' }).click();
    await page.getByRole('button', { name: 'Remove from bill' }).click();
    await waitForText(page, 'bill-progress', '2/3');
    await page.getByRole('button', { name: 'Complete bill' }).click();
    await page.getByRole('button', { name: 'Complete short' }).click();
    await waitForText(page, 'bill-status', 'completed');
    const after = (await env.app.as(biller).bill.get({ billNumber: 'E2E-BILL-73' })).bill;
    expect(after).toMatchObject({ status: 'completed', isShort: true, parentCount: 2 });
    await device.close();
  }, 120_000);

  it('scanner test page: prefixes and control characters are stripped, people typing are not taken for a scanner', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'ranchi' });
    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    await signInThroughUi(page, user.username, TEST_PASSWORD, /\/scan$/);
    await openFromNav(page, 'Scanner test');
    await page.getByRole('heading', { name: 'Scanner test' }).waitFor();
    await blurEverything(page);
    const rows = page.getByTestId('scanner-test-scans').locator('tbody tr');

    await wedgeScan(page, ']Q1SB00042');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('"]Q1SB00042"SB00042parent');

    // Typing by hand (~120 ms between keys) into no field is not a scan.
    await wedgeScan(page, 'K99X01', [110, 130]);
    await page.getByText(/\[Enter\] \+1\d\dms/).first().waitFor();
    expect(await rows.count()).toBe(1);

    // A slower scanner works once this device's threshold is raised.
    await page.getByLabel('Longest gap between scanner keys (ms)').fill('150');
    await page.getByRole('button', { name: 'Save for this device' }).click();
    await page.getByText('Saved.').waitFor();
    await blurEverything(page);
    await wedgeScan(page, 'K99X02', [110, 130]);
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('K99X02child');
    await device.close();
  }, 60_000);

  it('manifest and service worker meet the installability criteria and the start URL opens offline', async () => {
    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();

    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const res = await page.request.get(href!);
    expect(res.ok()).toBe(true);
    expect(res.headers()['content-type']).toContain('application/manifest+json');
    const manifest = await res.json();
    expect(manifest).toMatchObject({ name: 'TraceTrack', short_name: 'TraceTrack', display: 'standalone', start_url: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icons = manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[];
    expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(icons.some((i) => i.purpose?.includes('maskable'))).toBe(true);
    for (const icon of icons) {
      const png = await page.request.get(icon.src);
      expect(png.ok()).toBe(true);
      expect(png.headers()['content-type']).toBe('image/png');
      const body = await png.body();
      const [w, h] = icon.sizes.split('x').map(Number);
      expect([body.readUInt32BE(16), body.readUInt32BE(20)]).toEqual([w, h]);
    }

    const sw = await page.request.get('/sw.js');
    expect(sw.ok()).toBe(true);
    expect(sw.headers()['cache-control']).toBe('no-cache');
    await waitForServiceWorker(page);
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');

    await device.setOffline(true);
    const offline = await page.goto(manifest.start_url);
    expect(offline?.fromServiceWorker()).toBe(true);
    await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();
    await page.goto('/scan');
    await page.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();

    // The camera fallback: ZXing's wasm comes from our own origin and runs under the CSP.
    await device.setOffline(false);
    const zxingChunk = readdirSync(path.join(CLIENT_DIST, 'assets')).find((f) => /^zxing-reader-.*\.js$/.test(f));
    expect(zxingChunk).toBeTruthy();
    const wasmRequests: string[] = [];
    page.on('request', (r) => wasmRequests.push(r.url()));
    // A string, so the test runner's module transform leaves this dynamic import alone.
    const decoded = await page.evaluate(`import('/assets/${zxingChunk}').then((m) => m.readCodesFromImageData(new ImageData(64, 64)))`);
    expect(decoded).toEqual([]);
    expect(wasmRequests.filter((u) => u.endsWith('.wasm')).every((u) => u.startsWith(env.url))).toBe(true);
    expect(cspErrors).toEqual([]);
    await device.close();
  }, 120_000);
});
