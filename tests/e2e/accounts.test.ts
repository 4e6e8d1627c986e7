/// <reference lib="dom" />
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe';
import { launchChromium, newDevice, signInThroughUi } from './browser';
import { type E2eServer, startE2eServer } from './server';

const ADMIN_PASSWORD = 'E2e!Admin-Passw0rd';

let env: E2eServer;
let browser: Browser;

beforeAll(async () => {
  [env, browser] = await Promise.all([startE2eServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** Waits for the expected element, failing at once with the screen's sentence if a refusal shows instead. */
async function settled(expected: Locator, refusal: Locator): Promise<void> {
  await expected.or(refusal).first().waitFor();
  if (await refusal.isVisible()) throw new Error(`refused on screen: ${await refusal.textContent()}`);
}

async function adminPage(): Promise<Page> {
  const context = await newDevice(browser, env.url, 'desktop');
  const page = await context.newPage();
  await signInThroughUi(page, 'admin', ADMIN_PASSWORD, /\/bills/);
  return page;
}

describe('users screen (real Chromium)', () => {
  it('an admin creates a dispatcher with a temporary password; the screen passes axe', async () => {
    const page = await adminPage();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/users$/);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const form = page.getByTestId('user-create');
    await form.getByText('New user').click();
    await form.getByLabel('Username').fill('disp_new');
    await form.getByLabel('Email').fill('disp_new@example.test');
    await form.getByLabel('Role').selectOption('dispatcher');
    await form.getByLabel('Dispatch area').selectOption('jaipur');
    await form.getByRole('button', { name: 'Suggest a password' }).click();
    const temporary = await form.getByLabel('Temporary password').inputValue();
    expect(temporary).toHaveLength(16);
    await form.getByRole('button', { name: 'Create user' }).click();
    await settled(page.getByTestId('user-created'), form.getByRole('alert'));
    expect(await page.getByTestId('user-created').textContent()).toContain(temporary);
    await page.getByTestId('user-row-disp_new').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    const row = await env.app.deps.db.selectFrom('users').where('username', '=', 'disp_new').select(['role', 'area']).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'dispatcher', area: 'jaipur' });
  });
});
