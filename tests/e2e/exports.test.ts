/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { createParentBag } from '../factories/bills';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { parseCsv } from '../helpers/exports';
import { newDevice, signInThroughUi } from './browser';
import { type E2eServer, useE2eSuite } from './server';

// The reader's wasm from the installed package, as the PWA ships it (no network).
const require = createRequire(import.meta.url);
prepareZXingModule({ overrides: { wasmBinary: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).buffer as ArrayBuffer } });

let env: E2eServer;
let browser: Browser;
useE2eSuite((s) => ({ env, browser } = s));

describe('admin screens for data out (real Chromium, real server)', () => {
  it('reserves 60 new SB codes and prints them on A4 pages whose barcodes decode back to the codes', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    await createParentBag(env.app.deps.db, { code: 'SB00120' });
    const context = await browser.newContext({ baseURL: env.url, viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.getByRole('link', { name: 'Labels' }).click();
    await page.getByRole('heading', { level: 1, name: 'Labels' }).waitFor();
    await page.getByLabel('Codes').selectOption('parent');
    await page.getByLabel('Format').selectOption('SB');
    await page.getByLabel('How many').fill('60');
    await page.getByRole('button', { name: 'Reserve and print' }).click();
    await page.waitForURL(/\/labels\/\d+\/print$/);
    await page.getByTestId('label-summary').getByText('60 labels, SB00121 to SB00180, on 3 A4 pages.').waitFor();

    const sheets = page.locator('.label-page');
    expect(await sheets.count()).toBe(3);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.label img')].every((i) => i.complete && i.naturalWidth > 0));
    // As the printer gets it (print CSS: no navigation, no settings), each label (barcode and its
    // text) is screenshotted and decoded in turn.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    const labels = page.locator('.label');
    const decoded: string[] = [];
    for (let i = 0; i < (await labels.count()); i++) {
      const png = await labels.nth(i).screenshot();
      const results = await readBarcodes(new Uint8Array(png), { formats: ['QRCode'], maxNumberOfSymbols: 1, tryHarder: true });
      decoded.push(results.find((r) => r.isValid)?.text ?? `(label ${i + 1} unreadable)`);
    }
    const expected = Array.from({ length: 60 }, (_, i) => `SB${String(121 + i).padStart(5, '0')}`);
    expect(decoded).toEqual(expected);
    // Printed text beside each barcode, in order.
    expect(await page.locator('.label-code').allTextContents()).toEqual(expected);

    // The reservation is listed for reprinting.
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('link', { name: 'Back to labels' }).click();
    await page.getByRole('link', { name: 'Print SB00121 to SB00180' }).waitFor();
    await context.close();
  });

  it('downloads the bag list as CSV with the code search on screen, after showing its row count', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const parent = await createParentBag(env.app.deps.db, { code: 'SB64640', children: 4 });
    const context = await newDevice(browser, env.url, 'desktop');
    const page = await context.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.getByRole('link', { name: 'Bags', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Bags' }).waitFor();
    await page.getByLabel('Code').fill('b6464');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('export-count').getByText('Export 5 rows:').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download bags as CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^bags_code-B6464_codeMatch-contains_\d{8}-\d{4}\.csv$/);
    const records = await parseCsv(readFileSync((await download.path())!));
    expect(records.slice(1).map((r) => r[0]).sort()).toEqual([...parent.childCodes, 'SB64640'].sort());
    await context.close();
  });

  it('shows the end-of-day summary with its totals and mail status', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const context = await newDevice(browser, env.url, 'desktop');
    const page = await context.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.getByRole('link', { name: 'End of day' }).click();
    await page.getByRole('heading', { level: 1, name: 'End-of-day summary' }).waitFor();
    await page.getByTestId('eod-summary').waitFor();
    expect(await page.getByTestId('eod-mail').textContent()).toBe('The summary is not mailed: no mail server is configured (SMTP_URL).');
    await page.getByLabel('Date').fill('2026-01-05');
    await page.getByLabel('Date').dispatchEvent('change');
    await page.waitForURL(/date=2026-01-05/);
    await page.getByText('No bill was created or completed that day.').waitFor();
    expect(await page.getByTestId('eod-created').textContent()).toBe('0');
    await context.close();
  });
  it('downloads the audit log as the screen filters it, and the user list with its filters', async () => {
    const admin = await createUser(env.app.deps.db, { role: 'admin' });
    const context = await newDevice(browser, env.url, 'desktop');
    const page = await context.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    // Their sign-ins: rows the background work of the signed-in app (device registration) does not add to.
    await page.goto(`/audit?actor=${admin.username}&action=auth.`);
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const count = page.getByTestId('export-count');
    await count.getByText(/^Export \d+ rows?:$/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the audit log as CSV' }).click()]);
    const records = await parseCsv(readFileSync((await download.path())!));
    const shown = Number((await count.textContent())!.match(/\d+/)![0]);
    expect(records.length - 1).toBe(shown);
    expect(records.slice(1).every((r) => r[1] === admin.username && r[2]!.startsWith('auth.'))).toBe(true);
    expect(shown).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByLabel('Name or email').fill(admin.username);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('export-count').getByText('Export 1 row:').waitFor();
    const [users] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download users with their scans of the last 30 days as CSV' }).click()]);
    const userRows = await parseCsv(readFileSync((await users.path())!));
    expect(userRows.slice(1).map((r) => r[0])).toEqual([admin.username]);
    await context.close();
  });
});
