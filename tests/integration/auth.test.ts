import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createRedisStore } from '../../server/src/infra/kv';
import { createRateLimiter } from '../../server/src/infra/rate-limit';
import { createSessionStore } from '../../server/src/infra/sessions';
import { createContextInner } from '../../server/src/trpc/context';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { trpcHttp } from '../helpers/http';
import { createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let now = new Date('2025-03-01T06:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
});
afterAll(() => t.close());

// Every test signs in from its own address, so the 10/min per-IP limit never couples tests.
let ipCounter = 0;
const nextIp = () => `10.20.${++ipCounter}.7`;

/** An anonymous caller from one IP that records the cookies login/logout set. */
function visitor(ip = nextIp()) {
  const cookies: (string | null)[] = [];
  const caller = createCaller(createContextInner({ deps: t.deps, meta: { ip }, setSessionCookie: (v) => cookies.push(v) }));
  return { auth: caller.auth, cookies };
}

/** HTTP from one client address (the app anonymises it to its /24, which is what it rate-limits). */
function httpFrom(ip = nextIp(), cookie?: string) {
  const app = createApp(t.deps, { remoteAddress: () => ip });
  return trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie);
}

const ghostName = () => `ghost_${randomUUID().slice(0, 8)}`;
const WRONG = 'Wr0ng!Password';
const auditCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.deps.db)).rows[0]?.n);
const loginState = (id: number) =>
  t.deps.db.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', id).executeTakeFirstOrThrow();

describe('signing in over HTTP', () => {
  it('sets an HttpOnly SameSite session cookie that auth.me accepts', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const http = httpFrom();
    const res = await http.mutate('auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const me = { id: user.id, username: user.username, email: `${user.username.toLowerCase()}@example.test`, role: 'dispatcher', area: 'jaipur' };
    expect(res.data).toEqual({ user: me });

    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^tt_session=[A-Za-z0-9_-]{20,};/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=(Lax|Strict)/i);
    const cookie = setCookie.split(';')[0] ?? '';

    const signedIn = await httpFrom(nextIp(), cookie).query('auth.me');
    expect(signedIn.status).toBe(200);
    expect(signedIn.data).toEqual(me);
    const anonymous = await httpFrom().query('auth.me');
    expect(anonymous.status).toBe(200);
    expect(anonymous.data).toBeNull();
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
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const out = await httpFrom(nextIp(), cookie).mutate('auth.logout', {});
    expect(out.data).toEqual({ ok: true });
    expect(out.headers.get('set-cookie')).toMatch(/^tt_session=;.*Max-Age=0/);
    expect((await httpFrom(nextIp(), cookie).query('auth.me')).data).toBeNull();
    const audited = await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(user.id)).orderBy('id').execute();
    expect(audited.map((r) => r.action)).toEqual(['auth.login', 'auth.logout']);
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
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(raced).toBe(true);
    expect((await http(cookie).query('bag.list', { area: 'bathinda' })).status).toBe(200);
    expect((await http(cookie).query('bag.list', { area: 'jaipur' })).error?.data.appCode).toBe('FORBIDDEN');
  });
});

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
      if (attempt < 5) {
        expect(a).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
      } else {
        expect(a).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_LOCKED' });
      }
    }
    // While locked, both keep answering alike (and the real password does not help the real user).
    const a = await refusal(known.auth.login({ username: user.username, password: TEST_PASSWORD }));
    const b = await refusal(unknown.auth.login({ username: ghost, password: TEST_PASSWORD }));
    expect(b.message).toBe(a.message);
    expect(a.appCode).toBe('ACCOUNT_LOCKED');
  });
});

describe('lockout after 5 failures', () => {
  it('counts tries down, locks for 15 minutes, refuses the right password, then unlocks', async () => {
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
      'Wrong username or password. 4 tries left before the account locks for 15 minutes.',
      'Wrong username or password. 3 tries left before the account locks for 15 minutes.',
      'Wrong username or password. 2 tries left before the account locks for 15 minutes.',
      'Wrong username or password. 1 try left before the account locks for 15 minutes.',
    ]);

    const unlockAt = new Date(startedAt.getTime() + 15 * 60_000);
    const fifth = await refusal(auth.login({ username: user.username, password: WRONG }));
    expect(fifth).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_LOCKED', details: { lockedUntil: unlockAt.toISOString() } });
    expect(fifth.message).toContain('11:45 (Asia/Kolkata)'); // 06:15 UTC in the configured time zone
    expect(await loginState(user.id)).toEqual({ failed_logins: 5, locked_until: unlockAt });

    const rightButLocked = await refusal(auth.login({ username: user.username, password: TEST_PASSWORD }));
    expect(rightButLocked.appCode).toBe('ACCOUNT_LOCKED');
    expect(rightButLocked.message).toMatch(/Try again in 15 minutes, at 11:45/);

    now = new Date(startedAt.getTime() + 14 * 60_000 + 30_000);
    const almost = await refusal(auth.login({ username: user.username, password: TEST_PASSWORD }));
    expect(almost.message).toMatch(/Try again in 1 minute, at 11:45/);

    now = unlockAt;
    const { user: me } = await auth.login({ username: user.username, password: TEST_PASSWORD });
    expect(me.id).toBe(user.id);
    expect(await loginState(user.id)).toEqual({ failed_logins: 0, locked_until: null });

    // A fresh run starts after the lock.
    const again = await refusal(auth.login({ username: user.username, password: WRONG }));
    expect(again.message).toMatch(/4 tries left/);

    const rows = await t.deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'before', 'after'])
      .where('entity_type', '=', 'user')
      .where('entity_id', '=', String(user.id))
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      ...Array(5).fill('auth.login_failed'), 'auth.lockout', 'auth.login_failed', 'auth.login_failed', 'auth.login', 'auth.login_failed',
    ]);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain('scrypt$');
  });

  it('a success resets the run of failures', async () => {
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
    expect(res.headers.get('set-cookie')).toBeNull();
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
    expect(login.headers.get('set-cookie')).toBeNull();
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
    expect(res.headers.get('set-cookie')).toBeNull();
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
    ['a bare string', 'admin', '_'],
  ];
  it.each(cases)('refuses %s with 400 VALIDATION and field errors, changing nothing', async (_label, input, field) => {
    const usersBefore = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const auditBefore = await auditCount();
    const res = await httpFrom().mutate('auth.login', input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', httpStatus: 400 });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
    expect(res.headers.get('set-cookie')).toBeNull();
    const usersAfter = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(usersAfter.n).toBe(usersBefore.n);
    expect(await auditCount()).toBe(auditBefore);
  });
});
