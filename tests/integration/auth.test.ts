import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { createMemoryStore, createRedisStore } from '../../server/src/infra/kv';
import { createRateLimiter } from '../../server/src/infra/rate-limit';
import { createSessionStore } from '../../server/src/infra/sessions';
import { newClientId } from '../../server/src/modules/auth/login-failures';
import { createContextInner } from '../../server/src/trpc/context';
import { createStaff, createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
let now = new Date('2025-03-01T06:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

// Every test signs in from its own address, so the 10/min per-IP limit never couples tests.
let ipCounter = 0;
const nextIp = () => `10.20.${++ipCounter}.7`;

/**
 * An anonymous caller from one IP (and, when given, one browser's client cookie) that records the
 * cookies the server sets. `deps` swaps in, e.g., rate limits that follow the test clock.
 */
function visitor(ip = nextIp(), clientId: string | null = null, deps: Deps = t.deps) {
  const cookies: (string | null)[] = [];
  const clientCookies: string[] = [];
  const caller = createCaller(createContextInner({
    deps, meta: { ip, clientId }, setSessionCookie: (v) => cookies.push(v), setClientCookie: (v) => clientCookies.push(v),
  }));
  return { auth: caller.auth, cookies, clientCookies };
}

/** HTTP from one client address (the app anonymises it to its /24, which is what it rate-limits). */
function httpFrom(ip = nextIp(), cookie?: string, deps: Deps = t.deps) {
  const app = createApp(deps, { remoteAddress: () => ip });
  return trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie);
}

/** The sign-in limits counted on the test's clock, for tests that need more than 10 tries a minute. */
const withClockedLimits = (): Deps => ({ ...t.deps, rateLimiter: createRateLimiter(createMemoryStore(() => now.getTime())) });

const ghostName = () => `ghost_${randomUUID().slice(0, 8)}`;
const WRONG = 'Wr0ng!Password';
const auditCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.deps.db)).rows[0]?.n);
const auditOf = (id: number) =>
  t.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after']).where('entity_type', '=', 'user')
    .where('entity_id', '=', String(id)).orderBy('id').execute();
const adminView = async (id: number) => (await t.as(staff.admin).user.list({ limit: 200 })).items.find((u) => u.id === id);
const meOf = (user: { id: number; username: string; role: string; area: string | null }) => ({
  id: user.id, username: user.username, email: `${user.username.toLowerCase()}@example.test`, role: user.role, area: user.area,
  mustChangePassword: false, twoFactorEnabled: false, mustEnrolTwoFactor: false, recoveryCodesLeft: 0,
});

