import { randomUUID } from 'node:crypto';
import { type AppErrorCode, isAllowed, isAppError, isRouteAllowed, refusalOf, type Role, ROUTE_PERMISSIONS, routeRefusalOf } from '@tracetrack/shared';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../server/src/app';
import { createContextInner } from '../../server/src/trpc/context';
import { baseProcedure, createCallerFactory, router } from '../../server/src/trpc/init';
import { appRouter } from '../../server/src/trpc/router';
import { createStaff, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { type Caller, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
  await t.as(staff.admin).bag.scanParent({ code: 'SB90001' });
  await t.as(staff.admin).bag.scanParent({ code: 'SB90005' });
  await t.as(staff.admin).bill.create({ billNumber: 'CONTRACT-1', capacity: 5 });
  await t.as(staff.admin).return.create({ ticketId: CONTRACT_TICKET, area: 'jaipur' });
  // A known number, so the download route below has a well-formed URL before the tests run.
  await sql`update return_tickets set number = ${CONTRACT_TICKET_NUMBER} where ref = ${CONTRACT_TICKET}`.execute(t.deps.db);
});
const CONTRACT_TICKET = randomUUID();
const CONTRACT_TICKET_NUMBER = 'RTN-20260105-C0DE';
afterAll(() => t.close());

const ALL: Role[] = ['admin', 'biller', 'dispatcher'];
let n = 0;
const uniq = () => `${++n}${Date.now() % 100000}`;

interface Probe {
  call: (c: Caller) => Promise<unknown>;
  /** Business refusals an allowed role may get from this call (the state says no); anything else fails. */
  mayRefuse?: AppErrorCode[];
}

/**
 * Every procedure with a well-formed call. Who may call it comes from the permission table; a
 * procedure missing here fails the completeness test, so a new procedure cannot skip the matrix.
 */
