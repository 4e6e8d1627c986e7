import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { ensureFirstAdmin } from '../../server/src/modules/users/bootstrap';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { trpcHttp } from '../helpers/http';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: Actor;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t.deps.db, { role: 'admin' });
});
afterAll(() => t.close());

let ipCounter = 0;
const nextIp = () => `10.60.${++ipCounter}.5`;
const NEW_PASSWORD = 'Copper-Kettle-Morning-31';

/** HTTP as one browser: keeps the session cookie the server sets, like a browser would. */
function browser(deps: Deps = t.deps, userAgent = 'Mozilla/5.0 (Linux; Android 14) Chrome/126') {
  const ip = nextIp();
  const app = createApp(deps, { remoteAddress: () => ip });
  let cookie: string | undefined;
  const keep = <T extends { headers: Headers }>(res: T) => {
    for (const c of res.headers.getSetCookie()) if (c.startsWith('tt_session=')) cookie = c.startsWith('tt_session=;') ? undefined : c.split(';')[0];
    return res;
  };
  const http = () => trpcHttp((u, i) => app.request(u, { ...i, headers: { ...(i?.headers as Record<string, string>), 'user-agent': userAgent } }), 'http://localhost', cookie);
  return {
    mutate: async (path: string, input: unknown) => keep(await http().mutate(path, input)),
    query: async (path: string, input?: unknown) => keep(await http().query(path, input)),
    get cookie() {
      return cookie;
    },
    /** Sends an old cookie (a copy someone kept). */
    with: (old: string | undefined) => trpcHttp((u, i) => app.request(u, i), 'http://localhost', old),
  };
}

async function signedIn(username: string, password = TEST_PASSWORD, deps?: Deps, userAgent?: string) {
  const b = browser(deps, userAgent);
  const res = await b.mutate('auth.login', { username, password });
  expect(res.status).toBe(200);
  return b;
}
const isSignedIn = async (b: ReturnType<typeof browser>, cookie = b.cookie) => (await b.with(cookie).query('auth.me')).data !== null;

describe('a password set by an admin', () => {
  it('must be changed at the next sign-in: only auth.* and account.* work until then', async () => {
    const created = await t.as(admin).user.create({ username: 'temp_pw_user', password: 'Temporary-Pass-2025', role: 'dispatcher', area: 'indore' });
    expect(created).toMatchObject({ mustChangePassword: true, email: null });
    const b = await signedIn('temp_pw_user', 'Temporary-Pass-2025');
    expect((await b.query('auth.me')).data).toMatchObject({ mustChangePassword: true });
    const refused = await b.query('bag.list', {});
    expect(refused.status).toBe(403);
    expect(refused.error).toMatchObject({
      message: 'Choose a new password first: yours was set by an administrator.', data: { appCode: 'PASSWORD_CHANGE_REQUIRED' },
    });
    expect((await b.mutate('bag.scanParent', { code: 'SB70001' })).error?.data.appCode).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await b.query('account.sessions')).status).toBe(200);

    const same = await b.mutate('account.changePassword', { currentPassword: 'Temporary-Pass-2025', newPassword: 'Temporary-Pass-2025' });
    expect(same.error?.data).toMatchObject({ appCode: 'WEAK_PASSWORD', details: { field: 'newPassword' } });
    const changed = await b.mutate('account.changePassword', { currentPassword: 'Temporary-Pass-2025', newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(changed.data).toMatchObject({ username: 'temp_pw_user', mustChangePassword: false });
    expect((await b.query('bag.list', {})).status).toBe(200);

    // An admin setting a password again makes it temporary again.
    await t.as(admin).user.update({ id: created.id, password: 'Second-Temporary-Pass' });
    const again = await signedIn('temp_pw_user', 'Second-Temporary-Pass');
    expect((await again.query('bag.list', {})).error?.data.appCode).toBe('PASSWORD_CHANGE_REQUIRED');
  });
});

