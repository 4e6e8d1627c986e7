/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so these files see DOM types too.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../factories/users';

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

export async function newDevice(
  browser: Browser,
  baseURL: string,
  kind: DeviceKind = 'handheld',
  viewport?: { width: number; height: number },
  serviceWorkers: 'allow' | 'block' = 'allow',
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    serviceWorkers,
    extraHTTPHeaders: { 'x-forwarded-for': deviceIp() },
    viewport: viewport ?? (kind === 'handheld' ? { width: 412, height: 860 } : { width: 1280, height: 900 }),
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

export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

export async function goOffline(device: BrowserContext, page: Page): Promise<void> {
  await device.setOffline(true);
  await waitForText(page, 'connection', 'Offline');
}

/**
 * A handheld as a dispatcher starts a shift: signed in on its own device, on the scan screen, the
 * service worker in control (so a reload works with no network), no field focused (so the wedge
 * scanner's keys reach the scan screen) and, with `isOffline`, the network gone.
 */
export async function openHandheld(
  browser: Browser,
  baseURL: string,
  user: { username: string },
  opts: { isOffline?: boolean; viewport?: { width: number; height: number }; password?: string } = {},
): Promise<{ device: BrowserContext; page: Page }> {
  const device = await newDevice(browser, baseURL, 'handheld', opts.viewport);
  const page = await device.newPage();
  await signInThroughUi(page, user.username, opts.password ?? TEST_PASSWORD, /\/scan$/);
  await page.getByText('to start').waitFor();
  await waitForServiceWorker(page);
  await blurEverything(page);
  if (opts.isOffline) await goOffline(device, page);
  return { device, page };
}

/** Follows a navigation link, from the top bar on a wide screen or under "More" on a phone. */
export async function openFromNav(page: Page, label: string): Promise<void> {
  const top = page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: label, exact: true });
  if (await top.isVisible()) return top.click();
  const phone = page.getByRole('navigation', { name: 'Main (phone)' });
  const direct = phone.getByRole('link', { name: label, exact: true });
  if (!(await direct.isVisible())) await phone.getByRole('button', { name: 'More' }).click();
  await direct.click();
}

/** The codes in the device's Dexie `parents` store, sorted. */
export async function localParentCodes(page: Page): Promise<string[]> {
  return (await localRows<{ code: string }>(page, 'parents')).map((p) => p.code).sort();
}

const cdpSessions = new WeakMap<Page, CDPSession>();

async function cdpOf(page: Page): Promise<CDPSession> {
  let cdp = cdpSessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    cdpSessions.set(page, cdp);
  }
  return cdp;
}

/**
 * A keyboard-wedge scanner: keys 5–10 ms apart, then Enter, into whatever has focus. A USB/HID
 * scanner's key events carry the hardware's timestamps, so the events here are stamped 5–10 ms
 * apart too; the test runner's own scheduling delays on a loaded machine then do not distort the
 * timing the page sees, just as a busy page would not for a real scanner.
 */
export async function wedgeScan(page: Page, code: string, gapMs: readonly [number, number] = [5, 10]): Promise<void> {
  await wedgeKeys(page, code, { gapMs, isEnterPressed: true });
}

/** Where each page's scanner timeline has got to (seconds), so bursts never overlap in time. */
const burstEnds = new WeakMap<Page, number>();

/**
 * Scanner keys with no Enter at the end unless asked: a burst a scanner may send before a pause.
 * A scanner sends its burst whatever the page is doing, so every key of it is handed to the
 * browser at once, in order, stamped with the time the scanner would have sent it; the page's
 * input queue takes them from there. (Sending one key, waiting for the page to take it, then
 * sleeping made the runner pause mid-burst instead: in a loaded CI run with the page slowed 4×,
 * one such pause passed the page's 1 s join window and the scan was rightly reported partial.)
 * The call returns once the real clock has reached the burst's last stamp, so a pause the caller
 * makes next is a pause on the page's clock too.
 */
export async function wedgeKeys(page: Page, text: string, opts: { gapMs?: readonly [number, number]; isEnterPressed?: boolean } = {}): Promise<void> {
  const cdp = await cdpOf(page);
  let t = Math.max(Date.now() / 1000, burstEnds.get(page) ?? 0);
  const [min, max] = opts.gapMs ?? [5, 10];
  const gap = () => min + Math.random() * (max - min);
  const step = () => (t += gap() / 1000);
  const sent: Promise<unknown>[] = [];
  for (const ch of text) {
    const key = { key: ch, text: ch, unmodifiedText: ch, code: /\d/.test(ch) ? `Digit${ch}` : /[A-Za-z]/.test(ch) ? `Key${ch.toUpperCase()}` : '', windowsVirtualKeyCode: ch.toUpperCase().charCodeAt(0) };
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, timestamp: step() }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp: t + 0.001 }));
  }
  if (opts.isEnterPressed) {
    const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 };
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...enter, text: '\r', unmodifiedText: '\r', timestamp: step() }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter, timestamp: t + 0.001 }));
  }
  await Promise.all(sent);
  burstEnds.set(page, t + 0.001);
  const ahead = (t + 0.001) * 1000 - Date.now();
  if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
}

/** Slows the page's CPU by `rate` (1 is full speed), as a cheap handheld would run it. */
export async function throttleCpu(page: Page, rate: number): Promise<void> {
  await (await cdpOf(page)).send('Emulation.setCPUThrottlingRate', { rate });
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

/** Resolves once a service worker controls the page (it then answers navigations offline). */
export async function waitForControllingWorker(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** Every row of one store of the PWA's IndexedDB database (Dexie `tracetrack`), read straight from the browser. */
export async function localRows<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return page.evaluate((name) => new Promise<T[]>((resolve, reject) => {
    const open = indexedDB.open('tracetrack');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(name)) {
        db.close();
        resolve([]);
        return;
      }
      const req = db.transaction(name).objectStore(name).getAll();
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        db.close();
        resolve(req.result as T[]);
      };
    };
  }), store);
}

/** The number of pages of a PDF that Chromium printed (each page object is `/Type /Page`). */
export function pdfPageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
}
