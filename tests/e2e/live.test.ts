/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createParentBag, nextBillNumber } from '../factories/bills';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { goOffline, newDevice, openHandheld, signInThroughUi, textOf, waitForText, wedgeScan } from './browser';
import { type E2eServer, otherDevice, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;
// Two worker processes: the stream may be held by one worker while the change lands on the other.
useE2eSuite((s) => ({ env, browser } = s), { WORKERS: '2' });

async function openBill(username: string, billNumber: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const device = await newDevice(browser, env.url, 'desktop', undefined, 'block');
  // Keeps the page's event sources reachable, so the test can kill a stream as a dropped
  // connection would (close it and fire its error).
  await device.addInitScript(() => {
    const Original = window.EventSource;
    const opened: EventSource[] = [];
    (window as unknown as { __eventSources: EventSource[] }).__eventSources = opened;
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    } as typeof EventSource;
  });
  const page = await device.newPage();
  await signInThroughUi(page, username, TEST_PASSWORD, /\/bills$/);
  await page.goto(`/bills/${encodeURIComponent(billNumber)}`);
  await page.getByTestId('bill-progress').waitFor();
  return { page, close: () => device.close() };
}

/** How often a bill page reads its bill while its stream is down (client/src/features/bills/bills.ts). */
const BILL_POLL_MS = 5_000;

/** The page's bill.get requests (alone or in a batch). */
const BILL_GET = /\/trpc\/[^?]*\bbill\.get\b/;

const liveMode = (page: Page) => page.getByTestId('live-status').getAttribute('data-mode');

/**
 * Milliseconds from now until the watching page shows `progress`, measured with the OS clock on
 * both sides: the watcher stamps Date.now() the moment its text changes.
 */