describe('signing in over HTTP', () => {
  it('sets an HttpOnly SameSite session cookie that auth.me accepts, and a long-lived client cookie', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const http = httpFrom();
    const res = await http.mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ user: meOf(user) });

    const [session, client] = res.headers.getSetCookie();
    expect(session).toMatch(/^tt_session=[A-Za-z0-9_-]{20,};/);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=(Lax|Strict)/i);
    expect(client).toMatch(/^tt_client=[A-Za-z0-9_-]{22}; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = session?.split(';')[0] ?? '';

    const signedIn = await httpFrom(nextIp(), cookie).query('auth.me');
    expect(signedIn.status).toBe(200);
    expect(signedIn.data).toEqual(meOf(user));
    const anonymous = await httpFrom().query('auth.me');
    expect(anonymous.status).toBe(200);
    expect(anonymous.data).toBeNull();
    expect(anonymous.headers.getSetCookie()).toEqual([expect.stringMatching(/^tt_client=/)]);
    // A browser that has its client cookie is not given another.
    const withClient = await httpFrom(nextIp(), client?.split(';')[0]).query('auth.me');
    expect(withClient.headers.getSetCookie()).toEqual([]);
  });

  it('names the cookies __Host-… and marks them Secure in production', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const production: Deps = { ...t.deps, config: { ...t.deps.config, isProduction: true } };
    const res = await httpFrom(nextIp(), undefined, production).mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toEqual([
      expect.stringMatching(/^__Host-tt_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax; Secure$/),
      expect.stringMatching(/^__Host-tt_client=[A-Za-z0-9_-]{22}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax; Secure$/),
    ]);
    for (const c of cookies) expect(c).not.toMatch(/Domain=/i);
    const session = cookies[0]?.split(';')[0];
    expect((await httpFrom(nextIp(), session, production).query('auth.me')).data).toMatchObject({ id: user.id });
    // The unprefixed name means nothing in production.
    const unprefixed = session?.replace('__Host-', '');
    expect((await httpFrom(nextIp(), unprefixed, production).query('auth.me')).data).toBeNull();
  });

  it('finds the username case-insensitively and ignores surrounding spaces', async () => {
    const user = await createUser(t.deps.db, { role: 'biller', username: `MixedCase_${ipCounter}` });
    const { auth, cookies } = visitor();
    const res = await auth.login({ username: ` ${user.username.toUpperCase()} `, password: TEST_PASSWORD });
    expect(res.user.id).toBe(user.id);
    expect(cookies).toHaveLength(1);
    expect(typeof cookies[0]).toBe('string');
  });

  it('logout destroys the session and clears the cookie', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const login = await httpFrom().mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const out = await httpFrom(nextIp(), cookie).mutate('auth.logout', {});
    expect(out.data).toEqual({ ok: true });
    expect(out.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^tt_session=;.*Max-Age=0/));
    expect((await httpFrom(nextIp(), cookie).query('auth.me')).data).toBeNull();
    expect((await auditOf(user.id)).map((r) => r.action)).toEqual(['auth.login', 'auth.logout']);
  });

  it('records the last sign-in for admins to see', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    expect((await adminView(user.id))?.lastSignInAt).toBeNull();
    await visitor().auth.login({ username: user.username, password: TEST_PASSWORD });
    expect((await adminView(user.id))?.lastSignInAt).toBe(now.toISOString());
  });

  it('a session acts with the role and area its user has when an admin change lands during sign-in', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    // The admin's change commits after sign-in read the user but before its session-ending cleanup
    // runs, i.e. between the session being stored and the sign-in's check of it.
    let raced = false;
    const sessions = {
      ...t.deps.sessions,
      create: async (...args: Parameters<typeof t.deps.sessions.create>) => {
        const token = await t.deps.sessions.create(...args);
        if (!raced) {
          raced = true;
          await t.deps.db.updateTable('users').set({ area: 'bathinda' }).where('id', '=', user.id).execute();
        }
        return token;
      },
    };
    const app = createApp({ ...t.deps, sessions }, { remoteAddress: () => nextIp() });
    const http = (cookie?: string) => trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie);
    const login = await http().mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(raced).toBe(true);
    expect((await http(cookie).query('bag.list', { area: 'bathinda' })).status).toBe(200);
    expect((await http(cookie).query('bag.list', { area: 'jaipur' })).error?.data.appCode).toBe('FORBIDDEN');
  });
});

/** 'INVALID_CREDENTIALS' answers as their tries left, anything else as its code. */
const answerOf = (r: Awaited<ReturnType<typeof refusal>>) =>
  r.appCode === 'INVALID_CREDENTIALS' ? (r.details as { triesLeft: number }).triesLeft : r.appCode;