describe('changing your own password', () => {
  it('needs the current password, follows the rule, and ends your other sessions while this one goes on', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const here = await signedIn(user.username);
    const elsewhere = await signedIn(user.username);
    const oldCookie = here.cookie;

    const wrong = await here.mutate('account.changePassword', { currentPassword: 'not-my-password', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(403);
    expect(wrong.error).toMatchObject({ message: 'That is not your current password.', data: { appCode: 'WRONG_PASSWORD', details: { field: 'currentPassword' } } });
    const weak = await here.mutate('account.changePassword', { currentPassword: TEST_PASSWORD, newPassword: 'password1234' });
    expect(weak.error?.data).toMatchObject({ appCode: 'WEAK_PASSWORD' });
    expect(weak.error?.message).toBe('This password is on a list of common passwords: choose another.');
    const named = await here.mutate('account.changePassword', { currentPassword: TEST_PASSWORD, newPassword: `x-${user.username.toUpperCase()}-x` });
    expect(named.error?.message).toBe('The password must not contain the username.');

    const ok = await here.mutate('account.changePassword', { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.status).toBe(200);
    expect(here.cookie).not.toBe(oldCookie);
    expect(await isSignedIn(here)).toBe(true);
    expect(await isSignedIn(here, oldCookie)).toBe(false);
    expect(await isSignedIn(elsewhere)).toBe(false);
    const actions = (await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(user.id)).execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['account.password_check_failed', 'account.password_change']));
  });
});

describe('your sessions', () => {
  it('lists them with device, address and times, ends one, or all but this one', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const phone = await signedIn(user.username, TEST_PASSWORD, t.deps, 'Mozilla/5.0 (Linux; Android 14) Chrome/126');
    const desk = await signedIn(user.username, TEST_PASSWORD, t.deps, 'Mozilla/5.0 (Windows NT 10.0) Firefox/128');
    const third = await signedIn(user.username, TEST_PASSWORD, t.deps, 'Mozilla/5.0 (iPhone) Safari/17');

    const listed = (await phone.query('account.sessions')).data as { id: string; userAgent: string; ip: string; isCurrent: boolean; createdAt: string; lastActiveAt: string }[];
    expect(listed).toHaveLength(3);
    expect(listed.filter((s) => s.isCurrent).map((s) => s.userAgent)).toEqual(['Mozilla/5.0 (Linux; Android 14) Chrome/126']);
    for (const s of listed) {
      expect(s.ip).toMatch(/^10\.60\.\d+\.0$/);
      expect(Date.parse(s.createdAt)).not.toBeNaN();
      expect(Date.parse(s.lastActiveAt)).not.toBeNaN();
    }
    const deskSession = listed.find((s) => s.userAgent.includes('Firefox'))!;
    expect((await phone.mutate('account.endSession', { sessionId: deskSession.id })).data).toEqual({ ok: true });
    expect(await isSignedIn(desk)).toBe(false);
    expect((await phone.mutate('account.endSession', { sessionId: deskSession.id })).error?.data).toMatchObject({ appCode: 'SESSION_NOT_FOUND', httpStatus: 404 });

    // Another user's session id is not yours to end.
    const stranger = await signedIn(admin.username);
    const strangers = (await stranger.query('account.sessions')).data as { id: string; isCurrent: boolean }[];
    const strangerId = strangers.find((s) => s.isCurrent)!.id;
    expect((await phone.mutate('account.endSession', { sessionId: strangerId })).error?.data.appCode).toBe('SESSION_NOT_FOUND');
    expect(await isSignedIn(stranger)).toBe(true);

    expect((await phone.mutate('account.endOtherSessions', {})).data).toEqual({ ok: true });
    expect(await isSignedIn(third)).toBe(false);
    expect(await isSignedIn(phone)).toBe(true);
    expect(((await phone.query('account.sessions')).data as unknown[]).length).toBe(1);
  });
});