const MATRIX: Record<string, Probe> = {
  'auth.login': { call: (c) => c.auth.login({ username: 'nobody_here', password: 'Wrong!Pass1' }), mayRefuse: ['INVALID_CREDENTIALS'] },
  'auth.logout': { call: (c) => c.auth.logout() },
  'auth.me': { call: (c) => c.auth.me() },
  'auth.requestPasswordReset': { call: (c) => c.auth.requestPasswordReset({ login: 'nobody_here' }) },
  'auth.resetPassword': { call: (c) => c.auth.resetPassword({ token: 'x'.repeat(43), newPassword: TEST_PASSWORD }), mayRefuse: ['RESET_TOKEN_INVALID'] },
  // Own-account calls are allowed to every role; the state (a wrong password, no enrolment) may refuse them.
  'account.changePassword': { call: (c) => c.account.changePassword({ currentPassword: 'not-the-password', newPassword: 'a-new-long-passphrase' }), mayRefuse: ['WRONG_PASSWORD'] },
  'account.sessions': { call: (c) => c.account.sessions() },
  'account.endSession': { call: (c) => c.account.endSession({ sessionId: 'no-such-session' }), mayRefuse: ['SESSION_NOT_FOUND'] },
  'account.endOtherSessions': { call: (c) => c.account.endOtherSessions() },
  'account.twoFactor.begin': { call: (c) => c.account.twoFactor.begin() },
  'account.twoFactor.confirm': { call: (c) => c.account.twoFactor.confirm({ code: '000000' }), mayRefuse: ['TWO_FACTOR_INVALID', 'TWO_FACTOR_NOT_STARTED'] },
  'account.twoFactor.disable': { call: (c) => c.account.twoFactor.disable({ password: 'not-the-password', code: '000000' }), mayRefuse: ['WRONG_PASSWORD'] },
  'user.create': { call: (c) => c.user.create({ username: `u_${uniq()}`, email: `u${uniq()}@example.test`, password: TEST_PASSWORD, role: 'biller' }) },
  'user.list': { call: (c) => c.user.list({}) },
  'user.update': { call: (c) => c.user.update({ id: staff.biller.id, email: `b${uniq()}@example.test` }) },
  'user.issuePasswordReset': { call: (c) => c.user.issuePasswordReset({ userId: staff.biller.id }) },
  'user.endSessions': { call: (c) => c.user.endSessions({ userId: staff.biller.id }) },
  'user.resetTwoFactor': { call: (c) => c.user.resetTwoFactor({ userId: staff.biller.id }), mayRefuse: ['TWO_FACTOR_NOT_ENABLED'] },
  'user.deactivate': { call: (c) => c.user.deactivate({ userId: 999_999 }), mayRefuse: ['USER_NOT_FOUND'] },
  'bag.scanParent': { call: (c) => c.bag.scanParent({ code: `SB9${uniq().slice(-4).padStart(4, '0')}` }) },
  'bag.linkChild': { call: (c) => c.bag.linkChild({ parentCode: 'SB90001', childCode: `CT${uniq()}` }) },
  'bag.unlinkChild': { call: (c) => c.bag.unlinkChild({ childCode: 'CTNOTLINKED' }), mayRefuse: ['BAG_NOT_FOUND'] },
  'bag.get': { call: (c) => c.bag.get({ code: 'SB90001' }) },
  'bag.list': { call: (c) => c.bag.list({}) },
  'bag.delete': { call: (c) => c.bag.delete({ code: 'SB99999' }), mayRefuse: ['BAG_NOT_FOUND'] },
  'bag.setArea': { call: (c) => c.bag.setArea({ code: 'SB90005', area: 'indore' }) },
  'bill.create': { call: (c) => c.bill.create({ billNumber: `CT-${uniq()}`, capacity: 3 }) },
  'bill.update': { call: (c) => c.bill.update({ billNumber: 'CONTRACT-1', description: 'note' }) },
  'bill.get': { call: (c) => c.bill.get({ billNumber: 'CONTRACT-1' }) },
  'bill.list': { call: (c) => c.bill.list({}) },
  'bill.addParent': { call: (c) => c.bill.addParent({ billNumber: 'CONTRACT-1', parentCode: 'SB90001' }) },
  'bill.removeParent': { call: (c) => c.bill.removeParent({ billNumber: 'CONTRACT-1', parentCode: 'SB90001' }), mayRefuse: ['PARENT_NOT_ON_BILL'] },
  'bill.complete': { call: (c) => c.bill.complete({ billNumber: 'CONTRACT-1', allowShort: true }), mayRefuse: ['BILL_EMPTY'] },
  'bill.reopen': { call: (c) => c.bill.reopen({ billNumber: 'CONTRACT-1' }) },
  'bill.delete': { call: (c) => c.bill.delete({ billNumber: 'NO-SUCH-BILL' }), mayRefuse: ['BILL_NOT_FOUND'] },
  'return.create': { call: (c) => c.return.create({ ticketId: randomUUID(), area: 'jaipur', notes: 'contract' }) },
  'return.scan': { call: (c) => c.return.scan({ ticketId: CONTRACT_TICKET, code: 'SB90001' }), mayRefuse: ['NOT_ON_A_BILL', 'ALREADY_ON_TICKET'] },
  'return.update': { call: (c) => c.return.update({ ticketId: CONTRACT_TICKET, notes: `note ${uniq()}` }) },
  'return.finalize': { call: (c) => c.return.finalize({ ticketId: CONTRACT_TICKET }), mayRefuse: ['TICKET_EMPTY'] },
  'return.cancel': { call: (c) => c.return.cancel({ ticketId: randomUUID() }), mayRefuse: ['TICKET_NOT_FOUND'] },
  'return.get': { call: (c) => c.return.get({ ticketId: CONTRACT_TICKET }) },
  'return.list': { call: (c) => c.return.list({ status: 'open' }) },
  'stats.dashboard': { call: (c) => c.stats.dashboard() },
  'area.list': { call: (c) => c.area.list() },
  'device.list': { call: (c) => c.device.list({}) },
  'device.register': { call: (c) => c.device.register({ deviceId: randomUUID() }) },
  'device.report': { call: (c) => c.device.report({ deviceId: randomUUID(), outbox: { depth: 0, oldestAt: null } }), mayRefuse: ['DEVICE_NOT_REGISTERED'] },
  // Subscriptions: the gate runs when the stream is asked for; the body runs only when it is read.
  'live.dashboard': { call: (c) => c.live.dashboard() },
  'live.bill': { call: (c) => c.live.bill({ billNumber: 'CONTRACT-1' }) },
  'live.devices': { call: (c) => c.live.devices({}) },
  'live.import': { call: (c) => c.live.import({ id: randomUUID() }) },
  'sync.push': {
    call: async (c) => {
      const deviceId = randomUUID();
      await c.device.register({ deviceId });
      return c.sync.push({ deviceId, mutations: [{ id: randomUUID(), seq: 1, name: 'parent.scan', args: { code: 'SB90001' }, clientTime: new Date().toISOString() }] });
    },
  },
  'sync.pull': { call: (c) => c.sync.pull({}) },
  'promotion.request': { call: (c) => c.promotion.request({ role: 'admin', reason: 'Covering for the day shift' }) },
  'promotion.mine': { call: (c) => c.promotion.mine() },
  'promotion.list': { call: (c) => c.promotion.list({}) },
  'promotion.decide': { call: (c) => c.promotion.decide({ id: 999_999, approve: false }), mayRefuse: ['PROMOTION_NOT_FOUND'] },
  'audit.list': { call: (c) => c.audit.list({ filters: { action: 'bag.' } }) },
  'export.count': { call: (c) => c.export.count({ kind: 'bags', filter: { code: 'SB9', codeMatch: 'prefix' } }) },
  'report.endOfDay': { call: (c) => c.report.endOfDay({ date: '2026-01-05' }) },
  'system.health': { call: (c) => c.system.health() },
  'label.reserve': { call: (c) => c.label.reserve({ kind: 'child', prefix: `CTL${uniq()}`, firstNumber: 1, digits: 2, count: 2 }) },
  'label.list': { call: (c) => c.label.list({}) },
  'label.sheet': { call: (c) => c.label.sheet({ id: 999_999 }), mayRefuse: ['RESERVATION_NOT_FOUND'] },
  'import.list': { call: (c) => c.import.list({}) },
  'import.get': { call: (c) => c.import.get({ id: randomUUID() }), mayRefuse: ['IMPORT_NOT_FOUND'] },
  'import.commit': { call: (c) => c.import.commit({ id: randomUUID() }), mayRefuse: ['IMPORT_NOT_FOUND'] },
  'import.resume': { call: (c) => c.import.resume({ id: randomUUID() }), mayRefuse: ['IMPORT_NOT_FOUND'] },
};

