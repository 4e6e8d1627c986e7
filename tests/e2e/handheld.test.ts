/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { blurEverything, goOffline, localParentCodes, newDevice, openFromNav, openHandheld, signInThroughUi, textOf, throttleCpu, waitForText, wedgeKeys, wedgeScan } from './browser';
import { installLatencyProbe, latencyStats, readLatencyProbe, setProbeExpectation } from './probes';
import { type E2eServer, linkedChildren, otherDevice, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

const pad = (n: number) => String(n).padStart(2, '0');

/** The scanner's own pause between two bursts (a Bluetooth hiccup): input timing, not a wait for the app. */
const scannerPause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bagCodes(like: string): Promise<string[]> {
  const rows = await env.app.deps.db.selectFrom('bags').where('code', 'like', like).select('code').orderBy('code').execute();
  return rows.map((r) => r.code);
}

/**
 * Waits for the server's OK of a scan (the default 30 s, or `timeout`); on a timeout, says what the
 * page showed instead.
 */
async function feedbackOk(page: Page, code: string, timeout?: number): Promise<void> {
  try {
    await page.locator('[data-testid="scan-feedback"][data-kind="ok"]', { hasText: code }).waitFor(timeout ? { timeout } : {});
  } catch (e) {
    const shown = await page.evaluate(() => {
      const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null;
      return { feedback: text('scan-feedback'), kind: document.querySelector('[data-testid="scan-feedback"]')?.getAttribute('data-kind'), connection: text('connection'), waiting: text('pending-count'), refused: text('inbox-count') };
    }).catch(() => null);
    throw new Error(`no OK for ${code}: the page showed ${JSON.stringify(shown)}`, { cause: e });
  }
}

describe('the handheld in the field (real Chromium, real server and Postgres)', () => {
  it('a scanner that pauses mid-label never invents a bag: 001 · 250 ms · 6586⏎ links 0016586, a lone fragment says "partial scan", a 12-key burst at 8 ms a key scans', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const { device, page } = await openHandheld(browser, env.url, user);
    await wedgeScan(page, 'SB80001');
    await waitForText(page, 'parent-progress', '0/30');

    await wedgeKeys(page, '001', { gapMs: [8, 8] });
    await scannerPause(250);
    await wedgeKeys(page, '6586', { gapMs: [8, 8], isEnterPressed: true });
    await feedbackOk(page, '0016586');

    // A fragment with nothing after it: reported, never queued.
    await wedgeKeys(page, '0016', { gapMs: [8, 8] });
    await page.locator('[data-testid="scan-feedback"][data-kind="error"]', { hasText: /partial scan/i }).waitFor();

    await wedgeScan(page, 'K80C00000012', [8, 8]);
    await feedbackOk(page, 'K80C00000012');
    await waitForText(page, 'parent-progress', '2/30');
    await waitForText(page, 'pending-count', '0');

    expect(await linkedChildren(env.app.deps.db, 'SB80001')).toEqual(['0016586', 'K80C00000012']);
    expect(await bagCodes('%6586')).toEqual(['0016586']);
    expect(await bagCodes('0016')).toEqual([]);
    await device.close();
  }, 90_000);

  it('keys the scanner sends while the app is still starting are replayed, not lost or linked as a fragment', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'hisar' });
    // No service worker, so the test can hold the app's script on the network.
    const device = await newDevice(browser, env.url, 'handheld', undefined, 'block');
    const page = await device.newPage();
    await signInThroughUi(page, user.username, TEST_PASSWORD, /\/scan$/);
    await blurEverything(page);
    await wedgeScan(page, 'SB80101');
    await feedbackOk(page, 'SB80101');

    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    let isHeld = false;
    await page.route(/\/assets\/index-[^/]+\.js$/, async (route) => {
      isHeld = true;
      await released;
      await route.continue();
    });
    const startedAt = Date.now();
    await page.goto('/scan', { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { __ttEarlyKeys?: unknown }).__ttEarlyKeys !== undefined, undefined, { polling: 5 });
    await wedgeKeys(page, 'BOOT0000', { gapMs: [8, 8], isEnterPressed: true });
    const sentWithinMs = Date.now() - startedAt;
    expect(isHeld).toBe(true);
    expect(await page.getByTestId('scan-feedback').count()).toBe(0);
    release();

    await feedbackOk(page, 'BOOT0000');
    await waitForText(page, 'parent-progress', '1/30');
    expect(await linkedChildren(env.app.deps.db, 'SB80101')).toEqual(['BOOT0000']);
    expect(await bagCodes('%T0000')).toEqual(['BOOT0000']);
    console.log(`[e2e measurements] ${JSON.stringify({ earlyKeysSentWithinMsOfNavigation: sentWithinMs })}`);
    await device.close();
  }, 90_000);

  it('offline: the 31st child into a 30-parent and a child the device knows is elsewhere are flagged red at once; after sync every refusal is listed together', async () => {
    const db = env.app.deps.db;
    const user = await createUser(db, { role: 'dispatcher', area: 'indore' });
    const rival = await createUser(db, { role: 'dispatcher', area: 'indore' });
    const other = await otherDevice(env.url, rival.username, TEST_PASSWORD);
    expect((await other.mutate('bag.scanParent', { code: 'SB81999' })).status).toBe(200);
    expect((await other.mutate('bag.linkChild', { parentCode: 'SB81999', childCode: 'K81X01' })).status).toBe(200);

    const { device, page } = await openHandheld(browser, env.url, user);
    await expect.poll(() => localParentCodes(page), { timeout: 30_000 }).toContain('SB81999');
    await goOffline(device, page);

    await wedgeScan(page, 'SB81001');
    for (let i = 1; i <= 30; i++) await wedgeScan(page, `K81C${pad(i)}`);
    await waitForText(page, 'parent-progress', '30/30');
    expect(await page.getByTestId('scan-warning').count()).toBe(0);

    await wedgeScan(page, 'K81C31');
    await page.getByTestId('scan-warning').filter({ hasText: /over capacity/i }).filter({ hasText: 'SB81001' }).waitFor();
    expect(await page.getByTestId('scan-feedback').getAttribute('data-kind')).toBe('warning');
    await waitForText(page, 'parent-progress', '31/30');
    await wedgeScan(page, 'K81C32');
    await page.getByTestId('scan-warning').filter({ hasText: 'K81C32' }).waitFor();
    await wedgeScan(page, 'K81X01');
    await page.getByTestId('scan-warning').filter({ hasText: 'K81X01 is already in SB81999' }).waitFor();
    // Still queued: the server decides.
    await waitForText(page, 'pending-count', '34');

    await device.setOffline(false);
    await waitForText(page, 'pending-count', '0');
    await page.getByRole('heading', { name: '3 scans were refused' }).waitFor();
    const listed = await page.getByTestId('refusal-list').locator('li').allTextContents();
    expect(listed).toHaveLength(3);
    for (const code of ['K81C31', 'K81C32', 'K81X01']) expect(listed.some((t) => t.startsWith(code))).toBe(true);
    expect(listed.find((t) => t.startsWith('K81X01'))).toContain('SB81999');
    await waitForText(page, 'inbox-count', '3');
    await waitForText(page, 'parent-progress', '30/30');

    expect(await linkedChildren(db, 'SB81001')).toEqual(Array.from({ length: 30 }, (_, i) => `K81C${pad(i + 1)}`));
    expect(await linkedChildren(db, 'SB81999')).toEqual(['K81X01']);
    await device.close();
  }, 120_000);

  it('the scan screen holds still: a parent and 5 online scans shift the layout by under 0.01 (every layout-shift entry counted)', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const { device, page } = await openHandheld(browser, env.url, user, { viewport: { width: 390, height: 844 } });
    await page.evaluate(() => {
      const w = window as unknown as { __shifts: { value: number; hadRecentInput: boolean; sources: string[] }[] };
      w.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Node | null }[] }[]) {
          const sources = (e.sources ?? []).map((s) => {
            const el = s.node instanceof Element ? s.node : s.node?.parentElement;
            return `${el?.tagName}.${el?.className}${s.node instanceof Element ? '' : ` text "${s.node?.textContent}"`}`;
          });
          w.__shifts.push({ value: e.value, hadRecentInput: e.hadRecentInput, sources });
        }
      }).observe({ type: 'layout-shift', buffered: false });
    });
    await wedgeScan(page, 'SB82001');
    await feedbackOk(page, 'SB82001');
    for (let i = 1; i <= 5; i++) {
      await wedgeScan(page, `K82C${pad(i)}`);
      await feedbackOk(page, `K82C${pad(i)}`);
    }
    await waitForText(page, 'pending-count', '0');
    // Two frames, so the last scan's shifts (if any) have been reported.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const shifts = await page.evaluate(() => (window as unknown as { __shifts: { value: number; hadRecentInput: boolean; sources: string[] }[] }).__shifts);
    const cumulative = shifts.reduce((sum, s) => sum + s.value, 0);
    console.log(`[e2e measurements] ${JSON.stringify({ layoutShiftFiveScans: +cumulative.toFixed(4), entries: shifts.length, shifts: shifts.slice(0, 5) })}`);
    expect(cumulative).toBeLessThan(0.01);
    await device.close();
  }, 90_000);

  it.each([320, 390])('at %i px wide Sign out, the signed-in user, every destination and the unsynced-scans dialog fit without scrolling sideways', async (width) => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'raipur' });
    const { device, page } = await openHandheld(browser, env.url, user, { isOffline: true, viewport: { width, height: 640 } });
    await wedgeScan(page, 'SB83001');
    await wedgeScan(page, 'K83C01');
    await waitForText(page, 'pending-count', '2');

    const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    const isInside = async (locator: ReturnType<Page['locator']>) => {
      const box = await locator.boundingBox();
      return box !== null && box.x >= 0 && box.x + box.width <= width && box.y >= 0 && box.y + box.height <= 640;
    };
    expect(await fitsWidth()).toBe(true);
    const statusBar = page.locator('.status-bar');
    expect((await statusBar.boundingBox())?.height).toBe(44);
    expect(await page.getByTestId('signed-in-user').textContent()).toContain(user.username);
    expect(await page.getByTestId('signed-in-user').textContent()).toContain('Dispatcher');
    expect(await isInside(page.getByTestId('signed-in-user'))).toBe(true);

    const signOut = page.getByRole('button', { name: 'Sign out' });
    expect(await isInside(signOut)).toBe(true);
    await signOut.click({ trial: true });

    // Every destination: three in the bar, the rest under More, all inside the screen.
    const phoneNav = page.getByRole('navigation', { name: 'Main (phone)' });
    for (const label of ['Scan', 'Search', 'Bills']) expect(await isInside(phoneNav.getByRole('link', { name: label, exact: true }))).toBe(true);
    await phoneNav.getByRole('button', { name: 'More' }).click();
    for (const label of ['Bags', 'Dashboard', 'Scanner test']) {
      const link = phoneNav.getByRole('link', { name: label, exact: true });
      expect(await isInside(link)).toBe(true);
      await link.click({ trial: true });
    }
    await page.keyboard.press('Escape');
    expect(await fitsWidth()).toBe(true);

    await signOut.click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('2 scans are not synced yet').waitFor();
    expect(await isInside(dialog)).toBe(true);
    for (const name of ['Sync now, then sign out', 'Sign out anyway', 'Cancel']) {
      const button = dialog.getByRole('button', { name });
      expect(await isInside(button)).toBe(true);
      await button.click({ trial: true });
    }
    expect(await fitsWidth()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    await device.close();
  }, 90_000);

  it('a scan on a screen with no use for it says where it would go, with a button that takes it there', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'ranchi' });
    const { device, page } = await openHandheld(browser, env.url, user);
    for (const [label, heading] of [['Bills', 'Bills'], ['Bags', 'Bags'], ['Dashboard', 'Dashboard']] as const) {
      await openFromNav(page, label);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await blurEverything(page);
      await wedgeScan(page, 'SB84001');
      await page.getByTestId('scan-notice').filter({ hasText: 'Scanned SB84001 — open Scan?' }).waitFor();
    }
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.getByRole('heading', { name: 'Refused scans' }).waitFor();
    await blurEverything(page);
    await wedgeKeys(page, '0016', { gapMs: [8, 8] });
    await page.getByTestId('scan-notice').filter({ hasText: /partial scan/i }).waitFor();
    await wedgeScan(page, 'SB84001');
    await page.getByTestId('scan-notice').filter({ hasText: 'Scanned SB84001 — open Scan?' }).waitFor();
    await page.getByRole('button', { name: 'Open Scan' }).click();
    await page.waitForURL(/\/scan$/);
    await waitForText(page, 'parent-code', 'SB84001');
    await expect.poll(() => bagCodes('SB84001'), { timeout: 30_000 }).toEqual(['SB84001']);
    await device.close();
  }, 90_000);

  it('a site that sets its child labels to exactly 7 digits gets a misread refused on the device, never queued, and an earlier scan\'s late success does not cover it', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'akola' });
    const { device, page } = await openHandheld(browser, env.url, user);
    await openFromNav(page, 'Scanner test');
    await page.getByRole('button', { name: /^Use: exactly 7 digits/ }).click();
    expect(await page.getByLabel('Accepted child labels (pattern; empty: any child code)').inputValue()).toBe('\\d{7}');
    await page.getByRole('button', { name: 'Save for this device' }).click();
    await page.getByTestId('accepted-now').filter({ hasText: 'children exactly 7 digits' }).waitFor();

    await openFromNav(page, 'Scan');
    await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
    await blurEverything(page);
    // The parent's push is answered only after the misread: its late success must not cover the
    // red "Misread?" the operator is meant to see.
    let answer: () => void = () => {};
    const held = new Promise<void>((resolve) => (answer = resolve));
    await device.route(/\/trpc\/[^?]*sync\.push/, async (route) => {
      await held;
      await route.continue();
    });
    await wedgeScan(page, 'SB85001');
    await waitForText(page, 'parent-progress', '0/30');
    await wedgeScan(page, '085001');
    const misread = page.locator('[data-testid="scan-feedback"][data-kind="error"]', { hasText: 'Misread? 085001' });
    await misread.waitFor();
    answer();
    await waitForText(page, 'pending-count', '0');
    await device.unroute(/\/trpc\/[^?]*sync\.push/);
    expect(await misread.isVisible()).toBe(true);
    await wedgeScan(page, '0085001');
    await feedbackOk(page, '0085001');
    await waitForText(page, 'pending-count', '0');
    expect(await linkedChildren(env.app.deps.db, 'SB85001')).toEqual(['0085001']);
    expect(await bagCodes('085001')).toEqual([]);
    await device.close();
  }, 90_000);

  it('shared handheld: the parent count leaves out another user’s waiting scans, and Undo offers only the signed-in user’s own last child', async () => {
    const db = env.app.deps.db;
    const first = await createUser(db, { role: 'dispatcher', area: 'bathinda' });
    const second = await createUser(db, { role: 'dispatcher', area: 'bathinda' });
    const { device, page } = await openHandheld(browser, env.url, first);
    await wedgeScan(page, 'SB86001');
    await feedbackOk(page, 'SB86001');
    await goOffline(device, page);
    await wedgeScan(page, 'K86A01');
    await wedgeScan(page, 'K86A02');
    await waitForText(page, 'parent-progress', '2/30');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Sign out anyway' }).click();
    await page.waitForURL(/\/login$/);

    await device.setOffline(false);
    await signInThroughUi(page, second.username, TEST_PASSWORD, /\/scan$/);
    await waitForText(page, 'others-pending', '2');
    await blurEverything(page);
    await wedgeScan(page, 'SB86001');
    await waitForText(page, 'parent-progress', '0/30');
    expect(await page.getByRole('button', { name: 'Undo last child' }).isDisabled()).toBe(true);
    await wedgeScan(page, 'K86B01');
    await feedbackOk(page, 'K86B01');
    await waitForText(page, 'parent-progress', '1/30');
    await page.getByRole('button', { name: 'Undo last child (K86B01)' }).click();
    await waitForText(page, 'parent-progress', '0/30');
    await expect.poll(() => linkedChildren(db, 'SB86001'), { timeout: 30_000 }).toEqual([]);
    expect(await page.getByRole('button', { name: 'Undo last child' }).isDisabled()).toBe(true);
    await waitForText(page, 'others-pending', '2');
    await device.close();
  }, 90_000);

  it('wedge Enter to on-screen feedback with the CPU slowed 4× (reported, checked by the numbers in the closing note)', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'sangaria' });
    const { device, page } = await openHandheld(browser, env.url, user);
    await installLatencyProbe(page);
    await throttleCpu(page, 4);
    // Two parents of 20 children: 40 scans, so the 95th percentile is not just the slowest one.
    // The server's OK only paces the scans here (what is measured is the device's own feedback).
    // A retryable push failure waits out the sync engine's backoff (1 + 2 + 4 + 8 + 16 s), so each
    // OK may take up to 70 s. (The OK that once never came was the harness's doing: it paused
    // mid-burst past the join window and the page rightly said "Partial scan"; wedgeKeys now
    // sends a burst at once. feedbackOk reports what the page showed.)
    for (const parent of ['SB87001', 'SB87002']) {
      await wedgeScan(page, parent);
      await feedbackOk(page, parent, 70_000);
      for (let i = 1; i <= 20; i++) {
        const code = `K${parent.slice(2)}C${pad(i)}`;
        await setProbeExpectation(page, code);
        await wedgeScan(page, code);
        await feedbackOk(page, code, 70_000);
      }
    }
    await throttleCpu(page, 1);
    const probe = await readLatencyProbe(page);
    // Children only: the probe records a scan once its code is expected.
    console.log(`[e2e measurements] ${JSON.stringify({ cpuThrottle: 4, enterToFeedbackDomMs: latencyStats(probe.first), enterToFeedbackFrameMs: latencyStats(probe.frame) })}`);
    expect(probe.first).toHaveLength(40);
    expect(await textOf(page, 'parent-progress')).toBe('20/30');
    await device.close();
  }, 300_000);
});
