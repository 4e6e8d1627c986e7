import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createUser as serviceCreateUser, updateUser as serviceUpdateUser } from '../../server/src/modules/users/service';
import { createContextInner } from '../../server/src/trpc/context';
import { createStaff, createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, sessionFor, trpcHttp } from '../helpers/http';
import { type Actor, createCaller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

const admin = () => t.as(staff.admin);
const PASSWORD = 'N3w!Passw0rd';
let seq = 0;
const uniq = (prefix: string) => `${prefix}${++seq}`;
const meta = { requestId: 'test', ip: null, remoteIp: null, userAgent: null, clientId: null };

const userCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from users`.execute(t.deps.db)).rows[0]?.n);
const auditCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.deps.db)).rows[0]?.n);
const dispatchersIn = async (area: string) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from users where role = 'dispatcher' and area = ${area}`.execute(t.deps.db)).rows[0]?.n);
const auditOf = (id: number) =>
  t.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after', 'is_permanent']).where('entity_type', '=', 'user')
    .where('entity_id', '=', String(id)).orderBy('id').execute();

const backendsWaitingOnLocks = async () =>
  Number((await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
    .execute(t.deps.db)).rows[0]?.n);

/** Polls a condition (no fixed sleeps); fails with its description after 15 s. */
async function waitUntil(condition: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let ipCounter = 0;
const signIn = (username: string, password: string) =>
  createCaller(createContextInner({ deps: t.deps, meta: { ip: `10.30.${++ipCounter}.1` } })).auth.login({ username, password });

describe('creating users', () => {
  it('creates a user with a lower-cased email, returns no secrets, audits without them, and the password works', async () => {
    const username = uniq('Bob_Biller');
    const before = await userCount();
    const user = await admin().user.create({ username, email: `${username}@Example.COM`, password: PASSWORD, role: 'biller' });
    expect(user).toEqual({
      id: expect.any(Number), username, email: `${username.toLowerCase()}@example.com`, role: 'biller', area: null,
      isLocked: false, lockedUntil: null, lockedClients: 0, twoFactorEnabled: false, mustChangePassword: true, lastSignInAt: null,
      deactivatedAt: null, createdAt: expect.any(String),
    });
    expect(await userCount()).toBe(before + 1);
    const [audit] = await auditOf(user.id);
    expect(audit).toMatchObject({ action: 'user.create', actor_id: staff.admin.id, is_permanent: true });
    expect(audit?.after).toEqual({ username, email: 'b***@example.com', role: 'biller', area: null, isLocked: false });
    expect(JSON.stringify(audit)).not.toMatch(/N3w!Passw0rd|scrypt\$/);
    expect((await signIn(username, PASSWORD)).user.id).toBe(user.id);
  });

  it('creates a dispatcher in an area and an admin with none', async () => {
    const d = await admin().user.create({ username: uniq('disp'), email: `${uniq('d')}@x.test`, password: PASSWORD, role: 'dispatcher', area: 'raipur' });
    expect(d).toMatchObject({ role: 'dispatcher', area: 'raipur' });
    const a = await admin().user.create({ username: uniq('adm'), email: `${uniq('a')}@x.test`, password: PASSWORD, role: 'admin', area: null });
    expect(a).toMatchObject({ role: 'admin', area: null });
  });

  it('refuses a username taken in any letter case (USERNAME_TAKEN)', async () => {
    const name = uniq('Casey_');
    await admin().user.create({ username: name, email: `${uniq('c')}@x.test`, password: PASSWORD, role: 'biller' });
    const r = await refusal(admin().user.create({ username: name.toUpperCase(), email: `${uniq('c')}@x.test`, password: PASSWORD, role: 'biller' }));
    expect(r).toMatchObject({ code: 'CONFLICT', appCode: 'USERNAME_TAKEN', details: { field: 'username' } });
  });

  it('lets exactly one of two concurrent creates of one name win', async () => {
    const name = uniq('racer_');
    const results = await Promise.allSettled([
      admin().user.create({ username: name, email: `${uniq('r')}@x.test`, password: PASSWORD, role: 'biller' }),
      admin().user.create({ username: name.toUpperCase(), email: `${uniq('r')}@x.test`, password: PASSWORD, role: 'biller' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected');
    expect((await refusal(Promise.reject(loser?.reason))).appCode).toBe('USERNAME_TAKEN');
  });

  it('refuses an email already in use, in any letter case (EMAIL_TAKEN), on create and update', async () => {
    const email = `${uniq('same')}@x.test`;
    await admin().user.create({ username: uniq('e_'), email, password: PASSWORD, role: 'biller' });
    const r = await refusal(admin().user.create({ username: uniq('e_'), email: email.toUpperCase(), password: PASSWORD, role: 'biller' }));
    expect(r).toMatchObject({ code: 'CONFLICT', appCode: 'EMAIL_TAKEN' });
    const other = await createUser(t.deps.db, { role: 'biller' });
    expect((await refusal(admin().user.update({ id: other.id, email: email.toUpperCase() }))).appCode).toBe('EMAIL_TAKEN');
  });

  it('refuses weak passwords in the schema and, for callers that skip it, in the service (WEAK_PASSWORD)', async () => {
    const viaSchema = await refusal(admin().user.create({ username: uniq('w_'), email: `${uniq('w')}@x.test`, password: 'password1', role: 'biller' }));
    expect(viaSchema).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    const before = await userCount();
    await expect(
      serviceCreateUser(t.deps, staff.admin, meta, { username: uniq('w_'), email: `${uniq('w')}@x.test`, password: 'abcdefgh', role: 'biller' }),
    ).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    const target = await createUser(t.deps.db, { role: 'biller' });
    await expect(serviceUpdateUser(t.deps, staff.admin, meta, { id: target.id, password: 'short' })).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect((await refusal(admin().user.update({ id: target.id, password: 'NoDigits!!' }))).appCode).toBe('VALIDATION');
    expect(await userCount()).toBe(before + 1);
  });
});

describe('areas and roles', () => {
  it.each([
    ['a dispatcher without an area', { role: 'dispatcher' as const }, 'AREA_REQUIRED'],
    ['a dispatcher with a null area', { role: 'dispatcher' as const, area: null }, 'AREA_REQUIRED'],
    ['a biller with an area', { role: 'biller' as const, area: 'lucknow' }, 'AREA_NOT_ALLOWED'],
    ['an admin with an area', { role: 'admin' as const, area: 'lucknow' }, 'AREA_NOT_ALLOWED'],
    ['a dispatcher in an unknown area', { role: 'dispatcher' as const, area: 'mumbai' }, 'AREA_NOT_FOUND'],
  ])('refuses %s', async (_label, fields, appCode) => {
    const before = await userCount();
    const r = await refusal(admin().user.create({ username: uniq('ar_'), email: `${uniq('ar')}@x.test`, password: PASSWORD, ...fields }));
    expect(r).toMatchObject({ code: 'BAD_REQUEST', appCode });
    expect(await userCount()).toBe(before);
  });

  it('applies the area rules when a role changes', async () => {
    const biller = await createUser(t.deps.db, { role: 'biller' });
    expect((await refusal(admin().user.update({ id: biller.id, role: 'dispatcher' }))).appCode).toBe('AREA_REQUIRED');
    expect((await refusal(admin().user.update({ id: biller.id, area: 'indore' }))).appCode).toBe('AREA_NOT_ALLOWED');
    expect((await refusal(admin().user.update({ id: biller.id, role: 'dispatcher', area: 'nowhere' }))).appCode).toBe('AREA_NOT_FOUND');
    expect(await admin().user.update({ id: biller.id, role: 'dispatcher', area: 'indore' })).toMatchObject({ role: 'dispatcher', area: 'indore' });
    expect((await refusal(admin().user.update({ id: biller.id, area: null }))).appCode).toBe('AREA_REQUIRED');
    // Leaving the dispatcher role drops the area.
    expect(await admin().user.update({ id: biller.id, role: 'biller' })).toMatchObject({ role: 'biller', area: null });
  });

  it('allows at most 10 dispatchers per area (AREA_FULL) on create, move and promotion', async () => {
    for (let i = 0; i < 10; i++) await createUser(t.deps.db, { role: 'dispatcher', area: 'ranchi' });
    const create = await refusal(admin().user.create({ username: uniq('full_'), email: `${uniq('f')}@x.test`, password: PASSWORD, role: 'dispatcher', area: 'ranchi' }));
    expect(create).toMatchObject({ code: 'CONFLICT', appCode: 'AREA_FULL' });
    const mover = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    expect((await refusal(admin().user.update({ id: mover.id, area: 'ranchi' }))).appCode).toBe('AREA_FULL');
    const biller = await createUser(t.deps.db, { role: 'biller' });
    expect((await refusal(admin().user.update({ id: biller.id, role: 'dispatcher', area: 'ranchi' }))).appCode).toBe('AREA_FULL');
    // A dispatcher already there is not counted against itself.
    const [inside] = await t.deps.db.selectFrom('users').select('id').where('area', '=', 'ranchi').limit(1).execute();
    await admin().user.update({ id: inside!.id, area: 'ranchi', email: `${uniq('in')}@x.test` });
    expect(await dispatchersIn('ranchi')).toBe(10);
  });

  it('keeps the area cap under concurrent creates, serialised on the area row lock', async () => {
    for (let i = 0; i < 8; i++) await createUser(t.deps.db, { role: 'dispatcher', area: 'akola' });
    // Hold the area row so all five creates are in flight together, then let them through at once.
    let creates: Promise<PromiseSettledResult<unknown>[]> | undefined;
    await t.deps.db.transaction().execute(async (tx) => {
      await sql`select code from dispatch_areas where code = 'akola' for update`.execute(tx);
      creates = Promise.allSettled(
        Array.from({ length: 5 }, () =>
          admin().user.create({ username: uniq('cc_'), email: `${uniq('cc')}@x.test`, password: PASSWORD, role: 'dispatcher', area: 'akola' })),
      );
      await waitUntil(async () => (await backendsWaitingOnLocks()) === 5, 'five creates waiting on the area lock');
    });
    const results = await creates!;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((await refusal(Promise.reject((r as PromiseRejectedResult).reason))).appCode).toBe('AREA_FULL');
    }
    expect(await dispatchersIn('akola')).toBe(10);
  });

  it('never lets anyone change their own role or lock themselves', async () => {
    expect(await refusal(admin().user.update({ id: staff.admin.id, role: 'biller' }))).toMatchObject({ code: 'FORBIDDEN', appCode: 'OWN_ROLE' });
    expect(await refusal(admin().user.update({ id: staff.admin.id, isLocked: true }))).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    const self = await admin().user.update({ id: staff.admin.id, role: 'admin', isLocked: false });
    expect(self).toMatchObject({ role: 'admin', isLocked: false });
  });

  it('refuses an unknown user id (USER_NOT_FOUND)', async () => {
    expect(await refusal(admin().user.update({ id: 999_999, email: 'nobody@x.test' }))).toMatchObject({ code: 'NOT_FOUND', appCode: 'USER_NOT_FOUND' });
  });
});

describe('sessions and audit on changes', () => {
  const live = async (token: string) => (await t.deps.sessions.touch(token)) !== null;

  it('ends the user’s sessions on role, area, lock and password changes, not on an email change', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'bathinda' });
    let token = await sessionFor(t.deps, user.id);
    await admin().user.update({ id: user.id, email: `${uniq('mail')}@x.test` });
    expect(await live(token)).toBe(true);

    const changes = [{ area: 'sangaria' }, { isLocked: true }, { isLocked: false }, { password: 'An0ther!Pass' }, { role: 'biller' as const }];
    for (const change of changes) {
      token = await sessionFor(t.deps, user.id);
      await admin().user.update({ id: user.id, ...change });
      expect(await live(token), JSON.stringify(change)).toBe(false);
    }
    expect((await signIn(user.username, 'An0ther!Pass')).user.role).toBe('biller');
  });

  it('audits changes with before/after snapshots and no secrets; role changes are kept forever', async () => {
    const user = await createUser(t.deps.db, { role: 'biller', email: `${uniq('aud')}@x.test` });
    await admin().user.update({ id: user.id, role: 'admin', password: 'S3cret!Value' });
    await admin().user.update({ id: user.id, isLocked: true });
    const rows = await auditOf(user.id);
    expect(rows.map((r) => [r.action, r.is_permanent])).toEqual([['user.update', true], ['user.update', false]]);
    expect(rows[0]).toMatchObject({
      actor_id: staff.admin.id,
      before: { role: 'biller', area: null, isLocked: false, email: 'a***@x.test' },
      after: { role: 'admin', passwordChanged: true },
    });
    expect(rows[1]).toMatchObject({ before: { isLocked: false }, after: { isLocked: true } });
    expect(JSON.stringify(rows)).not.toMatch(/S3cret!Value|scrypt\$|password_hash|failed_logins/);
  });

  it('unlocking lifts a lockout from failed sign-ins', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const lockedUntil = new Date(Date.now() + 600_000);
    await t.deps.db.insertInto('login_failures').values({
      subject: `u:${user.id}`, client_key: '', failures: 20, first_failure_at: new Date(), last_failure_at: new Date(), locked_until: lockedUntil,
    }).execute();
    expect((await refusal(signIn(user.username, TEST_PASSWORD))).appCode).toBe('ACCOUNT_LOCKED');
    expect((await admin().user.list({ isLocked: true, limit: 200 })).items.map((u) => u.id)).toContain(user.id);
    expect(await admin().user.update({ id: user.id, isLocked: false })).toMatchObject({ isLocked: false, lockedUntil: null, lockedClients: 0 });
    expect((await signIn(user.username, TEST_PASSWORD)).user.id).toBe(user.id);
  });

  it('writes nothing for an update that changes nothing', async () => {
    const user = await createUser(t.deps.db, { role: 'biller' });
    const before = await auditCount();
    await admin().user.update({ id: user.id, role: 'biller', area: null });
    expect(await auditCount()).toBe(before);
  });
});