/**
 * Every plain HTTP route (uploads, downloads) with a well-formed request; who may use it comes
 * from ROUTE_PERMISSIONS, and a route missing here fails the completeness test.
 */
const ROUTE_MATRIX: Record<string, { request: (cookie: string | null) => Response | Promise<Response>; okStatus: number }> = {
  'import.upload': {
    request: (cookie) => {
      const form = new FormData();
      form.set('kind', 'bags');
      form.set('area', 'lucknow');
      form.set('file', new Blob(['code,type\nSB90001,parent\n']), 'bags.csv');
      return createApp(t.deps).request('/api/imports', { method: 'POST', body: form, headers: cookie ? { cookie } : {} });
    },
    okStatus: 200,
  },
  'import.report': {
    request: (cookie) => createApp(t.deps).request(`/api/imports/${randomUUID()}/report.csv`, { headers: cookie ? { cookie } : {} }),
    okStatus: 404,
  },
};

/** 'ok', or the shared code the call was refused with (the tRPC code when it carried none). */
const outcomeOf = (call: Promise<unknown>) =>
  call.then(() => 'ok', (e: unknown) => (e instanceof TRPCError ? (isAppError(e.cause) ? e.cause.code : e.code) : String(e)));

async function worldState() {
  const r = await sql<Record<string, number>>`select
    (select count(*)::int from bags) as bags, (select count(*)::int from links) as links,
    (select count(*)::int from bills) as bills, (select count(*)::int from bill_parents) as bill_parents,
    (select count(*)::int from users) as users, (select count(*)::int from devices) as devices,
    (select count(*)::int from scan_events) as events, (select coalesce(sum(value), 0)::int from counters) as counters`.execute(t.deps.db);
  return r.rows[0];
}

