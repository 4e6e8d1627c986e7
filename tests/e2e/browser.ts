import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLIENT_DIST = path.join(ROOT, 'client/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/**
 * `npm test` builds the client first (root pretest). Run directly (`npx vitest tests/e2e`), this
 * builds it when client/dist is missing or older than the client's sources.
 */
export function ensureClientBuilt(): void {
  const built = path.join(CLIENT_DIST, 'index.html');
  const sources = ['client/src', 'client/index.html', 'client/vite.config.ts', 'client/public', 'shared/src'].map((p) => path.join(ROOT, p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  execFileSync('npm', ['run', 'build', '-w', 'client'], { cwd: ROOT, stdio: 'pipe' });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

let ipCounter = 0;
/** Each simulated device gets its own client IP (the server trusts X-Forwarded-For in these tests), so login rate limits per IP do not leak between tests or runs. */
export function deviceIp(): string {
  ipCounter += 1;
  return `198.51.${(process.pid % 200) + 1}.${(ipCounter % 250) + 1}`;
}

export type DeviceKind = 'handheld' | 'desktop';

export async function newDevice(browser: Browser, baseURL: string, kind: DeviceKind = 'handheld'): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    serviceWorkers: 'allow',
    extraHTTPHeaders: { 'x-forwarded-for': deviceIp() },
    viewport: kind === 'handheld' ? { width: 412, height: 860 } : { width: 1280, height: 900 },
    ...(kind === 'handheld' ? { isMobile: true, hasTouch: true } : {}),
  });
}

export async function signInThroughUi(page: Page, username: string, password: string, landing: RegExp): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(landing);
}

/** A keyboard-wedge scanner: keys 5–10 ms apart, then Enter, into whatever has focus. */
export async function wedgeScan(page: Page, code: string): Promise<void> {
  for (const ch of code) {
    await page.keyboard.press(ch);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 5));
  }
  await page.keyboard.press('Enter');
}

export async function blurEverything(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

export async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

/** Waits until an element's text satisfies the predicate (no fixed sleeps). */
export async function waitForText(page: Page, testId: string, expected: string | RegExp, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ id, source, flags, isRegex }) => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
      return isRegex ? new RegExp(source, flags).test(text) : text === source;
    },
    typeof expected === 'string'
      ? { id: testId, source: expected, flags: '', isRegex: false }
      : { id: testId, source: expected.source, flags: expected.flags, isRegex: true },
    { timeout, polling: 'raf' },
  );
}
