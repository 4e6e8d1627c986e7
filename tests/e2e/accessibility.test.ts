/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { seriousFindings } from './axe';
import { blurEverything, goOffline, newDevice, openHandheld, signInThroughUi, waitForText, wedgeScan } from './browser';
import { type E2eServer, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

interface Finding {
  screen: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page as it is; returns its critical and serious findings, named by screen. */
async function audit(page: Page, screen: string): Promise<Finding[]> {
  return (await seriousFindings(page)).map((f) => ({ screen, ...f }));
}

/** Each screen, opened the way a person gets there, with what shows once it has loaded. */
function screens(billNumber: string, parentCode: string): { path: string; ready: (page: Page) => Promise<unknown> }[] {
  const heading = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name }).waitFor();
  return [
    { path: '/scan', ready: heading('Scan') },
    { path: '/inbox', ready: heading('Refused scans') },
    { path: '/bills', ready: (page) => page.getByRole('link', { name: billNumber }).waitFor() },
    { path: `/bills/${billNumber}`, ready: (page) => page.getByTestId('bill-parents').getByRole('link', { name: parentCode }).waitFor() },
    { path: `/bills/${billNumber}/print`, ready: (page) => page.getByRole('cell', { name: parentCode }).waitFor() },
    { path: `/search?code=${parentCode}`, ready: (page) => page.getByTestId('bag-detail').waitFor() },
    { path: '/bags', ready: (page) => page.getByTestId('bags-table').getByRole('link', { name: parentCode }).waitFor() },
    { path: '/dashboard', ready: (page) => page.locator('.tiles').waitFor() },
    { path: '/scanner-test', ready: heading('Scanner test') },
    { path: '/account', ready: (page) => page.getByTestId('sessions').locator('li').first().waitFor() },
  ];
}

/** Return tickets: billers' and admins' screens. */
function returnScreens(ticketId: string, ticketNumber: string): { path: string; ready: (page: Page) => Promise<unknown> }[] {
  return [
    { path: '/returns', ready: (page) => page.getByRole('link', { name: ticketNumber }).waitFor() },
    { path: `/returns/${ticketId}`, ready: (page) => page.getByTestId('return-lines').locator('li').first().waitFor() },
  ];
}

/** The admins' own screens. */
const ADMIN_SCREENS: { path: string; ready: (page: Page) => Promise<unknown> }[] = [
  { path: '/users', ready: (page) => page.getByTestId('users-table').locator('tbody tr').first().waitFor() },
  { path: '/audit', ready: (page) => page.getByTestId('audit-entry').first().waitFor() },
  { path: '/system', ready: (page) => page.getByTestId('health-worker-table').locator('tbody tr').first().waitFor() },
  { path: '/devices', ready: (page) => page.getByTestId('devices-table').waitFor() },
];