describe('role matrix', () => {
  it('covers every procedure of the router', () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  const rows = Object.entries(MATRIX).flatMap(([name, probe]) => ALL.map((role) => [name, role, probe] as const));
  it.each(rows)('%s as %s', async (name, role, probe) => {
    const outcome = await outcomeOf(probe.call(t.as(staff[role])));
    if (isAllowed(name, role)) expect(['ok', ...(probe.mayRefuse ?? [])]).toContain(outcome);
    else expect(outcome).toBe('FORBIDDEN');
  });

  it.each(Object.entries(MATRIX).filter(([name]) => refusalOf(name, null) !== null))('%s refuses anonymous callers', async (_name, probe) => {
    const r = await refusal(probe.call(t.anonymous()));
    expect(r).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
  });

  it('covers every upload route of the permission table (downloads: the route matrix below)', () => {
    expect(Object.keys(ROUTE_MATRIX).sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).filter((r) => r.startsWith('import.')).sort());
  });

  const routeRows = Object.entries(ROUTE_MATRIX).flatMap(([name, probe]) => [...ALL, null].map((role) => [name, role ?? 'anonymous', probe] as const));
  it.each(routeRows)('route %s as %s', async (name, role, probe) => {
    const cookie = role === 'anonymous' ? null : await sessionCookieFor(t.deps, staff[role].id);
    const res = await probe.request(cookie);
    const body = (await res.json()) as { error?: { data: { appCode: string } } };
    if (role === 'anonymous') expect([res.status, body.error?.data.appCode]).toEqual([401, 'UNAUTHENTICATED']);
    else if (isRouteAllowed(name, role)) expect(res.status).toBe(probe.okStatus);
    else expect([res.status, body.error?.data.appCode]).toEqual([403, 'FORBIDDEN']);
  });

  it('refuses bill mutations queued by a dispatcher, one by one, without blocking the rest', async () => {
    const deviceId = randomUUID();
    const d = t.as(staff.dispatcher);
    await d.device.register({ deviceId });
    const at = new Date().toISOString();
    const res = await d.sync.push({
      deviceId,
      mutations: [
        { id: randomUUID(), seq: 1, name: 'bill.create', args: { billNumber: 'DISP-BILL', capacity: 2 }, clientTime: at },
        { id: randomUUID(), seq: 2, name: 'parent.scan', args: { code: 'SB90002' }, clientTime: at },
      ],
    });
    expect(res.results.map((r) => r.code ?? r.status)).toEqual(['FORBIDDEN', 'applied']);
    // The same sentence as the online refusal of bill.create.
    expect(res.results[0]?.message).toBe(refusalOf('bill.create', staff.dispatcher)?.message);
  });
});

describe('route matrix (plain HTTP routes beside tRPC)', () => {
  /** Every route of ROUTE_PERMISSIONS with a well-formed request; a route missing here fails the first test. */
  const ROUTES: Record<string, string> = {
    'export.bags': '/api/exports/bags.csv?type=parent',
    'export.bills': '/api/exports/bills.xlsx',
    'export.users': '/api/exports/users.csv?days=7',
    'export.audit': '/api/exports/audit.csv',
    'export.eod': '/api/exports/eod.xlsx?date=2026-01-05',
    'export.bill': '/api/exports/bill/CONTRACT-1.csv',
    'export.returns': '/api/exports/returns.csv?status=open&area=jaipur',
    'export.return': `/api/exports/return/${CONTRACT_TICKET_NUMBER}.xlsx`,
  };
  it('covers every route of the permission table with the upload routes above', () => {
    expect(Object.keys(ROUTES).sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).filter((r) => !Object.hasOwn(ROUTE_MATRIX, r)).sort());
  });
  const rows = Object.entries(ROUTES).flatMap(([name, url]) => [...ALL, null].map((role) => [name, role, url] as const));
  it.each(rows)('%s as %s', async (name, role, url) => {
    const app = createApp(t.deps);
    const headers: Record<string, string> = role ? { cookie: await sessionCookieFor(t.deps, staff[role].id) } : {};
    const before = await worldState();
    const res = await app.request(url, { headers });
    if (role === null) expect(res.status).toBe(401);
    else if (!isRouteAllowed(name, role)) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { message: routeRefusalOf(name, staff[role])!.message, data: { appCode: 'FORBIDDEN' } } });
    } else {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z]+_[A-Za-z0-9_-]+_\d{8}-\d{4}\.(csv|xlsx)"$/);
      await res.arrayBuffer();
    }
    expect(await worldState()).toEqual(before);
  });
});