describe('refusals that reveal nothing', () => {
  it('answers an unknown user exactly like a wrong password, step by step up to the lock', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const known = visitor();
    const unknown = visitor();
    const ghost = ghostName();
    for (let attempt = 1; attempt <= 5; attempt++) {
      const a = await refusal(known.auth.login({ username: user.username, password: WRONG }));
      const b = await refusal(unknown.auth.login({ username: ghost, password: WRONG }));
      expect({ code: b.code, appCode: b.appCode, message: b.message, details: b.details }).toEqual({
        code: a.code, appCode: a.appCode, message: a.message, details: a.details,
      });
      if (attempt < 5) expect(a).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
      else expect(a).toMatchObject({ code: 'FORBIDDEN', appCode: 'CLIENT_LOCKED' });
    }
    // While locked, both keep answering alike (and the real password does not help from there).
    const a = await refusal(known.auth.login({ username: user.username, password: TEST_PASSWORD }));
    const b = await refusal(unknown.auth.login({ username: ghost, password: TEST_PASSWORD }));
    expect(b.message).toBe(a.message);
    expect(a.appCode).toBe('CLIENT_LOCKED');
  });

  it('counts parallel failures on an unknown name one by one, exactly as on a real account (finding 4)', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const burst = async (username: string) => {
      const { auth } = visitor();
      const answers = await Promise.all(Array.from({ length: 5 }, () => refusal(auth.login({ username, password: WRONG }))));
      return answers.map(answerOf).sort((x, y) => String(x).localeCompare(String(y)));
    };
    const ghost = ghostName();
    const known = await burst(user.username);
    const unknown = await burst(ghost);
    expect(known).toEqual([1, 2, 3, 4, 'CLIENT_LOCKED']);
    expect(unknown).toEqual(known);
    // The account-wide count moved alike too: a new client's first failure says the same for both.
    const next = await Promise.all([user.username, ghost].map((username) => refusal(visitor().auth.login({ username, password: WRONG }))));
    expect(next[1]?.message).toBe(next[0]?.message);
  });
});

