/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createParentBag } from '../factories/bills';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { localRows, newDevice, pdfPageCount, signInThroughUi, textOf, waitForControllingWorker, waitForText } from './browser';
import { type E2eServer, linkedChildren, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

interface StoredBill {
  billNumber: string;
  parents: { code: string; childCount: number }[];
}

/**
 * Waits until the device's local store satisfies `check`, waking the sync engine (it runs on
 * 'online') on each try: a pull withholds transactions newer than the oldest one running, so a
 * change may take a few rounds to arrive.
 */
async function syncUntil<T>(page: Page, store: string, check: (rows: T[]) => boolean): Promise<void> {
  await expect.poll(async () => {
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    return check(await localRows<T>(page, store));
  }, { timeout: 30_000, interval: 200 }).toBe(true);
}

/** Milliseconds from submitting the parent field to the first "Saved on this device", measured in the page. */
async function timeToSaved(page: Page, code: string): Promise<number> {
  const field = page.getByLabel('Parent code (type or scan)');
  await field.fill(code);
  await page.evaluate((expected) => {
    const w = window as unknown as { __saved: Promise<number> };
    const started = performance.now();
    w.__saved = new Promise((resolve) => {
      const seen = () => (document.querySelector('[data-testid="bill-feedback"]')?.textContent ?? '').includes(expected);
      new MutationObserver((_, observer) => {
        if (!seen()) return;
        observer.disconnect();
        resolve(performance.now() - started);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, `Saved on this device: adding ${code}`);
  await field.press('Enter');
  return page.evaluate(() => (window as unknown as { __saved: Promise<number> }).__saved);
}

const billOnServer = (billNumber: string, as: Parameters<E2eServer['app']['as']>[0]) => env.app.as(as).bill.get({ billNumber });

describe('bills in the PWA (real Chromium, real server and Postgres)', () => {
  it('a biller reloads an open bill offline and sees its parents with current counts, adds parents offline (saved at once), and back online the server has them; a refusal shows on the page, not in the inbox', async () => {
    const db = env.app.deps.db;
    const biller = await createUser(db, { role: 'biller' });
    const loader = await createUser(db, { role: 'dispatcher', area: 'jaipur' });
    const as = env.app.as(loader);
    for (const [code, n] of [['SB76001', 5], ['SB76002', 3], ['SB76003', 2], ['SB76004', 1]] as const) {
      await as.bag.scanParent({ code });
      for (let i = 1; i <= n; i++) await as.bag.linkChild({ parentCode: code, childCode: `E${code.slice(2)}C${i}` });
    }
    const bills = env.app.as(biller).bill;
    await bills.create({ billNumber: 'OFF-76', capacity: 5, destination: 'Jaipur', vehicleNumber: 'RJ14 GB 7601' });
    await bills.create({ billNumber: 'OTHER-76', capacity: 2 });
    for (const code of ['SB76001', 'SB76002']) await bills.addParent({ billNumber: 'OFF-76', parentCode: code });
    await bills.addParent({ billNumber: 'OTHER-76', parentCode: 'SB76004' });

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/bills/OFF-76');
    await waitForText(page, 'bill-progress', '2/5');
    await waitForControllingWorker(page);
    await syncUntil<StoredBill>(page, 'bills', (rows) => rows.some((b) => b.billNumber === 'OFF-76'));

    // A link in a parent on the bill reaches the device through the billers' feed.
    await as.bag.linkChild({ parentCode: 'SB76001', childCode: 'E76001C6' });
    await syncUntil<StoredBill>(page, 'bills', (rows) => rows.find((b) => b.billNumber === 'OFF-76')?.parents.find((p) => p.code === 'SB76001')?.childCount === 6);

    await device.setOffline(true);
    await page.reload();
    await waitForText(page, 'bill-offline', /Offline: showing the copy stored on this device/);
    const rows = page.getByTestId('bill-parent-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('SB76001');
    expect(await rows.nth(0).textContent()).toContain('6 children (6/30)');
    expect(await rows.nth(1).textContent()).toContain('3 children (3/30)');
    expect(await textOf(page, 'bill-progress')).toBe('2/5');
    expect(await textOf(page, 'bill-actual-weight')).toBe('9 kg');
    expect(await page.getByText('RJ14 GB 7601').count()).toBe(1);

    const savedMs = await timeToSaved(page, 'SB76003');
    console.info(`"Saved on this device" shown ${savedMs.toFixed(1)} ms after Enter`);
    expect(savedMs).toBeLessThan(1000);
    await waitForText(page, 'bill-feedback', /^Saved on this device: adding SB76003 to OFF-76; it is sent when the connection returns\.$/);
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(2).textContent()).toContain('adding, waiting for the server');
    // A biller's device follows bills, not parents: it does not know SB76003's children yet.
    expect(await rows.nth(2).textContent()).toContain('— / —');
    const field = page.getByLabel('Parent code (type or scan)');
    await field.fill('sb76004');
    await field.press('Enter');
    await waitForText(page, 'bill-feedback', /Saved on this device: adding SB76004/);
    // The waiting count follows the outbox through a live query: it lands just after the feedback.
    await waitForText(page, 'pending-count', '2');

    // The bill list offline: the bills stored on the device, with a note that says so.
    await page.goto('/bills');
    await waitForText(page, 'list-note', /^Offline: the 2 open and loading bills stored on this device/);
    expect(await page.getByTestId('bills-table').getByRole('link', { name: 'OFF-76' }).count()).toBe(1);
    await page.getByRole('link', { name: 'OFF-76' }).click();
    await waitForText(page, 'bill-progress', '2/5');

    await device.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(async () => (await billOnServer('OFF-76', biller)).parents.map((p) => p.code), { timeout: 30_000 }).toEqual(['SB76001', 'SB76002', 'SB76003']);
    await waitForText(page, 'bill-progress', '3/5');
    await waitForText(page, 'bill-feedback', 'SB76004 is already on bill OTHER-76. Remove it there first.');
    await expect.poll(async () => (await localRows(page, 'outcomes')).length).toBe(2);
    expect(await localRows(page, 'inbox')).toEqual([]);
    expect(await textOf(page, 'inbox-count')).toBe('0');
    await device.close();
  }, 180_000);

  it('a dispatcher unlinks a child that is not the last from a parent’s search result, and sees why another unlink is refused', async () => {
    const db = env.app.deps.db;
    const dispatcher = await createUser(db, { role: 'dispatcher', area: 'ranchi' });
    const colleague = await createUser(db, { role: 'dispatcher', area: 'ranchi' });
    const as = env.app.as(dispatcher);
    await as.bag.scanParent({ code: 'SB77001' });
    for (const child of ['U77001A', 'U77001B', 'U77001C', 'U77001D']) await as.bag.linkChild({ parentCode: 'SB77001', childCode: child });
    await env.app.as(colleague).bag.linkChild({ parentCode: 'SB77001', childCode: 'U77001X' });

    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    await signInThroughUi(page, dispatcher.username, TEST_PASSWORD, /\/scan$/);
    await page.goto('/search?code=SB77001');
    await waitForText(page, 'bag-children-count', '5/30');
    // Only the dispatcher's own links within the hour offer an unlink; the colleague's does not.
    expect(await page.getByRole('button', { name: /^Unlink / }).count()).toBe(4);
    expect(await page.getByRole('button', { name: 'Unlink U77001X' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Unlink U77001B' }).click();
    await waitForText(page, 'unlink-feedback', /^(Saved on this device: unlinking U77001B from SB77001; sending now\.|U77001B removed from SB77001 \(4\/30\))$/);
    await expect.poll(() => linkedChildren(db, 'SB77001'), { timeout: 30_000 }).toEqual(['U77001A', 'U77001C', 'U77001D', 'U77001X']);
    await waitForText(page, 'unlink-feedback', 'U77001B removed from SB77001 (4/30)');
    await waitForText(page, 'bag-children-count', '4/30');

    // The page still offers U77001D, but its hour has passed since: the server refuses, the page says why.
    await sql`update links set linked_at = now() - interval '2 hours' where child_id = (select id from bags where code = 'U77001D')`.execute(db);
    await page.getByRole('button', { name: 'Unlink U77001D' }).click();
    await waitForText(page, 'unlink-feedback', /^Dispatchers can only unlink children they linked themselves, within an hour of linking\. Ask a biller or admin to unlink U77001D\.$/);
    expect(await page.getByTestId('unlink-feedback').getAttribute('data-state')).toBe('rejected');
    expect(await linkedChildren(db, 'SB77001')).toEqual(['U77001A', 'U77001C', 'U77001D', 'U77001X']);
    // Once the page has reloaded the parent, the refused child no longer offers an unlink.
    await expect.poll(() => page.getByRole('button', { name: 'Unlink U77001D' }).count()).toBe(0);
    expect(await localRows(page, 'inbox')).toEqual([]);
    await device.close();
  }, 120_000);

  it('the print view of a 60-parent bill carries everything that goes with the truck on one A4 sheet; 61 parents take two', async () => {
    const db = env.app.deps.db;
    const biller = await createUser(db, { role: 'biller' });
    const admin = await createUser(db, { role: 'admin' });
    const bills = env.app.as(biller).bill;
    await bills.create({ billNumber: 'PRINT-60', capacity: 60, destination: 'Sri Ganganagar mandi', vehicleNumber: 'RJ13 PA 6060', description: 'Mustard seed, lot 7' });
    await bills.create({ billNumber: 'PRINT-61', capacity: 61 });
    const parents = [];
    for (let i = 0; i < 121; i++) {
      const p = await createParentBag(db, { format: i % 3 === 0 ? 'M444' : 'SB', children: i % 3 === 0 ? i % 16 : i % 31 });
      await bills.addParent({ billNumber: i < 60 ? 'PRINT-60' : 'PRINT-61', parentCode: p.code });
      parents.push(p);
    }
    await bills.complete({ billNumber: 'PRINT-60', allowShort: false });
    const { bill, parents: onBill } = await env.app.as(admin).bill.get({ billNumber: 'PRINT-60' });
    expect(bill.parentCount).toBe(60);

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/bills/PRINT-60/print');
    await waitForText(page, 'print-status', 'completed');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bill PRINT-60');
    expect(await textOf(page, 'print-printed-at')).toMatch(new RegExp(`^\\d{1,2} \\w{3} ${new Date().getFullYear()}, \\d{1,2}:\\d{2}\\s?(am|pm)$`, 'i'));
    expect(await textOf(page, 'print-created')).toMatch(new RegExp(`^by ${biller.username} on \\d{1,2} \\w{3} \\d{4}, \\d{1,2}:\\d{2}`));
    expect(await textOf(page, 'print-completed')).toMatch(new RegExp(`^by ${biller.username} on `));
    expect(await textOf(page, 'print-destination')).toBe('Sri Ganganagar mandi');
    expect(await textOf(page, 'print-vehicle')).toBe('RJ13 PA 6060');
    expect(await textOf(page, 'print-description')).toBe('Mustard seed, lot 7');

    const rows = await page.getByTestId('print-parent').allTextContents();
    expect(rows).toHaveLength(60);
    onBill.forEach((p, i) => {
      expect(rows[i]).toBe(`${i + 1}${p.code}${p.childCount}/${p.capacity}${p.actualWeightKg}${p.expectedWeightKg}`);
    });
    expect(await textOf(page, 'print-total-parents')).toBe('60 of 60');
    expect(await textOf(page, 'print-total-children')).toBe(bill.childCount.toLocaleString('en-IN'));
    expect(await textOf(page, 'print-actual')).toBe(`${bill.actualWeightKg.toLocaleString('en-IN')} kg`);
    expect(await textOf(page, 'print-expected')).toBe(`${bill.expectedWeightKg.toLocaleString('en-IN')} kg`);
    expect(bill.expectedWeightKg).toBe(20 * 15 + 40 * 30);
    expect(await textOf(page, 'print-variance')).toBe(`${bill.varianceKg > 0 ? '+' : ''}${bill.varianceKg.toLocaleString('en-IN')} kg`);
    const signatures = await textOf(page, 'print-signatures');
    for (const who of ['Loaded by', 'Driver', 'Checked by']) expect(signatures).toContain(`${who}: name, signature, date`);
    expect(await page.getByTestId('print-sheet').count()).toBe(1);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    expect(pdfPageCount(pdf)).toBe(1);

    await page.goto('/bills/PRINT-61/print');
    await waitForText(page, 'print-status', 'loading');
    expect(await textOf(page, 'print-completed')).toBe('not completed');
    expect(await page.getByTestId('print-parent').count()).toBe(61);
    expect(await page.getByTestId('print-sheet').count()).toBe(2);
    expect(pdfPageCount(await page.pdf({ format: 'A4', preferCSSPageSize: true }))).toBe(2);
    await device.close();
  }, 180_000);

  it('the dashboard chart draws each bar in proportion to its day’s scans (201 and 229 differ), with en-IN numbers; robots.txt is a text file', async () => {
    const db = env.app.deps.db;
    const dispatcher = await createUser(db, { role: 'dispatcher', area: 'raipur' });
    const values = [201, 229, 0, 57, 1000, 640, 3, 80, 999, 229, 201, 512, 45, 120];
    // Scans of the last 14 days in Raipur, newest last (the chart's days are Asia/Kolkata days),
    // and totals big enough for lakh grouping.
    await sql`insert into daily_counters (day, name, scope, shard, value)
      select (now() at time zone 'Asia/Kolkata')::date - (14 - n)::int, 'scans', 'raipur', 0, v
      from unnest(${values}::bigint[]) with ordinality as t(v, n)`.execute(db);
    await sql`insert into counters (name, scope, shard, value) values ('children', 'raipur', 0, 123456), ('linked_children', 'raipur', 0, 100000)`.execute(db);

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, dispatcher.username, TEST_PASSWORD, /\/scan$/);
    await page.goto('/dashboard');
    await page.getByTestId('scan-chart').waitFor();
    const bars = await page.locator('.chart-bar').evaluateAll((els) => els.map((e) => ({ scans: Number(e.getAttribute('data-scans')), height: e.getBoundingClientRect().height, track: e.parentElement!.clientHeight })));
    expect(bars.map((b) => b.scans)).toEqual(values);
    const track = bars[0]!.track;
    expect(track).toBeGreaterThan(100);
    for (const b of bars) expect(Math.abs(b.height - Math.max(1, (b.scans / 1000) * track))).toBeLessThan(1.5);
    expect(bars[1]!.height / bars[0]!.height).toBeCloseTo(229 / 201, 1);
    expect(await page.locator('.chart-value').allTextContents()).toContain('1,000');
    expect(await textOf(page, 'dashboard-scope')).toBe('Raipur');
    const tiles = Object.fromEntries(await page.locator('.tile').evaluateAll((els) => els.map((e) => [e.querySelector('.tile-label')?.textContent, e.querySelector('.tile-value')?.textContent])));
    expect(tiles).toMatchObject({ Children: '1,23,456', 'Linked children': '1,00,000', 'Unlinked children': '23,456' });

    const robots = await fetch(`${env.url}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await robots.text()).toBe('User-agent: *\nDisallow: /\n');
    // The installed app's service worker does not answer it with the app shell either.
    const shown = await page.goto('/robots.txt');
    expect(await shown?.text()).toBe('User-agent: *\nDisallow: /\n');
    await device.close();
  }, 120_000);

  it('on a bill page a biller edits the bill, confirms before removing a parent and unlinks a child; an admin deletes the bill and an unlinked bag', async () => {
    const db = env.app.deps.db;
    const biller = await createUser(db, { role: 'biller' });
    const admin = await createUser(db, { role: 'admin' });
    const loader = await createUser(db, { role: 'dispatcher', area: 'akola' });
    const as = env.app.as(loader);
    for (const code of ['SB78001', 'SB78002']) {
      await as.bag.scanParent({ code });
      for (let i = 1; i <= 3; i++) await as.bag.linkChild({ parentCode: code, childCode: `F${code.slice(2)}C${i}` });
    }
    await as.bag.scanParent({ code: 'SB78009' });
    await env.app.as(biller).bill.create({ billNumber: 'FIX-78', capacity: 4 });
    for (const code of ['SB78001', 'SB78002']) await env.app.as(biller).bill.addParent({ billNumber: 'FIX-78', parentCode: code });

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/bills/FIX-78');
    await waitForText(page, 'bill-progress', '2/4');

    await page.getByRole('button', { name: 'Edit bill' }).click();
    // Below the parents already loaded the form itself refuses (the server would too).
    const capacity = page.getByLabel('Capacity (parent bags)');
    await capacity.fill('1');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await capacity.evaluate((e) => (e as HTMLInputElement).validity.rangeUnderflow)).toBe(true);
    expect((await billOnServer('FIX-78', biller)).bill.capacity).toBe(4);
    await capacity.fill('3');
    await page.getByLabel('Destination').fill('Akola depot');
    await page.getByLabel('Vehicle number').fill('MH30 AK 7801');
    await page.getByLabel('Description').fill('Moong, second lot');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await waitForText(page, 'bill-progress', '2/3');
    expect((await billOnServer('FIX-78', biller)).bill).toMatchObject({ capacity: 3, destination: 'Akola depot', vehicleNumber: 'MH30 AK 7801', description: 'Moong, second lot' });
    expect(await page.getByText('Akola depot').count()).toBeGreaterThan(0);

    // Removing asks first; Cancel keeps the parent.
    await page.getByRole('button', { name: 'Remove SB78002' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Remove SB78002 from bill FIX-78?');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    expect((await billOnServer('FIX-78', biller)).bill.parentCount).toBe(2);
    await page.getByRole('button', { name: 'Remove SB78002' }).click();
    await page.getByRole('button', { name: 'Remove from bill' }).click();
    await waitForText(page, 'bill-progress', '1/3');
    expect((await billOnServer('FIX-78', biller)).parents.map((p) => p.code)).toEqual(['SB78001']);

    // A biller unlinks any child, here from the bill page's parent row.
    await page.getByText('3 children').click();
    await page.getByRole('button', { name: 'Unlink F78001C1' }).click();
    await expect.poll(() => linkedChildren(db, 'SB78001'), { timeout: 30_000 }).toEqual(['F78001C2', 'F78001C3']);
    await waitForText(page, 'bill-feedback', 'F78001C1 removed from SB78001 (2/30)');
    await waitForText(page, 'bill-actual-weight', '2 kg');
    // The opened children list reloads after the outcome, beside the bill itself.
    await expect.poll(() => page.getByTestId('children-SB78001').getByRole('link').allTextContents()).toEqual(['F78001C2', 'F78001C3']);
    await device.close();

    const adminDevice = await newDevice(browser, env.url, 'desktop');
    const adminPage = await adminDevice.newPage();
    await signInThroughUi(adminPage, admin.username, TEST_PASSWORD, /\/bills$/);
    await adminPage.goto('/bills/FIX-78');
    await waitForText(adminPage, 'bill-progress', '1/3');
    await adminPage.getByRole('button', { name: 'Delete bill' }).click();
    await adminPage.getByRole('alertdialog').getByRole('button', { name: 'Delete bill' }).click();
    await adminPage.waitForURL(/\/bills$/);
    await waitForText(adminPage, 'bills-notice', 'Deleted bill FIX-78; 1 parent freed.');
    expect(await db.selectFrom('bills').select('id').where('bill_number', '=', 'FIX-78').executeTakeFirst()).toBeUndefined();

    // An admin deletes a bag that holds nothing and is on no bill; one that holds children offers no delete.
    await adminPage.goto('/search?code=SB78001');
    await adminPage.getByTestId('bag-detail').waitFor();
    expect(await adminPage.getByRole('button', { name: /^Delete bag/ }).count()).toBe(0);
    await adminPage.goto('/search?code=SB78009');
    await adminPage.getByRole('button', { name: 'Delete bag SB78009' }).click();
    await adminPage.getByRole('button', { name: 'Delete bag', exact: true }).click();
    await waitForText(adminPage, 'search-notice', 'Deleted SB78009.');
    expect(await db.selectFrom('bags').select('id').where('code', '=', 'SB78009').executeTakeFirst()).toBeUndefined();

    // Area names come from the server (area.list) and stay on the device for offline use.
    await adminPage.goto('/bags');
    await adminPage.getByRole('option', { name: 'Sri Ganganagar' }).waitFor({ state: 'attached' });
    const expected = await db.selectFrom('dispatch_areas').select('name').orderBy('sort_order').execute();
    expect(await adminPage.locator('#bags-area option').allTextContents()).toEqual(['All areas', ...expected.map((a) => a.name)]);
    await adminPage.locator('#bags-area').selectOption({ label: 'Akola' });
    await adminPage.getByRole('button', { name: 'Apply' }).click();
    await adminPage.getByRole('link', { name: 'SB78001' }).waitFor();
    expect(await adminPage.getByTestId('bags-table').locator('tbody tr').first().locator('td').nth(4).textContent()).toBe('Akola');
    const meta = await localRows<{ key: string; value: unknown }>(adminPage, 'meta');
    expect(meta.find((m) => m.key === 'areas')?.value).toEqual(await db.selectFrom('dispatch_areas').select(['code', 'name']).orderBy('sort_order').execute());
    await adminDevice.close();
  }, 120_000);
});
