/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { trpcHttp } from '../helpers/http';
import { freePort } from '../helpers/server-process';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { changePasswordOnScreen, desktopPage, eventually, expectNoSeriousAxeViolations, settled, signOut, submitSignIn } from './account-flows';
import { deviceIp, launchChromium, newDevice, signInThroughUi } from './browser';
import { E2E_ADMIN_PASSWORD, type E2eServer, otherDevice, startE2eServer } from './server';

const ADMIN_PASSWORD = E2E_ADMIN_PASSWORD;

let env: E2eServer;
let browser: Browser;
let smtp: TestSmtpServer;
/** The admin's page, signed in once for the whole file. */
let admin: Page;

beforeAll(async () => {
  const port = await freePort();
  smtp = await startTestSmtpServer();
  [env, browser] = await Promise.all([
    // Without REDIS_URL: sessions and rate limits in the server process. The server's Redis keys have
    // no per-database prefix, so with the shared test Redis a user id of an earlier run's database
    // would bring that run's sessions into this one's session list.
    startE2eServer({ ADMIN_TWO_FACTOR: 'optional', SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}`, REDIS_URL: undefined }, port),
    launchChromium(),
  ]);
  admin = await desktopPage(browser, env.url);
  await submitSignIn(admin, 'admin', ADMIN_PASSWORD);
  await admin.waitForURL(/\/bills$/);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
  await smtp?.close();
});

async function openUsers(): Promise<void> {
  await admin.goto('/users');
  await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
}

/** Creates a user on the users screen and returns the temporary password it suggested. */
async function createOnScreen(opts: { username: string; email?: string; role: string; area?: string }): Promise<string> {
  await openUsers();
  const form = admin.getByTestId('user-create');
  await form.getByText('New user').click();
  await form.getByLabel('Username').fill(opts.username);
  if (opts.email) await form.getByLabel('Email').fill(opts.email);
  await form.getByLabel('Role').selectOption(opts.role);
  if (opts.area) await form.getByLabel('Dispatch area').selectOption(opts.area);
  await form.getByRole('button', { name: 'Suggest a password' }).click();
  const temporary = await form.getByLabel('Temporary password').inputValue();
  await form.getByRole('button', { name: 'Create user' }).click();
  await settled(admin.getByTestId('user-created'), form.getByRole('alert'));
  return temporary;
}

async function manage(username: string): Promise<void> {
  await openUsers();
  await admin.getByLabel('Name or email').fill(username);
  await admin.getByRole('button', { name: 'Filter', exact: true }).click();
  await admin.getByRole('button', { name: `Manage ${username}` }).click();
  await admin.getByTestId('user-manage').getByRole('heading', { name: username }).waitFor();
}

/**
 * A new admin signed in on a device without a service worker (so routes see the list's requests),
 * where the answers to `procedure` without `newerMark` in their input (the list before it was
 * filtered) are held until `release()`; `answered(n)` waits until the screen has read n answers.
 */
async function withOlderAnswerHeld(procedure: string, newerMark: string) {
  const viewer = await createUser(env.app.deps.db, { role: 'admin' });
  const device = await newDevice(browser, env.url, 'desktop', undefined, 'block');
  // Counts the list's answers once the screen has acted on them (tRPC reads each with json()).
  await device.addInitScript((name) => {
    const counted = { answers: 0 };
    Object.assign(window, { __counted: counted });
    const json = Response.prototype.json;
    Response.prototype.json = async function (this: Response) {
      const value: unknown = await json.call(this);
      if (this.url.includes(name)) setTimeout(() => (counted.answers += 1));
      return value;
    };
  }, procedure);
  const page = await device.newPage();
  await signInThroughUi(page, viewer.username, TEST_PASSWORD, /\/bills$/);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(new RegExp(`/trpc/[^?]*${procedure.replace('.', '\\.')}`), async (route) => {
    if (!new URL(route.request().url()).searchParams.get('input')?.includes(newerMark)) await held;
    await route.continue();
  });
  const answered = (n: number) => page.waitForFunction((want) => (window as unknown as { __counted: { answers: number } }).__counted.answers === want, n);
  return { viewer, device, page, release, answered };
}

describe('accounts screens (real Chromium)', () => {
  it('an admin creates a dispatcher with a temporary password; the dispatcher must change it, then signs in with the new one', async () => {
    const temporary = await createOnScreen({ username: 'disp_new', email: 'disp_new@example.test', role: 'dispatcher', area: 'jaipur' });
    expect(temporary).toHaveLength(16);
    await expectNoSeriousAxeViolations(admin);
    const row = await env.app.deps.db.selectFrom('users').where('username', '=', 'disp_new').select(['role', 'area']).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'dispatcher', area: 'jaipur' });

    const page = await desktopPage(browser, env.url);
    await submitSignIn(page, 'disp_new', temporary);
    await page.waitForURL(/\/setup$/);
    await page.getByRole('heading', { level: 1, name: 'Choose your own password' }).waitFor();
    // Nothing else is reachable until the password is changed.
    await page.goto('/scan');
    await page.waitForURL(/\/setup$/);
    await expectNoSeriousAxeViolations(page);
    // The rule is shown as the person types: a common password is refused on screen and by the server.
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await eventually(() => page.getByTestId('password-strength').textContent()).toMatch(/common passwords/);
    const own = 'jute sacks to jaipur at dawn';
    await changePasswordOnScreen(page, temporary, own);
    await page.waitForURL(/\/scan$/);
    await signOut(page);
    await submitSignIn(page, 'disp_new', own);
    await page.waitForURL(/\/scan$/);
  });

  it('the guards come back as sentences: an eleventh dispatcher in an area is refused', async () => {
    for (let i = 0; i < 10; i++) await createUser(env.app.deps.db, { role: 'dispatcher', area: 'akola' });
    await openUsers();
    const form = admin.getByTestId('user-create');
    await form.getByText('New user').click();
    await form.getByLabel('Username').fill('akola_eleven');
    await form.getByLabel('Role').selectOption('dispatcher');
    await form.getByLabel('Dispatch area').selectOption('akola');
    await form.getByLabel('Temporary password').fill('a long temporary password');
    await form.getByRole('button', { name: 'Create user' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/10 dispatchers/);
    expect(await refusal.textContent()).not.toMatch(/AREA_FULL/);
  });

  it('Forgot password: the mail arrives through SMTP, the link sets a new password, which signs in; the link then fails', async () => {
    const user = await createUser(env.app.deps.db, { role: 'biller', email: 'reset.me@example.test' });
    const page = await desktopPage(browser, env.url);
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await expectNoSeriousAxeViolations(page);
    await page.getByLabel('Username or email').fill('reset.me@example.test');
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await settled(page.getByTestId('reset-requested'), page.getByRole('alert'));

    const mail = await smtp.waitFor((m) => m.to.includes('reset.me@example.test'));
    const link = /https?:\/\/[^\s"<>]+\/reset-password#token=[A-Za-z0-9_-]+/.exec(mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))?.[0];
    expect(link, mail.raw).toBeDefined();
    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();
    await expectNoSeriousAxeViolations(page);
    const fresh = 'seed bags leave on the morning truck';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('New password again').fill(fresh);
    await page.getByRole('button', { name: 'Set password' }).click();
    await settled(page.getByTestId('reset-done'), page.getByRole('alert'));

    await submitSignIn(page, user.username, fresh);
    await page.waitForURL(/\/bills$/);
    await signOut(page);

    // Single use: the same link is refused with a sentence.
    await page.goto(link!);
    await page.getByLabel('New password', { exact: true }).fill('another long pass phrase');
    await page.getByLabel('New password again').fill('another long pass phrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).not.toMatch(/[A-Z]+_[A-Z]+/);
  });

  it('an admin issues a reset link on the users screen and sees it with its expiry', async () => {
    const user = await createUser(env.app.deps.db, { role: 'biller' });
    await manage(user.username);
    await admin.getByRole('button', { name: 'Issue a password reset link' }).click();
    await settled(admin.getByTestId('issued-reset'), admin.getByTestId('user-manage').getByRole('alert'));
    expect(await admin.getByTestId('issued-reset-url').textContent()).toMatch(/\/reset-password#token=/);
    await expectNoSeriousAxeViolations(admin);
  });

  it('a dispatcher asks for another role on My account; the admin approves it on the users screen', async () => {
    const user = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'indore' });
    const page = await desktopPage(browser, env.url);
    await submitSignIn(page, user.username, TEST_PASSWORD);
    await page.waitForURL(/\/scan$/);
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await expectNoSeriousAxeViolations(page);
    await page.getByLabel('Role you need').selectOption('biller');
    await page.getByLabel('Why you need it').fill('I build the Indore bills on Saturdays.');
    await page.getByRole('button', { name: 'Ask an admin' }).click();
    await page.getByTestId('promotion-state').waitFor();
    expect(await page.getByTestId('promotion-state').textContent()).toMatch(/waiting for an admin/);

    await openUsers();
    await admin.getByRole('button', { name: `Approve ${user.username}` }).click();
    await admin.getByTestId('promotion-requests').getByRole('status').waitFor();
    const row = await env.app.deps.db.selectFrom('users').where('id', '=', user.id).select(['role', 'area']).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'biller', area: null });
  });

  it('lockout: 5 wrong passwords lock client A out while client B signs in; 20 from several clients lock the account until an admin unlocks it', async () => {
    // Client A (a browser) is locked out of the account after 5 wrong passwords …
    const user = await createUser(env.app.deps.db, { role: 'biller' });
    const clientA = await desktopPage(browser, env.url);
    for (let i = 1; i <= 5; i++) {
      await submitSignIn(clientA, user.username, `wrong password number ${i}`);
      await eventually(() => clientA.getByRole('alert').textContent()).toBeTruthy();
    }
    expect(await clientA.getByRole('alert').textContent()).toMatch(/15 minutes|locked/i);
    expect(await clientA.getByRole('alert').textContent()).not.toMatch(/[A-Z]+_[A-Z]+/);
    // … and the owner still signs in from client B.
    const clientB = await desktopPage(browser, env.url);
    await submitSignIn(clientB, user.username, TEST_PASSWORD);
    await clientB.waitForURL(/\/bills$/);

    // Another account: 20 failures from several clients (a browser, then three other addresses
    // without the client cookie) lock the whole account. Sign-in is also limited to 10 a minute per
    // username, so the 20 take two windows: a 429 says when to try again, and this waits for it.
    // (A separate account keeps this to one wait: 20 failures and a sign-in would need three.)
    const target = await createUser(env.app.deps.db, { role: 'biller' });
    const clientD = await desktopPage(browser, env.url);
    for (let i = 1; i <= 5; i++) {
      await submitSignIn(clientD, target.username, `not the password ${i}`);
      await eventually(() => clientD.getByRole('alert').textContent()).toBeTruthy();
    }
    let answer = '';
    for (let client = 0; client < 3 && answer !== 'ACCOUNT_LOCKED'; client++) {
      const ip = deviceIp();
      const http = trpcHttp((u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } }), env.url);
      for (let i = 0; i < 5 && answer !== 'ACCOUNT_LOCKED'; i++) {
        const res = await http.mutate('auth.login', { username: target.username, password: `bad guess ${client}-${i}` });
        answer = res.error?.data.appCode ?? 'SIGNED_IN';
        if (answer === 'RATE_LIMITED') {
          const wait = Number((res.error?.data.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds ?? 1);
          await new Promise((r) => setTimeout(r, wait * 1000 + 50));
          i--;
        }
      }
    }
    expect(answer).toBe('ACCOUNT_LOCKED');

    // The admin sees the account lock and the locked-out devices, and unlocks.
    await manage(target.username);
    const state = admin.getByTestId('user-lock-state');
    await eventually(() => state.textContent()).toMatch(/Account locked/);
    expect(await state.textContent()).toMatch(/locked out after failed sign-ins/);
    await expectNoSeriousAxeViolations(admin);
    await admin.getByRole('button', { name: 'Unlock account' }).click();
    await admin.getByTestId('user-manage-message').waitFor();
    await eventually(() => state.textContent()).toMatch(/Can sign in/);
    const failures = await env.app.deps.db.selectFrom('login_failures').where('subject', '=', `u:${target.id}`).select('failures').execute();
    expect(failures).toEqual([]);
  }, 150_000);

  it('the audit screen lists sign-ins, failures, lockouts, role changes and password resets, and its filters narrow the list', async () => {
    // One user's security events, made here: a sign-in, 5 failures (a lockout of that client), a
    // role change on the users screen, and a password reset through a link the admin issued.
    const user = await createUser(env.app.deps.db, { role: 'biller' });
    const ip = deviceIp();
    const http = trpcHttp((u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } }), env.url);
    expect((await http.mutate('auth.login', { username: user.username, password: TEST_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 5; i++) await http.mutate('auth.login', { username: user.username, password: `guess ${i} of five` });
    await manage(user.username);
    const panel = admin.getByTestId('user-manage');
    await panel.getByLabel('Role').selectOption('dispatcher');
    await panel.getByLabel('Dispatch area').selectOption('raipur');
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => admin.getByTestId('user-manage-message').textContent()).toMatch(/Saved/);
    await admin.getByRole('button', { name: 'Issue a password reset link' }).click();
    const link = (await admin.getByTestId('issued-reset-url').textContent()) ?? '';
    const token = /#token=([A-Za-z0-9_-]+)/.exec(link)?.[1];
    expect((await trpcHttp(fetch, env.url).mutate('auth.resetPassword', { token, newPassword: 'the raipur loading bay at noon' })).status).toBe(200);

    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await admin.getByTestId('audit-entry').first().waitFor();
    await expectNoSeriousAxeViolations(admin);
    const actionsShown = async () => admin.getByTestId('audit-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-action') ?? ''));

    // That user's history: every kind of event, newest first.
    await admin.getByLabel('Entity').selectOption('user');
    await admin.getByLabel('Code, bill number or username').fill(user.username);
    await admin.getByRole('button', { name: 'Filter', exact: true }).click();
    await admin.waitForURL(/entityKey=/);
    const wanted = ['auth.login', 'auth.login_failed', 'auth.lockout', 'user.update', 'user.issue_password_reset', 'auth.password_reset'];
    await eventually(async () => [...new Set(await actionsShown())].sort()).toEqual([...wanted].sort());
    expect((await actionsShown())[0]).toBe('auth.password_reset');
    // The role change reads as a diff.
    const roleChange = admin.locator('[data-testid="audit-entry"][data-action="user.update"]').first();
    expect(await roleChange.textContent()).toMatch(/role\s*biller\s*→\s*dispatcher/);

    // The filters narrow it: lockouts only; then only what the admin did.
    await admin.getByLabel('Action').fill('auth.lockout');
    await admin.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventually(async () => [...new Set(await actionsShown())]).toEqual(['auth.lockout']);
    await admin.getByLabel('Action').fill('');
    await admin.getByLabel('By user').fill('admin');
    await admin.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventually(async () => [...new Set(await actionsShown())].sort()).toEqual(['user.issue_password_reset', 'user.update']);
    // A date range before today holds none of it.
    await admin.getByLabel('By user').fill('');
    await admin.getByLabel('To').fill('2020-01-01');
    await admin.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventually(async () => (await actionsShown()).length).toBe(0);
    await admin.getByText('Nothing in the audit log matches these filters.').waitFor();
  });
  it('the audit list keeps the answer to its newest filters when the answer to older ones comes back later', async () => {
    const { page, device, release, answered } = await withOlderAnswerHeld('audit.list', '"to"');
    await page.goto('/audit');
    await page.getByLabel('To').fill('2020-01-01');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByText('Nothing in the audit log matches these filters.').waitFor();

    release();
    await answered(2);
    expect(await page.getByTestId('audit-entry').count()).toBe(0);
    expect(await page.getByText('Nothing in the audit log matches these filters.').isVisible()).toBe(true);
    await device.close();
  });
  it('the users list keeps the answer to its newest filters when the answer to older ones comes back later', async () => {
    const sought = await createUser(env.app.deps.db, { role: 'biller' });
    // The unfiltered list's answer holds every user, the sought one among them.
    const { page, device, release, answered, viewer } = await withOlderAnswerHeld('user.list', '"search"');
    await page.goto('/users');
    await page.getByLabel('Name or email').fill(sought.username);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByTestId(`user-row-${sought.username}`).waitFor();
    const rows = page.locator('tr[data-testid^="user-row-"]');
    expect(await rows.count()).toBe(1);

    release();
    await answered(2);
    expect(await rows.count()).toBe(1);
    expect(await page.getByTestId(`user-row-${viewer.username}`).count()).toBe(0);
    await device.close();
  });
  it('an admin moves a parent to another area from its search result; the bag and the bill link to their audit history', async () => {
    const dispatcher = await createUser(env.app.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const handheld = await otherDevice(env.url, dispatcher.username, TEST_PASSWORD);
    expect((await handheld.mutate('bag.scanParent', { code: 'SB70001' })).status).toBe(200);
    expect((await handheld.mutate('bag.linkChild', { parentCode: 'SB70001', childCode: 'CH70001' })).status).toBe(200);

    await admin.goto('/search?code=SB70001');
    const tools = admin.getByTestId('bag-admin-tools');
    await tools.getByLabel('Move to area').selectOption('ranchi');
    await tools.getByRole('button', { name: 'Move parent' }).click();
    await tools.getByRole('alertdialog').getByRole('button', { name: 'Move to Ranchi' }).click();
    await eventually(() => tools.getByRole('status').textContent()).toMatch(/Moved SB70001 and 1 child to Ranchi/);
    const areas = await env.app.deps.db.selectFrom('bags').where('code', 'in', ['SB70001', 'CH70001']).select('area').execute();
    expect(areas.map((b) => b.area)).toEqual(['ranchi', 'ranchi']);
    await expectNoSeriousAxeViolations(admin);

    await tools.getByRole('link', { name: 'Audit history of SB70001' }).click();
    await admin.waitForURL(/\/audit\?/);
    const move = admin.locator('[data-testid="audit-entry"][data-action="bag.set_area"]');
    await move.waitFor();
    expect(await move.textContent()).toMatch(/area\s*lucknow\s*→\s*ranchi/);

    const biller = await createUser(env.app.deps.db, { role: 'biller' });
    const desk = await otherDevice(env.url, biller.username, TEST_PASSWORD);
    expect((await desk.mutate('bill.create', { billNumber: 'AUD-0001', capacity: 5 })).status).toBe(200);
    await admin.goto('/bills/AUD-0001');
    await admin.getByRole('link', { name: 'Audit history' }).click();
    await admin.locator('[data-testid="audit-entry"][data-action="bill.create"]').waitFor();
  });

  it('My account lists where you are signed in and signs out the other devices', async () => {
    const user = await createUser(env.app.deps.db, { role: 'biller' });
    const [here, there] = [await desktopPage(browser, env.url), await desktopPage(browser, env.url)];
    for (const page of [here, there]) {
      await submitSignIn(page, user.username, TEST_PASSWORD);
      await page.waitForURL(/\/bills$/);
    }
    await here.goto('/account');
    const sessions = here.getByTestId('sessions').locator('li');
    await eventually(() => sessions.count()).toBe(2);
    expect(await here.getByTestId('sessions').textContent()).toContain('(this device)');
    await here.getByRole('button', { name: 'Sign out all other devices' }).click();
    await here.getByRole('alertdialog').getByRole('button', { name: 'Sign out other devices' }).click();
    await eventually(() => sessions.count()).toBe(1);
    await there.reload();
    await there.waitForURL(/\/login$/);
  });

  it('every accounts screen fits a 390 px phone and passes axe there', async () => {
    const phone = await browser.newContext({ baseURL: env.url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, extraHTTPHeaders: { 'x-forwarded-for': deviceIp() } });
    const page = await phone.newPage();
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    for (const path of ['/login', '/forgot-password', '/reset-password#token=abcdefghijklmnopqrstuvwxyz']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await fits(), path).toBe(true);
      await expectNoSeriousAxeViolations(page);
    }
    await submitSignIn(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(/\/bills$/);
    for (const path of ['/users', '/audit', '/account']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await fits(), path).toBe(true);
      await expectNoSeriousAxeViolations(page);
    }
  });
});