describe('ending all of a user’s sessions (finding 8)', () => {
  it('also ends a session created while it runs, which then stays ended', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'raipur' });
    // The admin ends the user's sessions after sign-in read the user but before it stored its session.
    let raced = false;
    const sessions = {
      ...t.deps.sessions,
      create: async (...args: Parameters<typeof t.deps.sessions.create>) => {
        if (!raced) {
          raced = true;
          await t.as(admin).user.endSessions({ userId: user.id });
        }
        return t.deps.sessions.create(...args);
      },
    };
    const b = browser({ ...t.deps, sessions });
    expect((await b.mutate('auth.login', { username: user.username, password: TEST_PASSWORD })).status).toBe(200);
    expect(raced).toBe(true);
    expect(await isSignedIn(b)).toBe(false);
    const res = await b.with(b.cookie).query('bag.list', {});
    expect(res.error?.data.appCode).toBe('UNAUTHENTICATED');
    // A sign-in after the end works as usual.
    expect(await isSignedIn(await signedIn(user.username))).toBe(true);
  });

  it('ends them on role, lock and password changes by an admin, and on user.endSessions', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    let b = await signedIn(user.username);
    await t.as(admin).user.update({ id: user.id, role: 'dispatcher', area: 'akola' });
    expect(await isSignedIn(b)).toBe(false);

    b = await signedIn(user.username);
    await t.as(admin).user.update({ id: user.id, isLocked: true });
    expect(await isSignedIn(b)).toBe(false);
    await t.as(admin).user.update({ id: user.id, isLocked: false });

    b = await signedIn(user.username);
    await t.as(admin).user.update({ id: user.id, password: 'Admin-Set-Password-1' });
    expect(await isSignedIn(b)).toBe(false);

    b = await signedIn(user.username, 'Admin-Set-Password-1');
    await t.as(admin).user.endSessions({ userId: user.id });
    expect(await isSignedIn(b)).toBe(false);
    const audit = await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(user.id)).where('action', '=', 'user.end_sessions').execute();
    expect(audit).toHaveLength(1);
  });
});

describe('the first admin', () => {
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await createTestApp();
  });
  afterAll(() => fresh.close());

  it('is created from ADMIN_USERNAME, ADMIN_EMAIL (optional) and a password that meets the rule', async () => {
    await expect(ensureFirstAdmin(fresh.deps, { username: 'chief', email: null, password: 'chief-of-the-warehouse' })).rejects.toThrow(
      'ADMIN_PASSWORD is refused: The password must not contain the username.',
    );
    await expect(ensureFirstAdmin(fresh.deps, { username: 'chief', email: null, password: 'password1234' })).rejects.toThrow(/common passwords/);
    await expect(ensureFirstAdmin(fresh.deps, { username: 'chief', email: null, password: 'Str0ng!Pw' })).rejects.toThrow(/at least 12/);
    await ensureFirstAdmin(fresh.deps, { username: 'chief', email: null, password: 'Granary-Gate-Keeper-9' });
    const rows = await fresh.deps.db.selectFrom('users').select(['username', 'email', 'role', 'must_change_password']).execute();
    expect(rows).toEqual([{ username: 'chief', email: null, role: 'admin', must_change_password: false }]);
    // An admin exists: nothing more is created.
    await ensureFirstAdmin(fresh.deps, { username: 'other', email: 'other@example.test', password: 'Granary-Gate-Keeper-9' });
    expect(await fresh.deps.db.selectFrom('users').select('username').execute()).toHaveLength(1);
  });

  it('gets a generated password, printed once, to change at the first sign-in', async () => {
    const empty = await createTestApp();
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await ensureFirstAdmin(empty.deps, { username: 'admin', email: 'ops@example.test', password: undefined });
    } finally {
      write.mockRestore();
    }
    const password = /password: (\S+)/.exec(printed.join(''))?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = await empty.deps.db.selectFrom('users').select(['email', 'must_change_password']).executeTakeFirstOrThrow();
    expect(row).toEqual({ email: 'ops@example.test', must_change_password: true });
    await empty.close();
  });
});
