import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { createMemoryStore } from '../../server/src/infra/kv';
import { createRateLimiter } from '../../server/src/infra/rate-limit';
import { createContextInner } from '../../server/src/trpc/context';
import { sessionCookieName } from '../../server/src/trpc/http-context';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { trpcHttp } from '../helpers/http';
import { type Actor, createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let now = new Date('2025-04-01T08:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
});
afterAll(() => t.close());

let ipCounter = 0;
const nextIp = () => `10.40.${++ipCounter}.9`;
const tick = (ms: number) => {
  now = new Date(now.getTime() + ms);
};
/** What an authenticator app shows for this secret at the test clock's time. */
const codeAt = (secret: string, at = now) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });

/** Sign-in limits counted on the test clock, for tests that check more codes than 5 a minute. */
const withClockedLimits = (): Deps => ({ ...t.deps, rateLimiter: createRateLimiter(createMemoryStore(() => now.getTime())) });

function visitor(app: TestApp = t, ip = nextIp(), deps: Deps = app.deps) {
  const cookies: (string | null)[] = [];
  const caller = createCaller(createContextInner({ deps, meta: { ip }, setSessionCookie: (v) => cookies.push(v) }));
  return { auth: caller.auth, cookies };
}

/** Enrols the user: begin, then confirm with the app's current code. */
async function enrol(user: Actor, app: TestApp = t) {
  const enrolment = await app.as(user).account.twoFactor.begin();
  const { recoveryCodes } = await app.as(user).account.twoFactor.confirm({ code: codeAt(enrolment.secret) });
  return { ...enrolment, recoveryCodes };
}

const auditActions = async (id: number) =>
  (await t.deps.db.selectFrom('audit_log').select(['action', 'after']).where('entity_type', '=', 'user').where('entity_id', '=', String(id)).orderBy('id').execute());

