import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createContextInner } from '../../server/src/trpc/context';
import { sessionCookieName } from '../../server/src/trpc/http-context';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionFor, trpcHttp } from '../helpers/http';
import { type Actor, createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: Actor;
let now = new Date('2025-06-01T05:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  admin = await createUser(t.deps.db, { role: 'admin' });
});
afterAll(() => t.close());

let ipCounter = 0;
const signIn = (username: string, password = TEST_PASSWORD, code?: string) =>
  createCaller(createContextInner({ deps: t.deps, meta: { ip: `10.70.${++ipCounter}.1` } })).auth.login({ username, password, ...(code ? { code } : {}) });
const ids = (page: { items: { id: number }[] }) => page.items.map((u) => u.id);

describe('deactivating a user', () => {
  it('stops sign-in and ends sessions, keeps the row and its history, and never frees the username', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'bathinda' });
    await t.as(user).bag.scanParent({ code: 'SB71001' });
    const token = await sessionFor(t.deps, user.id);

    const view = await t.as(admin).user.deactivate({ userId: user.id });
    expect(view).toMatchObject({ id: user.id, deactivatedAt: now.toISOString() });
    expect(await t.deps.sessions.touch(token)).toBeNull();
    expect(await t.as(admin).user.list({ isDeactivated: true, limit: 200 })).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id: user.id })]) });

    const right = await refusal(signIn(user.username));
    expect(right).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_DEACTIVATED' });
    expect(right.message).toBe('This account has been deactivated. Ask an administrator if you need access again.');
    expect((await refusal(signIn(user.username, 'not-the-password'))).appCode).toBe('INVALID_CREDENTIALS');

    const taken = await refusal(t.as(admin).user.create({ username: user.username.toUpperCase(), password: 'Fresh-Start-Password', role: 'biller' }));
    expect(taken).toMatchObject({ appCode: 'USERNAME_TAKEN' });
    expect((await refusal(t.as(admin).user.update({ id: user.id, role: 'biller' }))).appCode).toBe('ACCOUNT_DEACTIVATED');
    expect((await t.as(admin).bag.get({ code: 'SB71001' }))).toBeTruthy();
    // Deactivating again changes nothing.
    expect(await t.as(admin).user.deactivate({ userId: user.id })).toEqual(view);
    const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'is_permanent']).where('entity_id', '=', String(user.id))
      .where('action', '=', 'user.deactivate').execute();
    expect(audit).toEqual([{ action: 'user.deactivate', is_permanent: true }]);
  });

  it('ends a signed-in session at once, even one the store still holds (the per-request read)', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const token = await sessionFor(t.deps, user.id);
    const app = createApp(t.deps);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', `${sessionCookieName(t.deps.config)}=${token}`);
    expect((await http.query('auth.me')).data).toMatchObject({ id: user.id });
    // The store's cleanup fails to run: the epoch and the deactivation still end the session.
    const withoutCleanup = { ...t.deps, sessions: { ...t.deps.sessions, destroyAllForUser: async () => {} } };
    await createCaller(createContextInner({ deps: withoutCleanup, actor: admin })).user.deactivate({ userId: user.id });
    expect(await t.deps.sessions.touch(token)).not.toBeNull();
    expect((await http.query('bill.list', {})).error?.data.appCode).toBe('UNAUTHENTICATED');
  });

  it('frees the dispatcher’s place in the area (10 per area)', async () => {
    const area = 'sangaria';
    const crew: Actor[] = [];
    for (let i = 0; i < 10; i++) crew.push(await createUser(t.deps.db, { role: 'dispatcher', area }));
    const eleventh = { username: 'eleventh_d', password: 'Eleventh-Dispatcher-Pass', role: 'dispatcher' as const, area };
    expect((await refusal(t.as(admin).user.create(eleventh))).appCode).toBe('AREA_FULL');
    await t.as(admin).user.deactivate({ userId: crew[0]!.id });
    expect(await t.as(admin).user.create(eleventh)).toMatchObject({ area });
  });

  it('keeps the last active admin, and nobody deactivates themselves', async () => {
    const own = await createTestApp();
    try {
      const only = await createUser(own.deps.db, { role: 'admin' });
      expect(await refusal(own.as(only).user.deactivate({ userId: only.id }))).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
      // A request still carrying admin rights its user has lost cannot remove the last admin either.
      const stale = own.as({ ...(await createUser(own.deps.db, { role: 'biller' })), role: 'admin' });
      expect(await refusal(stale.user.deactivate({ userId: only.id }))).toMatchObject({ appCode: 'LAST_ADMIN' });
      const second = await createUser(own.deps.db, { role: 'admin' });
      await own.as(second).user.deactivate({ userId: only.id });
      expect(await refusal(stale.user.deactivate({ userId: second.id }))).toMatchObject({ appCode: 'LAST_ADMIN' });
      // A deactivated admin is not an admin for the rule.
      expect(await refusal(own.as(second).user.update({ id: second.id, role: 'biller' }))).toMatchObject({ appCode: 'OWN_ROLE' });
    } finally {
      await own.close();
    }
  });
});