describe('the last admin', () => {
  let own: TestApp;
  beforeAll(async () => {
    own = await createTestApp();
  });
  afterAll(() => own.close());
  /** A request that still carries admin rights its user has since lost (or the row is locked). */
  const staleAdmin = (user: Actor) => own.as({ ...user, role: 'admin' });

  it('lets only one of two admins demoting each other at once succeed', async () => {
    const a = await createUser(own.deps.db, { role: 'admin' });
    const b = await createUser(own.deps.db, { role: 'admin' });
    const results = await Promise.allSettled([
      own.as(a).user.update({ id: b.id, role: 'biller' }),
      own.as(b).user.update({ id: a.id, role: 'biller' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(await refusal(Promise.reject(loser.reason))).toMatchObject({ code: 'FORBIDDEN', appCode: 'LAST_ADMIN' });
    const admins = await own.deps.db.selectFrom('users').select('id').where('role', '=', 'admin').execute();
    expect(admins).toHaveLength(1);
  });

  it('never demotes or locks the last active admin; locked admins do not count', async () => {
    const [last] = await own.deps.db.selectFrom('users').select(['id', 'username']).where('role', '=', 'admin').execute();
    const stale = staleAdmin(await createUser(own.deps.db, { role: 'biller' }));
    expect((await refusal(stale.user.update({ id: last!.id, role: 'dispatcher', area: 'lucknow' }))).appCode).toBe('LAST_ADMIN');
    expect((await refusal(stale.user.update({ id: last!.id, isLocked: true }))).appCode).toBe('LAST_ADMIN');

    const locked = await createUser(own.deps.db, { role: 'admin' });
    await own.deps.db.updateTable('users').set({ is_locked: true }).where('id', '=', locked.id).execute();
    expect((await refusal(stale.user.update({ id: last!.id, role: 'biller' }))).appCode).toBe('LAST_ADMIN');

    const lastAdmin = own.as({ id: last!.id, username: last!.username, role: 'admin', area: null, pendingSetup: null });
    await lastAdmin.user.update({ id: locked.id, isLocked: false });
    expect(await stale.user.update({ id: last!.id, role: 'biller' })).toMatchObject({ role: 'biller' });
  });
});

describe('listing users', () => {
  it('filters by role, area and case-insensitive username prefix, and pages by id', async () => {
    const made: number[] = [];
    for (let i = 0; i < 7; i++) made.push((await createUser(t.deps.db, { role: 'biller', username: `Pager_${i}` })).id);
    await createUser(t.deps.db, { role: 'biller', username: 'PagerX9' }); // '_' in the prefix is literal, not a wildcard
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin().user.list({ search: 'pAGER_', limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((u) => u.id));
      for (const item of page.items) {
        expect(Object.keys(item).sort()).toEqual([
          'area', 'createdAt', 'deactivatedAt', 'email', 'id', 'isLocked', 'lastSignInAt', 'lockedClients', 'lockedUntil', 'mustChangePassword', 'role',
          'twoFactorEnabled', 'username',
        ]);
      }
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);

    const inRaipur = await admin().user.list({ area: 'raipur', limit: 200 });
    expect(inRaipur.items.length).toBeGreaterThan(0);
    expect(inRaipur.items.every((u) => u.area === 'raipur' && u.role === 'dispatcher')).toBe(true);
    const admins = await admin().user.list({ role: 'admin', limit: 200 });
    expect(admins.items.map((u) => u.id)).toContain(staff.admin.id);
    expect(admins.items.every((u) => u.role === 'admin')).toBe(true);
  });

  it('refuses a forged cursor and a limit above 200', async () => {
    expect(await refusal(admin().user.list({ cursor: 'not-a-cursor' }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    expect(await refusal(admin().user.list({ limit: 201 }))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
  });
});

describe('who may manage users', () => {
  type Call = (c: ReturnType<TestApp['anonymous']>, target: { id: number }) => Promise<unknown>;
  const calls: Record<'create' | 'list' | 'update', Call> = {
    create: (c) => c.user.create({ username: uniq('rm_'), email: `${uniq('rm')}@x.test`, password: PASSWORD, role: 'biller' }),
    list: (c) => c.user.list({}),
    update: (c, target) => c.user.update({ id: target.id, role: 'admin' }),
  };
  const procedures = Object.keys(calls) as (keyof typeof calls)[];
  // Each case promotes (or fails to promote) a biller of its own, so no case depends on another.
  const freshBiller = () => createUser(t.deps.db, { role: 'biller' });
  const roleOf = async (id: number) => (await t.deps.db.selectFrom('users').select('role').where('id', '=', id).executeTakeFirstOrThrow()).role;

  it.each(procedures)('user.%s: admin allowed', async (name) => {
    const target = await freshBiller();
    await expect(calls[name](admin(), target)).resolves.toBeDefined();
    expect(await roleOf(target.id)).toBe(name === 'update' ? 'admin' : 'biller');
  });
  it.each(procedures.flatMap((p) => (['biller', 'dispatcher'] as const).map((role) => [p, role] as const)))(
    'user.%s: %s is FORBIDDEN and nothing changes',
    async (name, role) => {
      const target = await freshBiller();
      const [users, audits] = [await userCount(), await auditCount()];
      expect(await refusal(calls[name](t.as(staff[role]), target))).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
      expect([await userCount(), await auditCount()]).toEqual([users, audits]);
      expect(await roleOf(target.id)).toBe('biller');
    },
  );
  it.each(procedures)('user.%s: anonymous is UNAUTHORIZED', async (name) => {
    expect(await refusal(calls[name](t.anonymous(), await freshBiller()))).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
  });
});

describe('malformed input over HTTP', () => {
  const good = { username: 'valid_name', email: 'valid@x.test', password: PASSWORD, role: 'biller' };
  const cases: [string, string, unknown, string][] = [
    ['user.create', 'a numeric username', { ...good, username: 42 }, 'username'],
    ['user.create', 'a missing password', { username: 'valid_name', email: 'valid@x.test', role: 'biller' }, 'password'],
    ['user.create', 'a missing role', { username: 'valid_name', email: 'valid@x.test', password: PASSWORD }, 'role'],
    ['user.create', 'a 10k-character username', { ...good, username: 'a'.repeat(10_000) }, 'username'],
    ['user.create', 'a 10k-character email', { ...good, email: `${'a'.repeat(10_000)}@x.test` }, 'email'],
    ['user.create', 'a 10k-character password', { ...good, password: 'Aa1!'.repeat(2_500) }, 'password'],
    ['user.create', 'an SQL payload as username', { ...good, username: "'; drop table users; --" }, 'username'],
    ['user.create', 'an HTML payload as username', { ...good, username: '<script>alert(1)</script>' }, 'username'],
    ['user.create', 'an HTML payload as email', { ...good, email: '<script>@x.test' }, 'email'],
    ['user.create', 'an SQL payload as area', { ...good, role: 'dispatcher', area: "'; drop table users; --" }, 'area'],
    ['user.create', 'an unknown role', { ...good, role: 'superuser' }, 'role'],
    ['user.create', 'a bare string', "'; drop table users; --", '_'],
    ['user.update', 'a string id', { id: '1', role: 'admin' }, 'id'],
    ['user.update', 'a negative id', { id: -1, role: 'admin' }, 'id'],
    ['user.update', 'a non-boolean lock', { id: 1, isLocked: 'yes' }, 'isLocked'],
    ['user.update', 'a weak password', { id: 1, password: 'weak' }, 'password'],
  ];

  it.each(cases)('%s refuses %s with 400 VALIDATION and field errors, changing nothing', async (path, _label, input, field) => {
    const app = createApp(t.deps);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, staff.admin.id));
    const [users, audits] = [await userCount(), await auditCount()];
    const res = await http.mutate(path, input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', httpStatus: 400 });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
    expect([await userCount(), await auditCount()]).toEqual([users, audits]);
  });

  it.each([
    ['a 10k-character search', { search: 'x'.repeat(10_000) }, 'search'],
    ['a string limit', { limit: '50' }, 'limit'],
    ['an unknown role filter', { role: "' or 1=1 --" }, 'role'],
  ])('user.list refuses %s with field errors', async (_label, input, field) => {
    const app = createApp(t.deps);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, staff.admin.id));
    const res = await http.query('user.list', input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ appCode: 'VALIDATION' });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
  });
});
