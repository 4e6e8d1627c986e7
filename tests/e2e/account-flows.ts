/// <reference lib="dom" />
import { Secret, TOTP } from 'otpauth';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousAxeViolations } from './axe';
import { newDevice } from './browser';

/** Waits for the expected element, failing at once with the screen's sentence if a refusal shows instead. */
export async function settled(expected: Locator, refusal: Locator): Promise<void> {
  await expected.or(refusal).first().waitFor();
  if (await refusal.isVisible()) throw new Error(`refused on screen: ${await refusal.textContent()}`);
}

export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page), `axe on ${new URL(page.url()).pathname}`).toEqual([]);
}

export async function desktopPage(browser: Browser, url: string): Promise<Page> {
  const context = await newDevice(browser, url, 'desktop');
  return context.newPage();
}

/** Fills the sign-in form; the caller waits for where it should land (or for the refusal). */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/login')) await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
}

/** The forced (or voluntary) password change form: current, new, new again. */
export async function changePasswordOnScreen(page: Page, current: string, next: string): Promise<void> {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('New password again').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

/**
 * An authenticator app: codes from the secret shown on screen. The server accepts each code once,
 * so a code is only taken from a 30-second period after the last one used; when the current
 * period is used up, this waits for the clock to reach the next (a condition, not a fixed sleep).
 */
export class Authenticator {
  private readonly totp: TOTP;
  private lastCounter = -1;
  constructor(secretBase32: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secretBase32.replace(/\s/g, '')), digits: 6, period: 30, algorithm: 'SHA1' });
  }
  async nextCode(): Promise<string> {
    while (TOTP.counter({ period: 30 }) <= this.lastCounter) {
      await new Promise((r) => setTimeout(r, Math.min(1_000, TOTP.remaining({ period: 30 }) + 20)));
    }
    this.lastCounter = TOTP.counter({ period: 30 });
    return this.totp.generate();
  }
}

/**
 * Sets up two-step sign-in on the screen in front of it (the forced set-up or My account): reads
 * the key, confirms with a code, reads the 10 recovery codes and says they are saved.
 */
export async function enrolTwoFactorOnScreen(page: Page): Promise<{ app: Authenticator; recoveryCodes: string[] }> {
  await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  const secret = ((await page.getByTestId('two-factor-secret').textContent()) ?? '').trim();
  expect(secret).toMatch(/^[A-Z2-7 ]{16,}$/);
  await eventually(() => page.getByRole('img', { name: /QR code/ }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const app = new Authenticator(secret);
  await page.getByLabel('6-digit code from the app').fill(await app.nextCode());
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await settled(page.getByTestId('recovery-codes'), page.getByTestId('two-factor-enrol').getByRole('alert'));
  const recoveryCodes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  return { app, recoveryCodes };
}

/**
 * expect.poll with room for a loaded machine (vitest's default gives up after a second): the
 * condition is still checked every 50 ms, so a passing run waits no longer.
 */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 20_000, interval: 50 });
}