describe('enrolling and signing in with TOTP', () => {
  it('enrols with a QR code, signs in with a code once, then with a recovery code once', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const me = t.as(user);
    const enrolment = await me.account.twoFactor.begin();
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauthUri).toBe(`otpauth://totp/TraceTrack:${user.username}?issuer=TraceTrack&secret=${enrolment.secret}&algorithm=SHA1&digits=6&period=30`);
    expect(enrolment.qrSvg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
    expect(enrolment.qrSvg).not.toMatch(/<script/i);

    const wrong = String((Number(codeAt(enrolment.secret)) + 1) % 1_000_000).padStart(6, '0');
    expect(await refusal(me.account.twoFactor.confirm({ code: wrong }))).toMatchObject({ appCode: 'TWO_FACTOR_INVALID' });
    expect((await me.auth.me())?.twoFactorEnabled).toBe(false);

    const { recoveryCodes } = await me.account.twoFactor.confirm({ code: codeAt(enrolment.secret) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(await me.auth.me()).toMatchObject({ twoFactorEnabled: true, recoveryCodesLeft: 10 });
    // Stored hashed: no code, and no secret, in the clear beside the user.
    const stored = JSON.stringify(await t.deps.db.selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute());
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replace(/-/g, ''));

    // The password alone: a code is asked for, and no session is made. (Code checks are limited
    // to 5 a minute: these sign-ins count them on the test clock.)
    const clocked = withClockedLimits();
    const from = () => visitor(t, nextIp(), clocked);
    const v = from();
    expect(await refusal(v.auth.login({ username: user.username, password: TEST_PASSWORD }))).toMatchObject({
      code: 'UNAUTHORIZED', appCode: 'TWO_FACTOR_REQUIRED',
    });
    expect(v.cookies).toEqual([]);

    // The code that confirmed the enrolment was used; the next one signs in, once.
    expect(await refusal(v.auth.login({ username: user.username, password: TEST_PASSWORD, code: codeAt(enrolment.secret) }))).toMatchObject({
      appCode: 'TWO_FACTOR_INVALID',
    });
    tick(30_000);
    const code = codeAt(enrolment.secret);
    expect((await v.auth.login({ username: user.username, password: TEST_PASSWORD, code })).user).toMatchObject({ id: user.id, twoFactorEnabled: true });
    expect(v.cookies).toHaveLength(1);
    const replay = await refusal(from().auth.login({ username: user.username, password: TEST_PASSWORD, code }));
    expect(replay).toMatchObject({ appCode: 'TWO_FACTOR_INVALID' });
    expect(replay.message).toMatch(/^Wrong two-factor code\. 4 tries left/);

    // A recovery code, typed any which way, works once.
    tick(61_000);
    const typed = ` ${recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ')} `;
    expect((await from().auth.login({ username: user.username, password: TEST_PASSWORD, code: typed })).user.recoveryCodesLeft).toBe(9);
    expect(await refusal(from().auth.login({ username: user.username, password: TEST_PASSWORD, code: recoveryCodes[3]! }))).toMatchObject({
      appCode: 'TWO_FACTOR_INVALID',
    });
    expect(await me.auth.me()).toMatchObject({ recoveryCodesLeft: 9 });
    // A wrong password with a right code is a wrong password.
    tick(30_000);
    expect((await refusal(from().auth.login({ username: user.username, password: 'not-the-password', code: codeAt(enrolment.secret) }))).appCode)
      .toBe('INVALID_CREDENTIALS');

    const audit = await auditActions(user.id);
    expect(audit.filter((r) => r.action === 'auth.login').map((r) => r.after)).toEqual([{ method: 'totp' }, { method: 'recovery' }]);
    expect(audit.map((r) => r.action)).toContain('account.two_factor_enabled');
    expect(JSON.stringify(audit)).not.toContain(enrolment.secret);
  });

  it('counts wrong codes like wrong passwords toward the lockout, and limits code checks to 5 a minute', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'akola' });
    const { secret } = await enrol(user);
    const clocked = withClockedLimits();
    const a = visitor(t, nextIp(), clocked);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push((await refusal(a.auth.login({ username: user.username, password: TEST_PASSWORD, code: '000000' }))).appCode ?? '');
      tick(13_000);
    }
    expect(answers).toEqual(['TWO_FACTOR_INVALID', 'TWO_FACTOR_INVALID', 'TWO_FACTOR_INVALID', 'TWO_FACTOR_INVALID', 'CLIENT_LOCKED']);
    tick(30_000);
    expect(await refusal(a.auth.login({ username: user.username, password: TEST_PASSWORD, code: codeAt(secret) }))).toMatchObject({ appCode: 'CLIENT_LOCKED' });
    // Another client with the right code signs in.
    expect((await visitor(t, nextIp(), clocked).auth.login({ username: user.username, password: TEST_PASSWORD, code: codeAt(secret) })).user.id).toBe(user.id);

    // The real limits: the sixth code check within a minute is refused before anything is judged.
    const other = await createUser(t.deps.db, { role: 'biller' });
    await enrol(other);
    for (let i = 0; i < 5; i++) await refusal(visitor().auth.login({ username: other.username, password: TEST_PASSWORD, code: '111111' }));
    expect(await refusal(visitor().auth.login({ username: other.username, password: TEST_PASSWORD, code: '111111' }))).toMatchObject({
      code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED',
    });
  });

  it('refuses a second enrolment and a confirmation without a beginning', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    expect(await refusal(t.as(user).account.twoFactor.confirm({ code: '123456' }))).toMatchObject({ appCode: 'TWO_FACTOR_NOT_STARTED' });
    await enrol(user);
    expect(await refusal(t.as(user).account.twoFactor.begin())).toMatchObject({ appCode: 'TWO_FACTOR_ALREADY_ENABLED' });
  });

  it('turns off with the password and a code; a wrong one of either changes nothing', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const { secret, recoveryCodes } = await enrol(user);
    const me = t.as(user);
    tick(30_000);
    expect(await refusal(me.account.twoFactor.disable({ password: 'not-my-password', code: codeAt(secret) }))).toMatchObject({
      code: 'FORBIDDEN', appCode: 'WRONG_PASSWORD',
    });
    expect(await refusal(me.account.twoFactor.disable({ password: TEST_PASSWORD, code: '000000' }))).toMatchObject({ appCode: 'TWO_FACTOR_INVALID' });
    expect((await me.auth.me())?.twoFactorEnabled).toBe(true);
    expect(await me.account.twoFactor.disable({ password: TEST_PASSWORD, code: recoveryCodes[0]! })).toMatchObject({
      twoFactorEnabled: false, recoveryCodesLeft: 0,
    });
    expect(await t.deps.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    expect((await visitor().auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
    expect(await refusal(me.account.twoFactor.disable({ password: TEST_PASSWORD, code: '000000' }))).toMatchObject({ appCode: 'TWO_FACTOR_NOT_ENABLED' });
  });

  it('lets an admin reset a user’s two-factor sign-in (a lost phone): their sessions end and the password alone signs in', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const user = await createUser(t.deps.db, { role: 'biller' });
    await enrol(user);
    const session = await t.deps.sessions.create(user.id, { epoch: 0, userAgent: null, ip: null });
    expect(await t.as(admin).user.resetTwoFactor({ userId: user.id })).toMatchObject({ twoFactorEnabled: false });
    const app = createApp(t.deps);
    const res = await trpcHttp((u, i) => app.request(u, i), 'http://localhost', `${sessionCookieName(t.deps.config)}=${session}`).query('auth.me');
    expect(res.data).toBeNull();
    expect((await visitor().auth.login({ username: user.username, password: TEST_PASSWORD })).user.twoFactorEnabled).toBe(false);
    expect(await refusal(t.as(admin).user.resetTwoFactor({ userId: user.id }))).toMatchObject({ appCode: 'TWO_FACTOR_NOT_ENABLED' });
    expect((await auditActions(user.id)).map((r) => r.action)).toContain('user.reset_two_factor');
  });
});

