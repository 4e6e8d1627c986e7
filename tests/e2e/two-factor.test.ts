/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  changePasswordOnScreen, desktopPage, enrolTwoFactorOnScreen, expectNoSeriousAxeViolations, settled, signOut, submitSignIn,
} from './account-flows';
import { E2E_ADMIN_PASSWORD, type E2eServer, useE2eSuite } from './server';

const ADMIN_PASSWORD = E2E_ADMIN_PASSWORD;

let env: E2eServer;
let browser: Browser;

// Admins must use two-step sign-in (the default, stated here so the test says what it relies on).
// Without REDIS_URL: see accounts.test.ts (the server's Redis keys are not per database).
useE2eSuite((s) => ({ env, browser } = s), { ADMIN_TWO_FACTOR: 'required', REDIS_URL: undefined });

describe('two-step sign-in (real Chromium, ADMIN_TWO_FACTOR=required)', () => {
  it('admins are taken to set-up; a new admin enrols, signs in with an app code, then with a recovery code that fails the second time', async () => {
    // The first admin is taken to set-up before anything else is reachable.
    const first = await desktopPage(browser, env.url);
    await submitSignIn(first, 'admin', ADMIN_PASSWORD);
    await first.waitForURL(/\/setup$/);
    await first.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' }).waitFor();
    expect(await first.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await first.goto('/users');
    await first.waitForURL(/\/setup$/);
    await expectNoSeriousAxeViolations(first);
    await enrolTwoFactorOnScreen(first);
    await expectNoSeriousAxeViolations(first);
    await first.getByRole('button', { name: 'I have saved them' }).click();
    await first.waitForURL(/\/bills$/);

    // It creates a second admin with a temporary password.
    await first.goto('/users');
    const form = first.getByTestId('user-create');
    await form.getByText('New user').click();
    await form.getByLabel('Username').fill('admin_two');
    await form.getByLabel('Role').selectOption('admin');
    await form.getByRole('button', { name: 'Suggest a password' }).click();
    const temporary = await form.getByLabel('Temporary password').inputValue();
    await form.getByRole('button', { name: 'Create user' }).click();
    await settled(first.getByTestId('user-created'), form.getByRole('alert'));

    // The new admin changes the password, then must set up two-step sign-in.
    const page = await desktopPage(browser, env.url);
    await submitSignIn(page, 'admin_two', temporary);
    await page.waitForURL(/\/setup$/);
    await page.getByRole('heading', { level: 1, name: 'Choose your own password' }).waitFor();
    const own = 'correct horse battery staple 42';
    await changePasswordOnScreen(page, temporary, own);
    await page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' }).waitFor();
    const { app, recoveryCodes } = await enrolTwoFactorOnScreen(page);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.waitForURL(/\/bills$/);
    await signOut(page);

    // The password alone asks for a code; an app code signs in.
    await submitSignIn(page, 'admin_two', own);
    await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
    await expectNoSeriousAxeViolations(page);
    await page.getByLabel(/Code from your authenticator app/).fill(await app.nextCode());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/bills$/);

    // My account says so, with all 10 recovery codes left.
    await page.goto('/account');
    await page.getByTestId('two-factor-state').waitFor();
    expect(await page.getByTestId('two-factor-state').textContent()).toContain('10 of 10');
    await signOut(page);

    // A recovery code signs in once …
    const recovery = recoveryCodes[0]!;
    await submitSignIn(page, 'admin_two', own);
    await page.getByLabel(/Code from your authenticator app/).fill(recovery);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/bills$/);
    await page.goto('/account');
    await page.getByTestId('two-factor-state').waitFor();
    expect(await page.getByTestId('two-factor-state').textContent()).toContain('9 of 10');
    await signOut(page);

    // … and never again.
    await submitSignIn(page, 'admin_two', own);
    await page.getByLabel(/Code from your authenticator app/).fill(recovery);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).not.toMatch(/[A-Z]+_[A-Z]+/);
    expect(new URL(page.url()).pathname).toBe('/login');
    // A whole enrolment and three sign-ins, each app code from its own 30-second period.
  }, 180_000);
});
