/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_TICKET_NUMBER_PATTERN } from '@tracetrack/shared';
import { createParentBag } from '../factories/bills';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { goOffline, launchChromium, newDevice, openFromNav, signInThroughUi, textOf, waitForControllingWorker, waitForText } from './browser';
import { type E2eServer, startE2eServer } from './server';

let env: E2eServer;
let browser: Browser;

beforeAll(async () => {
  [env, browser] = await Promise.all([startE2eServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe('return tickets in the browser', () => {
  it('a biller opens a ticket and scans 3 parents of a completed bill offline (the bill, open in another tab, marks them as returning), reloads, goes online: the bill shows 3 return events and its new totals, and the ticket is finalised', async () => {
    const db = env.app.deps.db;
    const biller = await createUser(db, { role: 'biller' });
    const parents: string[] = [];
    for (const children of [10, 8, 6, 4]) parents.push((await createParentBag(db, { children, area: 'jaipur' })).code);
    const bills = env.app.as(biller).bill;
    await bills.create({ billNumber: 'RET-E2E-1', capacity: 4, destination: 'Jaipur' });
    for (const code of parents) await bills.addParent({ billNumber: 'RET-E2E-1', parentCode: code });
    await bills.complete({ billNumber: 'RET-E2E-1' });

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    await waitForControllingWorker(page);
    await openFromNav(page, 'Returns');
    await page.getByRole('heading', { level: 1, name: 'Return tickets' }).waitFor();
    await page.getByLabel('C&F location').locator('option[value="jaipur"]').waitFor({ state: 'attached' });
    // The bill stays open in a second tab, loaded while the network was there.
    const billTab = await device.newPage();
    await billTab.goto('/bills/RET-E2E-1');
    await waitForText(billTab, 'bill-progress', '4/4');

    // The C&F point's Wi-Fi is gone before the ticket is even opened: it and its scans wait on the device.
    await goOffline(device, page);
    await page.getByLabel('C&F location').selectOption('jaipur');
    await page.getByLabel('Notes (optional)').fill('Unsold bags back from the Jaipur dealer');
    await page.getByRole('button', { name: 'Open ticket and scan' }).click();
    await page.waitForURL(/\/returns\/[0-9a-f-]{36}$/);
    await waitForText(page, 'ticket-status', 'open');
    expect(await textOf(page, 'ticket-number')).toBe('(number given when it reaches the server)');
    const field = page.getByLabel('Parent code (type or scan)');
    for (const code of parents.slice(0, 3)) {
      await field.fill(code.toLowerCase());
      await field.press('Enter');
      await waitForText(page, 'return-feedback', `Saved on this device: returning ${code}; it is sent when the connection returns.`);
    }
    await waitForText(page, 'ticket-waiting', '3');
    // The bill's tab marks the three parents as on their way back; its totals wait for the server.
    const returning = billTab.getByTestId('bill-parent-row').filter({ hasText: 'returning, waiting for the server' });
    await expect.poll(() => returning.count()).toBe(3);
    for (const code of parents.slice(0, 3)) expect(await returning.filter({ hasText: code }).count()).toBe(1);
    expect(await textOf(billTab, 'bill-progress')).toBe('4/4');

    // Reloaded with no network: the ticket and its three waiting scans come from the device.
    await page.reload();
    await waitForText(page, 'ticket-status', 'open');
    await waitForText(page, 'ticket-waiting', '3');
    expect(await page.getByTestId('return-lines').locator('li[data-state="pending"]').count()).toBe(3);

    await device.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitForText(page, 'ticket-number', RETURN_TICKET_NUMBER_PATTERN);
    const number = await textOf(page, 'ticket-number');
    await waitForText(page, 'ticket-parents', '3');
    await waitForText(page, 'ticket-waiting', '0');
    expect(await page.getByTestId('return-lines').locator('li[data-state="applied"]').count()).toBe(3);
    // Sent: the bill's tab follows the server, which took the three parents off the bill.
    await waitForText(billTab, 'bill-progress', '1/4');
    expect(await returning.count()).toBe(0);
    await billTab.close();

    await page.getByRole('button', { name: 'Finalise ticket' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Finalise ticket' }).click();
    await waitForText(page, 'ticket-status', 'finalised');
    await expect.poll(async () => (await env.app.as(biller).return.list({ status: 'committed' })).items.map((t) => t.number)).toContain(number);

    await page.goto('/bills/RET-E2E-1');
    await waitForText(page, 'bill-progress', '1/4');
    expect(await textOf(page, 'bill-status')).toBe('completed');
    expect(await textOf(page, 'bill-actual-weight')).toBe('4 kg');
    const events = page.getByTestId('bill-returns').locator('tbody tr');
    expect(await events.count()).toBe(3);
    for (const code of parents.slice(0, 3)) expect(await page.getByTestId('bill-returns').getByText(code).count()).toBe(1);
    expect(await page.getByTestId('bill-returns').getByRole('link', { name: number }).count()).toBe(3);

    // The print view counts the returns apart from what the bill holds now.
    await page.goto('/bills/RET-E2E-1/print');
    await waitForText(page, 'print-total-parents', '1 of 4');
    await waitForText(page, 'print-returned', '3 parents, 24 children, 24 kg');
    expect(await page.getByTestId('bill-returns').locator('tbody tr').count()).toBe(3);

    const server = await bills.get({ billNumber: 'RET-E2E-1' });
    expect(server.bill).toMatchObject({ status: 'completed', parentCount: 1, childCount: 4, actualWeightKg: 4 });
    expect(server.returns.map((r) => r.parentsAfter).sort()).toEqual([1, 2, 3]);
    await device.close();
  }, 180_000);

  it('an admin edits a ticket\'s location and notes, sees a refusal on the page, cancels it with a confirmation that says returned bags can go on new bills, and exports it', async () => {
    const db = env.app.deps.db;
    const admin = await createUser(db, { role: 'admin' });
    const parent = await createParentBag(db, { children: 5, area: 'akola' });
    await env.app.as(admin).bill.create({ billNumber: 'RET-E2E-2', capacity: 3 });
    await env.app.as(admin).bill.addParent({ billNumber: 'RET-E2E-2', parentCode: parent.code });

    const device = await newDevice(browser, env.url, 'desktop');
    const page = await device.newPage();
    await signInThroughUi(page, admin.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/returns');
    await page.getByLabel('C&F location').selectOption('akola');
    await page.getByRole('button', { name: 'Open ticket and scan' }).click();
    await waitForText(page, 'ticket-number', RETURN_TICKET_NUMBER_PATTERN);
    const number = await textOf(page, 'ticket-number');

    await page.getByRole('button', { name: 'Edit location and notes' }).click();
    await page.getByLabel('C&F location').selectOption('raipur');
    await page.getByLabel('Notes').fill('Came back with the Raipur truck');
    // A refresh of the ticket while the form is open (timer, an outcome, coming online) keeps what was typed.
    const refreshed = page.waitForResponse((r) => r.url().includes('return.get'));
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await refreshed;
    await page.waitForTimeout(50);
    expect(await page.getByLabel('Notes').inputValue()).toBe('Came back with the Raipur truck');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitForText(page, 'ticket-notice', `Updated return ticket ${number}.`);
    await page.getByText('Came back with the Raipur truck').waitFor();

    const field = page.getByLabel('Parent code (type or scan)');
    await field.fill(parent.code);
    await field.press('Enter');
    await waitForText(page, 'ticket-parents', '1');
    await field.fill(parent.code);
    await field.press('Enter');
    await waitForText(page, 'return-feedback', `${parent.code} is already on return ticket ${number}.`);

    await page.getByRole('button', { name: 'Cancel ticket' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Parents already returned on it stay off their bills: they can go on new bills.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel ticket' }).click();
    await waitForText(page, 'ticket-status', 'cancelled');
    await waitForText(page, 'return-feedback', /can go on new bills/);
    expect(await page.getByLabel('Parent code (type or scan)').count()).toBe(0);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: `Download return ticket ${number} as CSV` }).click();
    expect((await download).suggestedFilename()).toMatch(/^return_ticket-RTN-\d{8}-[0-9A-F]{4}_\d{8}-\d{4}\.csv$/);
    const server = await env.app.as(admin).return.list({ area: 'raipur', status: 'cancelled' });
    expect(server.items.map((t) => [t.number, t.parentCount])).toEqual([[number, 1]]);
    await device.close();
  }, 120_000);
});
