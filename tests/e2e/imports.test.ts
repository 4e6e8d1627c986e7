/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { childCodes, writeLabelSheetXlsx } from '../factories/label-sheets';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { newDevice, signInThroughUi, textOf, waitForText } from './browser';
import { type E2eServer, linkedChildren, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

describe('Imports screen (real Chromium, real server and Postgres)', () => {
  it('an admin checks a label sheet, sees the dry-run report, commits, watches the progress reach 100% and finds the bags on the bag list', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tt-e2e-import-')), 'labels.xlsx');
    const first = childCodes(7_100_000, 30);
    const second = childCodes(7_100_100, 12);
    await writeLabelSheetXlsx(file, [
      { name: 'Sheet1', batches: [{ children: first, parent: 'SB71001' }] },
      { name: 'Sheet2', batches: [{ children: second, parent: 'M444-71002', isParentCodeSerial: true }, { children: ['7100900'], parent: null }] },
    ]);

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.waitForURL(/\/imports$/);
    expect(await page.locator('h1').allTextContents()).toEqual(['Imports']);

    await page.getByLabel('What the file holds').selectOption('label-sheet');
    await page.getByLabel('Dispatch area').selectOption({ label: 'Sri Ganganagar' });
    await page.getByLabel('File (CSV or XLSX, up to 16 MB)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();

    await waitForText(page, 'import-status', /Checked: nothing written yet/);
    const counts = page.getByTestId('import-counts');
    expect(await counts.getByRole('row', { name: /Rows read/ }).textContent()).toContain('45');
    expect(await counts.getByRole('row', { name: /Children to create/ }).textContent()).toContain('42');
    expect(await counts.getByRole('row', { name: /Parents to create/ }).textContent()).toContain('2');
    const errors = page.getByTestId('import-errors');
    expect(await errors.getByRole('row').nth(1).locator('td').allTextContents()).toEqual(['Sheet2', '15', '7100900', 'No parent row closes this batch: its children are not imported.']);
    expect(await linkedChildren(env.app.deps.db, 'SB71001')).toEqual([]);

    await page.getByRole('button', { name: 'Import these rows' }).click();
    await waitForText(page, 'import-status', /^Imported/, 60_000);
    expect(await textOf(page, 'import-progress-text')).toBe('45 of 45 rows processed (100%)');
    expect(await page.getByRole('progressbar', { name: 'Rows processed' }).evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max])).toEqual([45, 45]);
    expect(await linkedChildren(env.app.deps.db, 'SB71001')).toEqual(first);
    expect(await linkedChildren(env.app.deps.db, 'M444-71002')).toEqual(second);
    // The history is read again once the progress stream ends: shortly after the status says so.
    await expect.poll(() => page.getByTestId('imports-history').getByRole('row', { name: /labels\.xlsx/ }).first().textContent()).toMatch(/Imported/);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download report (CSV)' }).click();
    expect((await download).suggestedFilename()).toBe('import-report_labels.csv');

    await page.getByRole('link', { name: 'Bags' }).click();
    await page.waitForURL(/\/bags$/);
    await page.getByLabel('Area').selectOption('sri_ganganagar');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('bags-table').getByRole('link', { name: 'SB71001' }).waitFor();
    expect(await page.getByTestId('bags-table').getByRole('link', { name: 'M444-71002' }).count()).toBe(1);
    expect(await page.getByTestId('bags-table').getByRole('link', { name: first[0]! }).count()).toBe(1);
    await device.close();
  }, 120_000);

  it('reads the history once when an upload ends, though the end arrives twice (the followed job, then the upload\'s answer), and not again on opening a finished import', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tt-e2e-import-')), 'once.xlsx');
    await writeLabelSheetXlsx(file, [{ name: 'Sheet1', batches: [{ children: childCodes(7_200_000, 3), parent: 'SB72001' }] }]);

    const device = await newDevice(browser, env.url, 'desktop');
    // Counted in the page as each request leaves, so a count read after the page's pending
    // timers have run is exact (tRPC sends its batch from a timer). The upload's answer is held
    // in the page until the test releases it, so the followed job shows its end first.
    await device.addInitScript(() => {
      const counted = { importList: 0 };
      const held = new Promise<void>((resolve) => Object.assign(window, { __counted: counted, __releaseUpload: resolve }));
      const original = window.fetch.bind(window);
      window.fetch = (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (url.includes('import.list')) counted.importList += 1;
        return original(input, init);
      };
      const onload = Object.getOwnPropertyDescriptor(XMLHttpRequestEventTarget.prototype, 'onload')!;
      Object.defineProperty(XMLHttpRequest.prototype, 'onload', {
        configurable: true,
        get() { return onload.get!.call(this); },
        set(handler: ((this: XMLHttpRequest, ev: ProgressEvent) => void) | null) {
          onload.set!.call(this, handler && function (this: XMLHttpRequest, ev: ProgressEvent) { void held.then(() => handler.call(this, ev)); });
        },
      });
    });
    const page = await device.newPage();
    const importListCalls = () => page.evaluate(() => new Promise<number>((resolve) => {
      setTimeout(() => resolve((window as unknown as { __counted: { importList: number } }).__counted.importList));
    }));
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/imports');
    await page.getByRole('button', { name: 'Upload' }).waitFor();
    await expect.poll(importListCalls).toBe(1);

    await page.getByLabel('Dispatch area').selectOption({ label: 'Sri Ganganagar' });
    await page.getByLabel('File (CSV or XLSX, up to 16 MB)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await waitForText(page, 'import-status', /Checked: nothing written yet/);
    const row = page.getByTestId('imports-history').getByRole('row', { name: /once\.xlsx/ });
    await row.filter({ hasText: 'Checked' }).waitFor();
    expect(await importListCalls()).toBe(2);

    await page.evaluate(() => (window as unknown as { __releaseUpload: () => void }).__releaseUpload());
    await page.getByRole('button', { name: 'Upload' }).and(page.locator(':enabled')).waitFor();
    expect(await importListCalls()).toBe(2);

    await row.getByRole('button', { name: 'Open once.xlsx' }).click();
    await waitForText(page, 'import-status', /Checked: nothing written yet/);
    await page.getByRole('button', { name: 'Import these rows' }).click();
    await waitForText(page, 'import-status', /^Imported/, 60_000);
    await row.filter({ hasText: 'Imported' }).waitFor();
    expect(await importListCalls()).toBe(3);
    await device.close();
  }, 120_000);

  it('the screen works at 390 px and is offered to admins only', async () => {
    const biller = await createUser(env.app.deps.db, { role: 'biller' });
    const device = await browser.newContext({ baseURL: env.url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    expect(await page.getByRole('link', { name: 'Imports' }).count()).toBe(0);
    await page.goto('/imports');
    await page.waitForURL(/\/bills$/);
    await device.close();

    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const phone = await browser.newContext({ baseURL: env.url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await signInThroughUi(p, admin.username, TEST_PASSWORD, /\/bills$/);
    await p.goto('/imports');
    await p.getByRole('button', { name: 'Upload' }).waitFor();
    // Nothing but the scrolling nav and tables is wider than the phone.
    const wide = await p.evaluate(() => [...document.querySelectorAll('main form *, main > p')]
      .filter((el) => el.getBoundingClientRect().right > 390).map((el) => el.tagName));
    expect(wide).toEqual([]);
    const overflowing = await p.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > 390 && !el.closest('.table-scroll, nav'))
      .map((el) => `${el.tagName}.${el.className}`));
    expect(overflowing).toEqual([]);
    // With a row in the history (its table scrolls inside its region), the page still fits.
    await p.getByTestId('imports-history').getByRole('row').nth(1).waitFor();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.getByRole('button', { name: 'Upload' }).click();
    expect(await p.getByRole('alert').textContent()).toBe('Choose a file to import.');
    await phone.close();
  }, 60_000);
});