describe('listing users for the users screen', () => {
  it('filters by lock, two-factor, last sign-in and deactivation', async () => {
    const locked = await createUser(t.deps.db, { role: 'biller' });
    await t.as(admin).user.update({ id: locked.id, isLocked: true });
    const withTwoFactor = await createUser(t.deps.db, { role: 'biller' });
    const { secret } = await t.as(withTwoFactor).account.twoFactor.begin();
    await t.as(withTwoFactor).account.twoFactor.confirm({ code: TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now.getTime() }) });
    const early = await createUser(t.deps.db, { role: 'biller' });
    await signIn(early.username);
    now = new Date(now.getTime() + 3 * 86_400_000);
    const late = await createUser(t.deps.db, { role: 'biller' });
    await signIn(late.username);
    const never = await createUser(t.deps.db, { role: 'biller' });

    const list = (filter: Parameters<ReturnType<TestApp['as']>['user']['list']>[0]) => t.as(admin).user.list({ limit: 200, ...filter });
    expect(ids(await list({ isLocked: true }))).toContain(locked.id);
    expect(ids(await list({ isLocked: false }))).not.toContain(locked.id);
    expect((await list({ isLocked: true })).items.find((u) => u.id === locked.id)).toMatchObject({ isLocked: true });

    expect(ids(await list({ hasTwoFactor: true }))).toEqual([withTwoFactor.id]);
    expect(ids(await list({ hasTwoFactor: false }))).toContain(early.id);

    const since = new Date(now.getTime() - 86_400_000).toISOString();
    expect(ids(await list({ lastSignInFrom: since }))).toEqual([late.id]);
    expect(ids(await list({ lastSignInTo: since }))).toContain(early.id);
    expect(ids(await list({ lastSignInTo: since }))).not.toContain(late.id);
    expect(ids(await list({ hasSignedIn: false }))).toContain(never.id);
    expect(ids(await list({ hasSignedIn: false }))).not.toContain(early.id);
    expect((await list({ role: 'biller', hasSignedIn: true })).items.every((u) => u.role === 'biller' && u.lastSignInAt !== null)).toBe(true);

    const active = await list({ isDeactivated: false });
    expect(active.items.every((u) => u.deactivatedAt === null)).toBe(true);
  });
});

describe('the password rule on every admin path', () => {
  it('refuses a common password, one containing the username, and one too short, on create and update', async () => {
    const create = (password: string) => t.as(admin).user.create({ username: 'rule_check', password, role: 'biller' });
    expect(await refusal(create('password1234'))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'WEAK_PASSWORD', details: { field: 'password' } });
    expect(await refusal(create('my-RULE_CHECK-pass'))).toMatchObject({ appCode: 'WEAK_PASSWORD' });
    expect(await refusal(create('elevenchars'))).toMatchObject({ appCode: 'VALIDATION' });
    const user = await createUser(t.deps.db, { role: 'biller' });
    expect(await refusal(t.as(admin).user.update({ id: user.id, password: `${user.username}1234` }))).toMatchObject({ appCode: 'WEAK_PASSWORD' });
    // A long passphrase of any characters is fine: no composition rules.
    expect(await create('just lower case words here')).toMatchObject({ username: 'rule_check' });
  });
});