describe('accessibility (axe-core in real Chromium)', () => {
  it('every screen each role can open has no critical or serious axe-core finding', async () => {
    const db = env.app.deps.db;
    const admin = await createUser(db, { role: 'admin' });
    const biller = await createUser(db, { role: 'biller' });
    const dispatcher = await createUser(db, { role: 'dispatcher', area: 'lucknow' });
    const loader = env.app.as(dispatcher);
    await loader.bag.scanParent({ code: 'SB90001' });
    for (let i = 1; i <= 3; i++) await loader.bag.linkChild({ parentCode: 'SB90001', childCode: `K90C0${i}` });
    await loader.bag.scanParent({ code: 'SB90002' });
    await loader.bag.linkChild({ parentCode: 'SB90002', childCode: 'K90X01' });
    await env.app.as(biller).bill.create({ billNumber: 'AXE-BILL-1', capacity: 2, destination: 'Hisar', vehicleNumber: 'HR 20 AB 1234' });
    await env.app.as(biller).bill.addParent({ billNumber: 'AXE-BILL-1', parentCode: 'SB90001' });
    // A completed bill with one parent returned on an open ticket: the bill page shows the return.
    await env.app.as(biller).bill.addParent({ billNumber: 'AXE-BILL-1', parentCode: 'SB90002' });
    await env.app.as(biller).bill.complete({ billNumber: 'AXE-BILL-1' });
    const ticketId = crypto.randomUUID();
    const ticket = await env.app.as(biller).return.create({ ticketId, area: 'hisar', notes: 'Back from the dealer' });
    await env.app.as(biller).return.scan({ ticketId, code: 'SB90002' });
    const findings: Finding[] = [];

    // Signed out: the sign-in screen.
    const anonymous = await newDevice(browser, env.url);
    const start = await anonymous.newPage();
    await start.goto('/login');
    await start.getByRole('heading', { name: 'Sign in to TraceTrack' }).waitFor();
    findings.push(...(await audit(start, 'signed out /login')));
    for (const path of ['/forgot-password', '/reset-password#token=abcdefghijklmnopqrstuvwxyz0123']) {
      await start.goto(path);
      await start.getByRole('heading', { level: 1 }).waitFor();
      findings.push(...(await audit(start, `signed out ${path}`)));
    }
    await anonymous.close();

    // The dispatcher on a phone, with a refusal, a warning and the More menu and sign-out dialog open.
    const { device, page } = await openHandheld(browser, env.url, dispatcher, { viewport: { width: 390, height: 844 } });
    await wedgeScan(page, 'SB90003');
    await wedgeScan(page, 'K90X01');
    await waitForText(page, 'inbox-count', '1');
    await page.getByTestId('refusals').waitFor();
    findings.push(...(await audit(page, 'dispatcher /scan after a refusal')));
    for (const s of screens('AXE-BILL-1', 'SB90001')) {
      await page.goto(s.path);
      await s.ready(page);
      findings.push(...(await audit(page, `dispatcher ${s.path}`)));
    }
    await page.getByRole('navigation', { name: 'Main (phone)' }).getByRole('button', { name: 'More' }).click();
    findings.push(...(await audit(page, 'dispatcher More menu')));
    await page.keyboard.press('Escape');
    await page.goto('/scan');
    await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
    await blurEverything(page);
    await goOffline(device, page);
    await wedgeScan(page, 'SB90003');
    await wedgeScan(page, 'K90C01');
    await page.getByTestId('scan-warning').waitFor();
    findings.push(...(await audit(page, 'dispatcher /scan offline with a warning')));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alertdialog').waitFor();
    findings.push(...(await audit(page, 'dispatcher sign-out dialog')));
    await device.close();

    // Billers and admins at their desks.
    for (const [role, user] of [['biller', biller], ['admin', admin]] as const) {
      const desk = await newDevice(browser, env.url, 'desktop');
      const tab = await desk.newPage();
      await signInThroughUi(tab, user.username, TEST_PASSWORD, /\/bills$/);
      for (const s of [...screens('AXE-BILL-1', 'SB90001'), ...returnScreens(ticketId, ticket.ticket.number), ...(role === 'admin' ? ADMIN_SCREENS : [])]) {
        await tab.goto(s.path);
        await s.ready(tab);
        findings.push(...(await audit(tab, `${role} ${s.path}`)));
      }
      if (role === 'admin') {
        await tab.goto('/imports');
        await tab.getByTestId('imports-history').waitFor();
        findings.push(...(await audit(tab, 'admin /imports')));
      }
      await blurEverything(tab);
      await tab.goto('/inbox');
      await tab.getByRole('heading', { name: 'Refused scans' }).waitFor();
      await blurEverything(tab);
      await wedgeScan(tab, 'SB90001');
      await tab.getByTestId('scan-notice').waitFor();
      findings.push(...(await audit(tab, `${role} scan notice`)));
      await desk.close();
    }

    expect(findings).toEqual([]);
  }, 240_000);
});