describe('malformed input over HTTP', () => {
  const LONG = 'Z'.repeat(10_000);
  const SQLI = "'; drop table bags; --";
  const XSS = '<script>alert(1)</script>';
  const NUL = '\u0000';
  const LONE = '\ud800';
  const LOW = '\udc00';
  const uuid = '7f1c1f0e-1c1a-4c1e-9c1e-1c1e1c1e1c1e';
  const m = (over: Record<string, unknown>) => ({ id: uuid, seq: 1, name: 'parent.scan', args: { code: 'SB90001' }, clientTime: new Date().toISOString(), ...over });
  type Case = [procedure: string, kind: 'mutation' | 'query', input: unknown, field: string];
  const cases: Case[] = [
    ['auth.login', 'mutation', {}, 'username'],
    ['auth.login', 'mutation', { username: 7, password: 'x' }, 'username'],
    ['auth.login', 'mutation', { username: LONG, password: 'x' }, 'username'],
    ['auth.login', 'mutation', { username: 'admin', password: LONG }, 'password'],
    ['bag.scanParent', 'mutation', {}, 'code'],
    ['bag.scanParent', 'mutation', { code: 12345 }, 'code'],
    ['bag.scanParent', 'mutation', { code: LONG }, 'code'],
    ['bag.scanParent', 'mutation', { code: SQLI }, 'code'],
    ['bag.scanParent', 'mutation', { code: XSS }, 'code'],
    ['bag.scanParent', 'mutation', { code: '' }, 'code'],
    ['bag.linkChild', 'mutation', { parentCode: 'SB90001' }, 'childCode'],
    ['bag.linkChild', 'mutation', { parentCode: SQLI, childCode: 'C1234' }, 'parentCode'],
    ['bag.linkChild', 'mutation', { parentCode: 'SB90001', childCode: XSS }, 'childCode'],
    ['bag.linkChild', 'mutation', { parentCode: 'SB90001', childCode: ['C1234'] }, 'childCode'],
    ['bag.linkChild', 'mutation', { parentCode: 'SB90001', childCode: LONG }, 'childCode'],
    ['bag.unlinkChild', 'mutation', { childCode: null }, 'childCode'],
    ['bag.unlinkChild', 'mutation', { childCode: SQLI }, 'childCode'],
    ['bag.delete', 'mutation', { code: { $gt: '' } }, 'code'],
    ['bag.get', 'query', { code: SQLI }, 'code'],
    ['bag.get', 'query', {}, 'code'],
    ['bag.get', 'query', { code: LONG }, 'code'],
    ['bag.list', 'query', { limit: 500 }, 'limit'],
    ['bag.list', 'query', { type: 'sack' }, 'type'],
    ['bag.list', 'query', { linked: 'yes' }, 'linked'],
    ['bag.list', 'query', { area: SQLI }, 'area'],
    ['bag.list', 'query', { scannedBy: XSS }, 'scannedBy'],
    ['bag.list', 'query', { from: 'last week' }, 'from'],
    ['bag.list', 'query', { cursor: LONG }, 'cursor'],
    ['bag.list', 'query', { code: 'ab' }, 'code'],
    ['bag.list', 'query', { code: '%25_' }, 'code'],
    ['bag.list', 'query', { code: 'SB1', codeMatch: 'suffix' }, 'codeMatch'],
    ['export.count', 'query', { kind: 'sacks', filter: {} }, 'kind'],
    ['export.count', 'query', { kind: 'users', filter: { days: 365 } }, 'filter.days'],
    ['report.endOfDay', 'query', { date: '2026-02-30' }, 'date'],
    ['label.reserve', 'mutation', { kind: 'parent', format: 'SB', count: 0 }, 'count'],
    ['label.reserve', 'mutation', { kind: 'child', prefix: 'A-B', firstNumber: 1, digits: 4, count: 2 }, 'prefix'],
    ['label.sheet', 'query', { id: -1 }, 'id'],
    ['device.register', 'mutation', { deviceId: 'not-a-uuid' }, 'deviceId'],
    ['device.register', 'mutation', { deviceId: uuid, label: LONG }, 'label'],
    ['device.report', 'mutation', { deviceId: uuid, outbox: { depth: -1, oldestAt: null } }, 'outbox.depth'],
    ['device.report', 'mutation', { deviceId: uuid, outbox: { depth: 1, oldestAt: 'yesterday' } }, 'outbox.oldestAt'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({})], outbox: { depth: 2.5, oldestAt: null } }, 'outbox.depth'],
    ['sync.pull', 'query', { deviceId: 'not-a-uuid' }, 'deviceId'],
    ['sync.push', 'mutation', { deviceId: uuid }, 'mutations'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [] }, 'mutations'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: Array.from({ length: 501 }, () => m({})) }, 'mutations'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({ id: 'x' })] }, 'mutations.0.id'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({ seq: 0 })] }, 'mutations.0.seq'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({ seq: 1.5 })] }, 'mutations.0.seq'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({ clientTime: LONG })] }, 'mutations.0.clientTime'],
    ['sync.push', 'mutation', { deviceId: uuid, mutations: [m({ name: LONG })] }, 'mutations.0.name'],
    ['sync.pull', 'query', { limit: 0 }, 'limit'],
    ['sync.pull', 'query', { cursor: LONG }, 'cursor'],
    // Text Postgres cannot store: NUL (text and jsonb refuse it) and unpaired UTF-16 surrogates.
    ['auth.login', 'mutation', { username: 'admin', password: `Str0ng!${NUL}Pass` }, 'password'],
    ['user.create', 'mutation', { username: 'nul_user', email: 'nul@example.test', password: `Str0ng!Pass${NUL}`, role: 'biller' }, 'password'],
    ['user.update', 'mutation', { id: 999_999, password: `Str0ng!Pass${LONE}` }, 'password'],
    ['user.list', 'query', { search: `adm${NUL}` }, 'search'],
    ['user.list', 'query', { search: `adm${LONE}` }, 'search'],
    ['bill.create', 'mutation', { billNumber: 'NUL-1', capacity: 2, description: `grain${NUL}` }, 'description'],
    ['bill.create', 'mutation', { billNumber: 'NUL-2', capacity: 2, destination: `Indore${LONE}` }, 'destination'],
    ['bill.create', 'mutation', { billNumber: 'NUL-3', capacity: 2, vehicleNumber: `UP32${NUL}AB` }, 'vehicleNumber'],
    ['bill.create', 'mutation', { billNumber: 'NUL-4', capacity: 2, description: `${LOW}x` }, 'description'],
    ['bill.update', 'mutation', { billNumber: 'CONTRACT-1', description: `note${NUL}` }, 'description'],
    ['bill.update', 'mutation', { billNumber: 'CONTRACT-1', destination: `far${LONE}` }, 'destination'],
    ['bill.update', 'mutation', { billNumber: 'CONTRACT-1', vehicleNumber: `${NUL}` }, 'vehicleNumber'],
    ['bill.list', 'query', { search: `CT${LONE}` }, 'search'],
    ['bill.list', 'query', { from: '0000-01-01T00:00:00Z' }, 'from'],
    ['bill.list', 'query', { to: '2024-01-01T00:00:00+23:00' }, 'to'],
    ['bag.list', 'query', { from: '0000-01-01T00:00:00Z' }, 'from'],
    ['bag.list', 'query', { to: '2024-01-01T00:00:00-16:00' }, 'to'],
    ['bag.list', 'query', { cursor: `x${NUL}` }, 'cursor'],
    ['bag.scanParent', 'mutation', { code: `SB9${LONE}0001` }, 'code'],
    ['device.register', 'mutation', { deviceId: uuid, label: `hand${NUL}held` }, 'label'],
    ['device.register', 'mutation', { deviceId: uuid, label: `hand${LONE}held` }, 'label'],
    ['sync.pull', 'query', { cursor: `${NUL}` }, 'cursor'],
    ['auth.login', 'mutation', { username: 'admin', password: 'x', code: 'abc' }, 'code'],
    ['auth.login', 'mutation', { username: 'admin', password: 'x', code: LONG }, 'code'],
    ['auth.requestPasswordReset', 'mutation', { login: '' }, 'login'],
    ['auth.requestPasswordReset', 'mutation', { login: LONG }, 'login'],
    ['auth.requestPasswordReset', 'mutation', { login: `adm${NUL}` }, 'login'],
    ['auth.resetPassword', 'mutation', { token: SQLI, newPassword: 'a-long-enough-passphrase' }, 'token'],
    ['auth.resetPassword', 'mutation', { token: 'x'.repeat(43), newPassword: 'short' }, 'newPassword'],
    ['account.changePassword', 'mutation', { currentPassword: 'whatever', newPassword: 'short' }, 'newPassword'],
    ['account.changePassword', 'mutation', { currentPassword: '', newPassword: 'a-long-enough-passphrase' }, 'currentPassword'],
    ['account.changePassword', 'mutation', { currentPassword: 'whatever', newPassword: 'x'.repeat(129) }, 'newPassword'],
    ['account.endSession', 'mutation', { sessionId: XSS }, 'sessionId'],
    ['account.twoFactor.confirm', 'mutation', { code: '12345' }, 'code'],
    ['account.twoFactor.confirm', 'mutation', { code: 123456 }, 'code'],
    ['account.twoFactor.disable', 'mutation', { password: 'whatever', code: XSS }, 'code'],
    ['user.issuePasswordReset', 'mutation', { userId: '1' }, 'userId'],
    ['user.deactivate', 'mutation', { userId: -3 }, 'userId'],
    ['user.endSessions', 'mutation', {}, 'userId'],
    ['user.resetTwoFactor', 'mutation', { userId: 1.5 }, 'userId'],
    ['user.create', 'mutation', { username: 'short_pw', password: 'elevenchars', role: 'biller' }, 'password'],
    ['user.list', 'query', { lastSignInFrom: 'yesterday' }, 'lastSignInFrom'],
    ['user.list', 'query', { isLocked: 'yes' }, 'isLocked'],
  ];
  let http: ReturnType<typeof trpcHttp>;
  beforeAll(async () => {
    const app = createApp(t.deps);
    http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, staff.admin.id));
  });

  it.each(cases)('%s (%s) with %j → 400 VALIDATION on %s, nothing changed', async (procedure, kind, input, field) => {
    const before = await worldState();
    const res = kind === 'mutation' ? await http.mutate(procedure, input) : await http.query(procedure, input);
    expect(res.status).toBe(400);
    expect(res.error?.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
    expect(await worldState()).toEqual(before);
  });

  it('answers a body that is not JSON, and an unknown procedure, with 4xx', async () => {
    const app = createApp(t.deps);
    const cookie = await sessionCookieFor(t.deps, staff.admin.id);
    const garbage = await app.request('/trpc/bag.scanParent', { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{"code":' });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    for (const path of ['bag.explode', 'constructor', '__proto__', 'bag.constructor', 'toString']) {
      const unknown = await app.request(`/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
      expect([path, unknown.status]).toEqual([path, 404]);
    }
  });

  it('refuses a queued mutation named after an object property on its own, as an unknown mutation', async () => {
    const deviceId = randomUUID();
    await http.mutate('device.register', { deviceId });
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    const before = await worldState();
    const res = await http.mutate('sync.push', { deviceId, mutations: names.map((name, i) => m({ id: randomUUID(), seq: i + 1, name })) });
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: { status: string; code: string; message: string }) => [r.status, r.code, r.message])).toEqual(
      names.map((name) => ['rejected', 'VALIDATION', `Unknown mutation "${name}".`]),
    );
    // Only their refusals are stored (so a replay finds them); nothing else changes.
    const after = await worldState();
    expect(after?.events).toBe((before?.events ?? 0) + names.length);
    expect({ ...after, events: 0 }).toEqual({ ...before, events: 0 });
  });
});

describe('data the database refuses', () => {
  // Inputs are checked by the shared schemas first; this is the net behind them for a field
  // someone forgets: Postgres data exceptions (SQLSTATE class 22) are the caller's bad input.
  const probe = router({
    cast: baseProcedure.input(z.object({ text: z.string(), type: z.enum(['text', 'jsonb', 'timestamptz']) })).mutation(async ({ ctx, input }) => {
      await sql`select ${input.type === 'jsonb' ? JSON.stringify(input.text) : input.text}::${sql.raw(input.type)}`.execute(ctx.deps.db);
      return 'stored';
    }),
  });
  const caller = () => createCallerFactory(probe)(createContextInner({ deps: t.deps }));

  it.each([
    ['NUL in text (22021)', { text: 'a\u0000b', type: 'text' }],
    ['NUL in jsonb (22P05)', { text: 'a\u0000b', type: 'jsonb' }],
    ['a year Postgres cannot store (22008)', { text: '0000-01-01T00:00:00Z', type: 'timestamptz' }],
    ['an offset Postgres cannot store (22009)', { text: '2024-01-01T00:00:00+23:00', type: 'timestamptz' }],
  ] as const)('%s is BAD_REQUEST / VALIDATION, never a 500', async (_name, input) => {
    expect(await refusal(caller().cast(input))).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
  });
});