describe('lockout per client (finding 2)', () => {
  it('counts tries down, locks this client for 15 minutes, refuses the right password from it, then lets it in', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'hisar' });
    const { auth } = visitor();
    const startedAt = now;
    const messages: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await refusal(auth.login({ username: user.username, password: WRONG }));
      expect(r.appCode).toBe('INVALID_CREDENTIALS');
      messages.push(r.message);
    }
    expect(messages).toEqual([
      'Wrong username or password. 4 tries left before sign-in from this device is locked for 15 minutes.',
      'Wrong username or password. 3 tries left before sign-in from this device is locked for 15 minutes.',
      'Wrong username or password. 2 tries left before sign-in from this device is locked for 15 minutes.',
      'Wrong username or password. 1 try left before sign-in from this device is locked for 15 minutes.',
    ]);

    const unlockAt = new Date(startedAt.getTime() + 15 * 60_000);
    const fifth = await refusal(auth.login({ username: user.username, password: WRONG }));
    expect(fifth).toMatchObject({ code: 'FORBIDDEN', appCode: 'CLIENT_LOCKED', details: { lockedUntil: unlockAt.toISOString() } });
    expect(fifth.message).toBe(
      'Too many failed sign-ins from this device. Try again in 15 minutes, at 11:45 (Asia/Kolkata), or sign in from another device.',
    );

    const rightButLocked = await refusal(auth.login({ username: user.username, password: TEST_PASSWORD }));
    expect(rightButLocked.appCode).toBe('CLIENT_LOCKED');
    now = new Date(startedAt.getTime() + 14 * 60_000 + 30_000);
    expect((await refusal(auth.login({ username: user.username, password: TEST_PASSWORD }))).message).toMatch(/Try again in 1 minute, at 11:45/);

    now = unlockAt;
    expect((await auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
    // A fresh run starts after the lock.
    expect((await refusal(auth.login({ username: user.username, password: WRONG }))).message).toMatch(/4 tries left/);

    const rows = await auditOf(user.id);
    expect(rows.map((r) => r.action)).toEqual([
      ...Array(5).fill('auth.login_failed'), 'auth.lockout', 'auth.login_failed', 'auth.login_failed', 'auth.login', 'auth.login_failed',
    ]);
    expect(rows[5]?.after).toEqual({ scope: 'client', lockedUntil: unlockAt.toISOString() });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain('scrypt$');
  });

  it('5 wrong passwords lock client A out; the right password from client B still signs in, and admins see the lockout', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const deps = withClockedLimits();
    const from = (ip?: string, clientId: string | null = null) => visitor(ip, clientId, deps);
    const a = from();
    for (let i = 0; i < 5; i++) await refusal(a.auth.login({ username: user.username, password: WRONG }));
    expect((await refusal(a.auth.login({ username: user.username, password: TEST_PASSWORD }))).appCode).toBe('CLIENT_LOCKED');
    expect((await from().auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);

    // Two browsers behind one address are two clients (each has its client cookie); without a
    // cookie the address is the client. (A minute on: 10 sign-ins a minute per username.)
    now = new Date(now.getTime() + 61_000);
    const sharedIp = nextIp();
    const first = from(sharedIp, newClientId());
    for (let i = 0; i < 5; i++) await refusal(first.auth.login({ username: user.username, password: WRONG }));
    expect((await refusal(first.auth.login({ username: user.username, password: TEST_PASSWORD }))).appCode).toBe('CLIENT_LOCKED');
    expect((await from(sharedIp, newClientId()).auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
    expect((await from(sharedIp).auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);

    expect(await adminView(user.id)).toMatchObject({ isLocked: false, lockedUntil: null, lockedClients: 2 });
    expect((await t.as(staff.admin).user.list({ isLocked: true, limit: 200 })).items.map((u) => u.id)).toContain(user.id);
    await t.as(staff.admin).user.update({ id: user.id, isLocked: false });
    expect(await adminView(user.id)).toMatchObject({ lockedClients: 0 });
    expect((await a.auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
  });

  it('a client that drops its cookie is still its address', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const ip = nextIp();
    for (let i = 0; i < 5; i++) await refusal(visitor(ip).auth.login({ username: user.username, password: WRONG }));
    expect((await refusal(visitor(ip).auth.login({ username: user.username, password: TEST_PASSWORD }))).appCode).toBe('CLIENT_LOCKED');
  });
});

describe('lockout of the account (finding 2)', () => {
  /** 20 wrong passwords from 5 clients, 4 each (no client locks); the limits follow the test clock. */
  async function twentyFailures(username: string, deps: Deps) {
    const answers: string[] = [];
    for (let c = 0; c < 5; c++) {
      const { auth } = visitor(nextIp(), null, deps);
      for (let i = 0; i < 4; i++) {
        answers.push((await refusal(auth.login({ username, password: WRONG }))).message);
        now = new Date(now.getTime() + 7_000); // 10 sign-ins a minute per username
      }
    }
    return answers;
  }

  it('locks after 20 failures within an hour from several clients, until an admin unlocks it', async () => {
    const user = await createUser(t.deps.db, { role: 'admin' });
    const deps = withClockedLimits();
    const answers = await twentyFailures(user.username, deps);
    expect(answers[16]).toBe('Wrong username or password. 3 tries left before the account is locked for an hour.');
    expect(answers[18]).toBe('Wrong username or password. 1 try left before the account is locked for an hour.');
    expect(answers[19]).toMatch(/^The account is locked after too many failed sign-ins\. Try again in 60 minutes, at .*, or ask an administrator to unlock it\.$/);

    // The right password from a client that never failed does not help now.
    const fresh = visitor(nextIp(), null, deps);
    expect(await refusal(fresh.auth.login({ username: user.username, password: TEST_PASSWORD }))).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_LOCKED' });
    expect(await adminView(user.id)).toMatchObject({ isLocked: false, lockedUntil: expect.any(String), lockedClients: 0 });
    const lockout = (await auditOf(user.id)).filter((r) => r.action === 'auth.lockout');
    expect(lockout.map((r) => (r.after as { scope: string }).scope)).toEqual(['account']);

    const unlocked = await t.as(staff.admin).user.update({ id: user.id, isLocked: false });
    expect(unlocked).toMatchObject({ isLocked: false, lockedUntil: null, lockedClients: 0 });
    expect((await fresh.auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
    const update = (await auditOf(user.id)).find((r) => r.action === 'user.update');
    // The account's run and the five clients' runs.
    expect(update?.after).toMatchObject({ failureRunsCleared: 6 });
  });

  it('ends the account lock after the hour, and answers an unknown name the same way', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const ghost = ghostName();
    const deps = withClockedLimits();
    const startedAt = now;
    const known = await twentyFailures(user.username, deps);
    now = startedAt;
    const unknown = await twentyFailures(ghost, deps);
    expect(unknown).toEqual(known);
    now = new Date(now.getTime() + 61 * 60_000);
    expect((await visitor(nextIp(), null, deps).auth.login({ username: user.username, password: TEST_PASSWORD })).user.id).toBe(user.id);
  }, 180_000); // 41 sign-ins, each a 32 MiB scrypt: slow on a loaded machine, not a timing check
});

describe('other refusals', () => {
  it('a success resets this client’s run of failures', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const { auth } = visitor();
    for (let i = 0; i < 3; i++) await refusal(auth.login({ username: user.username, password: WRONG }));
    await auth.login({ username: user.username, password: TEST_PASSWORD });
    expect((await refusal(auth.login({ username: user.username, password: WRONG }))).message).toMatch(/4 tries left/);
  });

  it('an account locked by an admin is refused with ACCOUNT_LOCKED, told only to holders of the password', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    await t.deps.db.updateTable('users').set({ is_locked: true }).where('id', '=', user.id).execute();
    const { auth, cookies } = visitor();
    const right = await refusal(auth.login({ username: user.username, password: TEST_PASSWORD }));
    expect(right).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_LOCKED' });
    expect(right.message).toMatch(/administrator/);
    const wrong = await refusal(auth.login({ username: user.username, password: WRONG }));
    expect(wrong.appCode).toBe('INVALID_CREDENTIALS');
    expect(cookies).toEqual([]);
  });
});

describe('rate limits', () => {
  it('allows 10 sign-ins a minute per username, then answers 429 RATE_LIMITED with retry-after', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    // Ten different addresses, so only the per-username limit can trip; even the right password counts.
    for (let i = 0; i < 10; i++) await visitor().auth.login({ username: user.username, password: TEST_PASSWORD });
    const ip = nextIp();
    const res = await httpFrom(ip).mutate('auth.login', { username: user.username.toUpperCase(), password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', httpStatus: 429 });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.error?.message).toContain(`${retryAfter} s`);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('tt_session'))).toEqual([]);
    // The same address may still sign in as someone else.
    const other = await createUser(t.deps.db, { role: 'biller' });
    expect((await httpFrom(ip).mutate('auth.login', { username: other.username, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('allows 10 attempts a minute per IP across usernames', async () => {
    const { auth } = visitor();
    for (let i = 0; i < 10; i++) await refusal(auth.login({ username: ghostName(), password: WRONG }));
    const r = await refusal(auth.login({ username: ghostName(), password: WRONG }));
    expect(r).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    expect((r.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});

describe('rate-limit counters', () => {
  it('count a window and always carry an expiry (one script, no PEXPIRE NX: Redis 6 works too)', async () => {
    const kv = t.deps.redis ? createRedisStore(t.deps.redis, `tt-test:${randomUUID()}:`) : t.deps.kv;
    expect((await kv.incr('window', 60_000)).count).toBe(1);
    const second = await kv.incr('window', 60_000);
    expect(second.count).toBe(2);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(60_000);
    if (t.deps.redis) {
      // A counter left without an expiry would be a ban forever; the next hit gives it one.
      const prefix = `tt-test:${randomUUID()}:`;
      await t.deps.redis.set(`${prefix}stale`, '7');
      const hit = await createRedisStore(t.deps.redis, prefix).incr('stale', 30_000);
      expect(hit.count).toBe(8);
      const ttl = await t.deps.redis.pttl(`${prefix}stale`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
      await t.deps.redis.del(`${prefix}stale`);
    }
  });
});

describe('rate limits with the store down', () => {
  // A real Redis client with no server behind it: every command fails at once.
  const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  dead.on('error', () => {});
  afterAll(() => dead.disconnect());

  it('lets other requests through (the global limit fails open) and makes sign-in a retryable 503 TRANSIENT', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const app = createApp({ ...t.deps, rateLimiter: createRateLimiter(createRedisStore(dead)) }, { remoteAddress: () => nextIp() });
    const http = trpcHttp((u, i) => app.request(u, i));
    const me = await http.query('auth.me');
    expect(me.status).toBe(200);
    const auditBefore = await auditCount();
    const login = await http.mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(login.status).toBe(503);
    expect(login.error?.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', appCode: 'TRANSIENT' });
    expect(login.headers.getSetCookie().filter((c) => c.startsWith('tt_session'))).toEqual([]);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('answers a signed-in request 503 TRANSIENT, keeping its cookie, when sessions cannot be read', async () => {
    const sessions = createSessionStore(createRedisStore(dead), { idleMs: 60_000, absoluteMs: 3_600_000 });
    const app = createApp({ ...t.deps, sessions }, { remoteAddress: () => nextIp() });
    const anonymous = await trpcHttp((u, i) => app.request(u, i)).query('auth.me');
    expect(anonymous.status).toBe(200);
    const res = await trpcHttp((u, i) => app.request(u, i), 'http://localhost', 'tt_session=abc').query('bag.list', {});
    expect(res.status).toBe(503);
    expect(res.error?.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', appCode: 'TRANSIENT' });
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('requests that arrive together', () => {
  it('read their session users in one statement, each answered for its own session: locked, deactivated and ended ones anonymous', async () => {
    const [dispatcher, biller, locked, deactivated, ended] = await Promise.all([
      createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' }), createUser(t.deps.db, { role: 'biller' }), createUser(t.deps.db, { role: 'biller' }),
      createUser(t.deps.db, { role: 'dispatcher' }), createUser(t.deps.db, { role: 'admin' }),
    ]);
    const cookies = new Map<number, string>();
    for (const u of [dispatcher, biller, locked, deactivated, ended]) cookies.set(u.id, await sessionCookieFor(t.deps, u.id));
    await t.deps.db.updateTable('users').set({ is_locked: true }).where('id', '=', locked.id).execute();
    await t.deps.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', deactivated.id).execute();
    await t.deps.db.updateTable('users').set((eb) => ({ session_epoch: eb('session_epoch', '+', 1) })).where('id', '=', ended.id).execute();

    const statements: string[] = [];
    const executeQuery = t.deps.db.executeQuery.bind(t.deps.db);
    const spy = vi.spyOn(t.deps.db, 'executeQuery').mockImplementation((q) => {
      statements.push('compile' in q ? q.compile().sql : q.sql);
      return executeQuery(q);
    });
    const callers = [dispatcher, biller, locked, dispatcher, deactivated, ended, biller];
    const answers = await Promise.all(callers.map((u) => httpFrom(nextIp(), cookies.get(u.id)).query('auth.me')));
    spy.mockRestore();

    expect(answers.map((a) => a.data)).toEqual([meOf(dispatcher), meOf(biller), null, meOf(dispatcher), null, null, meOf(biller)]);
    // The ended sessions' cookies are cleared; the live ones are left alone.
    expect(answers.map((a) => a.headers.getSetCookie().some((c) => c.startsWith('tt_session=;')))).toEqual([false, false, true, false, true, true, false]);
    const userReads = statements.filter((q) => /from "users"/.test(q));
    expect(userReads).toHaveLength(1);
    expect(userReads[0]).toMatch(/"id" = any\(/);
  });
});

describe('malformed sign-in input', () => {
  const cases: [string, unknown, string][] = [
    ['a numeric username', { username: 12345, password: WRONG }, 'username'],
    ['a missing password', { username: 'someone' }, 'password'],
    ['a missing username', { password: WRONG }, 'username'],
    ['an empty password', { username: 'someone', password: '' }, 'password'],
    ['a 10k-character username', { username: 'a'.repeat(10_000), password: WRONG }, 'username'],
    ['a 10k-character password', { username: 'someone', password: 'P1!a'.repeat(2_500) }, 'password'],
    ['an SQL payload as username', { username: "'; drop table users; --", password: WRONG }, 'username'],
    ['an HTML payload as username', { username: '<script>alert(1)</script>', password: WRONG }, 'username'],
    ['an object as password', { username: 'someone', password: { $ne: null } }, 'password'],
    ['a code of letters', { username: 'someone', password: WRONG, code: 'abcdef' }, 'code'],
    ['a numeric code', { username: 'someone', password: WRONG, code: 123456 }, 'code'],
    ['a bare string', 'admin', '_'],
  ];
  it.each(cases)('refuses %s with 400 VALIDATION and field errors, changing nothing', async (_label, input, field) => {
    const usersBefore = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const auditBefore = await auditCount();
    const res = await httpFrom().mutate('auth.login', input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', httpStatus: 400 });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('tt_session'))).toEqual([]);
    const usersAfter = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(usersAfter.n).toBe(usersBefore.n);
    expect(await auditCount()).toBe(auditBefore);
  });
});