describe('secrets at rest with TWO_FACTOR_KEY', () => {
  let sealed: TestApp;
  beforeAll(async () => {
    sealed = await createTestApp({ clock: () => now, twoFactorKey: Buffer.alloc(32, 7) });
  });
  afterAll(() => sealed.close());

  it('stores the secret encrypted and still checks codes', async () => {
    const user = await createUser(sealed.deps.db, { role: 'biller' });
    const { secret } = await enrol(user, sealed);
    const row = await sealed.deps.db.selectFrom('users').select('two_factor_secret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.two_factor_secret).toMatch(/^gcm:/);
    expect(row.two_factor_secret).not.toContain(secret);
    tick(30_000);
    expect((await visitor(sealed).auth.login({ username: user.username, password: TEST_PASSWORD, code: codeAt(secret) })).user.id).toBe(user.id);
    // Without the key (or with another) the secret cannot be opened: no code matches.
    const keyless: Deps = { ...sealed.deps, config: { ...sealed.deps.config, twoFactorKey: Buffer.alloc(32, 8) } };
    tick(30_000);
    expect(await refusal(visitor(sealed, nextIp(), keyless).auth.login({ username: user.username, password: TEST_PASSWORD, code: codeAt(secret) })))
      .toMatchObject({ appCode: 'TWO_FACTOR_INVALID' });
  });
});

describe('ADMIN_TWO_FACTOR=required', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ clock: () => now, adminTwoFactor: 'required' });
  });
  afterAll(() => strict.close());

  const httpOf = (cookie?: string) => {
    const app = createApp(strict.deps, { remoteAddress: () => nextIp() });
    return trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie);
  };
  const signIn = async (username: string, code?: string) => {
    const res = await httpOf().mutate('auth.login', { username, password: TEST_PASSWORD, ...(code ? { code } : {}) });
    expect(res.status).toBe(200);
    return { me: res.data.user, cookie: res.headers.getSetCookie().find((c) => c.startsWith('tt_session='))!.split(';')[0]! };
  };

  it('lets an admin without two-factor sign-in use only auth.* and account.* until enrolled', async () => {
    const admin = await createUser(strict.deps.db, { role: 'admin' });
    const { me, cookie } = await signIn(admin.username);
    expect(me).toMatchObject({ mustEnrolTwoFactor: true, twoFactorEnabled: false });
    const http = httpOf(cookie);
    const refused = await http.query('user.list', {});
    expect(refused.status).toBe(403);
    expect(refused.error).toMatchObject({
      message: 'Turn on two-factor sign-in first: admins must use it.', data: { appCode: 'TWO_FACTOR_ENROLMENT_REQUIRED' },
    });
    expect((await http.query('bag.list', {})).error?.data.appCode).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect((await http.query('auth.me')).data).toMatchObject({ mustEnrolTwoFactor: true });
    expect((await http.query('account.sessions')).status).toBe(200);

    const begun = await http.mutate('account.twoFactor.begin', {});
    expect(begun.status).toBe(200);
    expect((await http.mutate('account.twoFactor.confirm', { code: codeAt(begun.data.secret) })).data.recoveryCodes).toHaveLength(10);
    expect((await http.query('user.list', {})).status).toBe(200);
    expect((await http.query('auth.me')).data).toMatchObject({ mustEnrolTwoFactor: false, twoFactorEnabled: true });

    // Admins keep it on; billers and dispatchers are not asked.
    tick(30_000);
    const off = await http.mutate('account.twoFactor.disable', { password: TEST_PASSWORD, code: codeAt(begun.data.secret) });
    expect(off.error?.data.appCode).toBe('FORBIDDEN');
    const biller = await createUser(strict.deps.db, { role: 'biller' });
    const asBiller = await signIn(biller.username);
    expect(asBiller.me.mustEnrolTwoFactor).toBe(false);
    expect((await httpOf(asBiller.cookie).query('bill.list', {})).status).toBe(200);
  });
});