async function armProgressStamp(watcher: Page, progress: string): Promise<() => Promise<number>> {
  await watcher.evaluate((expected) => {
    const w = window as unknown as { __shownAt: Promise<number> };
    w.__shownAt = new Promise((resolve) => {
      const seen = () => document.querySelector('[data-testid="bill-progress"]')?.textContent?.trim() === expected;
      if (seen()) return resolve(Date.now());
      new MutationObserver((_, observer) => {
        if (!seen()) return;
        observer.disconnect();
        resolve(Date.now());
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, progress);
  return () => watcher.evaluate(() => (window as unknown as { __shownAt: Promise<number> }).__shownAt);
}

async function addParentFrom(page: Page, code: string): Promise<number> {
  const field = page.getByLabel('Parent code (type or scan)');
  await field.fill(code);
  const at = Date.now();
  await field.press('Enter');
  return at;
}

describe('live screens (real Chromium, server at WORKERS=2 with Redis)', () => {
  it('a bill page shows a parent added from another browser through its stream (the time is reported); with its stream killed it polls, then goes live again', async () => {
    const db = env.app.deps.db;
    const watcherUser = await createUser(db, { role: 'biller' });
    const loaderUser = await createUser(db, { role: 'biller' });
    const billNumber = nextBillNumber('LIVE');
    await env.app.as(loaderUser).bill.create({ billNumber, capacity: 6 });
    const parents = await Promise.all([1, 2, 3].map(() => createParentBag(db, { children: 2 })));

    const watcher = await openBill(watcherUser.username, billNumber);
    const loader = await openBill(loaderUser.username, billNumber);
    await expect.poll(() => liveMode(watcher.page), { timeout: 20_000 }).toBe('live');

    // 1. Live: the other browser adds a parent; the watcher shows it through its stream, without
    // reading the bill. How soon is a speed target, so it is reported, not asserted (a loaded
    // CI run once took 1,117 ms where a quiet one takes 175–550): the bound below only rules out
    // the 5 s poll.
    const watcherReads: string[] = [];
    watcher.page.on('request', (r) => {
      if (BILL_GET.test(r.url())) watcherReads.push(r.url());
    });
    const shown1 = await armProgressStamp(watcher.page, '1/6');
    const added1 = await addParentFrom(loader.page, parents[0]!.code);
    const latency = (await shown1()) - added1;
    console.log(`live bill page: parent added in one browser shown in the other after ${latency} ms`);
    expect(watcherReads).toEqual([]);
    expect(latency).toBeLessThan(BILL_POLL_MS);
    await waitForText(watcher.page, 'bill-actual-weight', /kg/);
    await expect.poll(() => watcher.page.getByText(parents[0]!.code).count()).toBeGreaterThan(0);

    // 2. The stream is killed (the network drops every connection) and cannot come back (its URL
    // blocked): the page falls back to polling and still shows the next change.
    await watcher.page.context().route(/\/trpc\/live\./, (route) => route.abort());
    const killed = await watcher.page.evaluate(() => {
      const open = (window as unknown as { __eventSources: EventSource[] }).__eventSources.filter((es) => es.readyState !== EventSource.CLOSED);
      for (const es of open) {
        es.close();
        es.dispatchEvent(new Event('error'));
      }
      return open.length;
    });
    expect(killed).toBe(1);
    await expect.poll(() => liveMode(watcher.page), { timeout: 20_000 }).toBe('polling');
    await addParentFrom(loader.page, parents[1]!.code);
    await waitForText(watcher.page, 'bill-progress', '2/6', 20_000);

    // 3. The stream's URL works again: the page reconnects (backoff) and is live again.
    await watcher.page.context().unroute(/\/trpc\/live\./);
    await expect.poll(() => liveMode(watcher.page), { timeout: 60_000, interval: 250 }).toBe('live');
    const shown3 = await armProgressStamp(watcher.page, '3/6');
    const added3 = await addParentFrom(loader.page, parents[2]!.code);
    const latency3 = (await shown3()) - added3;
    console.log(`live bill page, live again: shown after ${latency3} ms`);
    expect(latency3).toBeLessThan(BILL_POLL_MS);

    await Promise.all([watcher.close(), loader.close()]);
  }, 180_000);

  /** A 6-parent bill open live in one biller's browser, two 2-child parents, and another biller's desk to add them from. */
  const liveBillWithDesk = async () => {
    const db = env.app.deps.db;
    const user = await createUser(db, { role: 'biller' });
    const other = await createUser(db, { role: 'biller' });
    const billNumber = nextBillNumber('LIVE');
    await env.app.as(user).bill.create({ billNumber, capacity: 6 });
    const parents = await Promise.all([1, 2].map(() => createParentBag(db, { children: 2 })));
    const { page, close } = await openBill(user.username, billNumber);
    const desk = await otherDevice(env.url, other.username, TEST_PASSWORD);
    await expect.poll(() => liveMode(page), { timeout: 20_000 }).toBe('live');
    return { billNumber, parents, page, close, desk };
  };

  it('a live bill page reads nothing after its own add: the outcome shows and the stream brings the bill, no bill.get', async () => {
    const { billNumber, parents, page, close, desk } = await liveBillWithDesk();
    const billReads: string[] = [];
    page.on('request', (r) => {
      if (BILL_GET.test(r.url())) billReads.push(r.url());
    });

    await addParentFrom(page, parents[0]!.code);
    await page.locator('[data-testid="bill-feedback"][data-state="applied"]').waitFor();
    await waitForText(page, 'bill-progress', '1/6');
    // A later change reaches the page through the stream only after the coalescing window: by
    // then a read the outcome started would have gone out.
    expect((await desk.mutate('bill.addParent', { billNumber, parentCode: parents[1]!.code })).status).toBe(200);
    await waitForText(page, 'bill-progress', '2/6');
    expect(await liveMode(page)).toBe('live');
    expect(billReads).toEqual([]);
    await close();
  }, 120_000);

  it('a bill read answered after a newer stream value does not put the older figures back', async () => {
    const { billNumber, parents, page, close, desk } = await liveBillWithDesk();

    // The page reads the bill (the connection is back): the server answers 0/6 at once, and the
    // answer is held back while another browser adds a parent and the stream shows 1/6.
    let release!: () => void;
    const isReleased = new Promise<void>((resolve) => (release = resolve));
    let answered!: () => void;
    const isAnswered = new Promise<void>((resolve) => (answered = resolve));
    await page.route(BILL_GET, async (route) => {
      const response = await route.fetch();
      answered();
      await isReleased;
      await route.fulfill({ response });
    });
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await isAnswered;
    expect((await desk.mutate('bill.addParent', { billNumber, parentCode: parents[0]!.code })).status).toBe(200);
    await waitForText(page, 'bill-progress', '1/6');

    // From here every figure the page shows is kept; the held answer is let through.
    await page.evaluate(() => {
      const w = window as unknown as { __progressShown: string[] };
      w.__progressShown = [];
      const progress = () => document.querySelector('[data-testid="bill-progress"]')?.textContent?.trim() ?? '';
      new MutationObserver(() => {
        if (w.__progressShown.at(-1) !== progress()) w.__progressShown.push(progress());
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const isFinished = page.waitForEvent('requestfinished', (r) => BILL_GET.test(r.url()));
    release();
    await isFinished;
    // The next change comes through the stream, before or after the page has handled the held
    // answer: either way the older 0/6 never shows, and the page ends at 2/6.
    expect((await desk.mutate('bill.addParent', { billNumber, parentCode: parents[1]!.code })).status).toBe(200);
    await waitForText(page, 'bill-progress', '2/6');
    await page.waitForTimeout(300);
    const shown = await page.evaluate(() => (window as unknown as { __progressShown: string[] }).__progressShown);
    expect(shown).not.toContain('0/6');
    expect(shown.at(-1)).toBe('2/6');
    expect(await textOf(page, 'bill-progress')).toBe('2/6');
    await close();
  }, 120_000);

  it("device health shows a handheld's 10 waiting scans and the oldest one's age while its pushes cannot get through, and none once it has synced", async () => {
    const db = env.app.deps.db;
    const admin = await createUser(db, { role: 'admin' });
    const dispatcher = await createUser(db, { role: 'dispatcher', area: 'jaipur' });

    const adminDevice = await newDevice(browser, env.url, 'desktop', undefined, 'block');
    const adminPage = await adminDevice.newPage();
    await signInThroughUi(adminPage, admin.username, TEST_PASSWORD, /\/bills$/);
    await adminPage.goto('/devices');
    await expect.poll(() => liveMode(adminPage), { timeout: 20_000 }).toBe('live');

    const { device, page } = await openHandheld(browser, env.url, dispatcher);
    // Registered (first sync) and listed live on the admin's screen.
    const row = adminPage.getByTestId('device-row').filter({ hasText: dispatcher.username });
    await row.waitFor({ timeout: 20_000 });

    // Offline, the handheld scans a parent and 9 children: 10 scans wait on it.
    await goOffline(device, page);
    await wedgeScan(page, 'SB79001');
    for (let i = 1; i <= 9; i++) await wedgeScan(page, `79000${i}1`);
    await waitForText(page, 'pending-count', '10');

    // The network returns but its pushes cannot get through (blocked): it reports what waits.
    await device.route(/\/trpc\/[^?]*sync\.push/, (route) => route.abort());
    await device.setOffline(false);
    await expect.poll(() => row.getByTestId('device-waiting-count').textContent(), { timeout: 20_000 }).toBe('10');
    expect(await row.getByTestId('device-oldest-age').textContent()).toMatch(/under a minute|\d+ min/);

    // Pushes get through again: the scans reach the server and nothing waits on the device.
    await device.unroute(/\/trpc\/[^?]*sync\.push/);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitForText(page, 'pending-count', '0', 30_000);
    await expect.poll(() => row.getByTestId('device-waiting-count').textContent(), { timeout: 20_000 }).toBe('0');
    await expect.poll(() => row.getByTestId('device-oldest-age').count()).toBe(0);

    await Promise.all([device.close(), adminDevice.close()]);
  }, 180_000);
});
