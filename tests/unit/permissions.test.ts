import {
  isAllowed,
  isAllowedDuringSetup,
  listAreaOf,
  MUTATION_NAMES,
  MUTATION_PROCEDURES,
  PROCEDURE_PERMISSIONS,
  isRouteAllowed,
  refusalOf,
  type Role,
  ROUTE_PERMISSIONS,
  routeRefusalOf,
  unlistedNames,
} from '@tracetrack/shared';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../server/src/deps';
import { createContextInner } from '../../server/src/trpc/context';
import { createCallerFactory, router } from '../../server/src/trpc/init';
import { authedProcedure, publicProcedure } from '../../server/src/trpc/procedures';
import { appRouter } from '../../server/src/trpc/router';

const procedureNames = (r: { _def: { procedures: object } }) => Object.keys(r._def.procedures);
const ALL: Role[] = ['admin', 'biller', 'dispatcher'];
const OWN_ACCOUNT = [
  'account.changePassword', 'account.sessions', 'account.endSession', 'account.endOtherSessions', 'account.twoFactor.begin',
  'account.twoFactor.confirm', 'account.twoFactor.disable',
];

describe('the permission table', () => {
  it('has a row for every procedure of the router and every sync mutation', () => {
    expect(unlistedNames(procedureNames(appRouter), MUTATION_NAMES)).toEqual([]);
  });

  it('lists nothing the router or sync does not have', () => {
    expect(Object.keys(PROCEDURE_PERMISSIONS).sort()).toEqual(procedureNames(appRouter).sort());
    expect(Object.keys(MUTATION_PROCEDURES).sort()).toEqual([...MUTATION_NAMES].sort());
  });

  it('fails the check for a procedure or a mutation added without a row, and refuses that procedure to everyone', async () => {
    const grown = router({ ...appRouter._def.record, extra: router({ fake: authedProcedure.query(() => 'ran') }) });
    expect(unlistedNames(procedureNames(grown), [...MUTATION_NAMES, 'bag.explode'])).toEqual(['extra.fake', 'mutation bag.explode']);

    const caller = createCallerFactory(grown)(createContextInner({ deps: {} as Deps, actor: { id: 1, username: 'root', role: 'admin', area: null, pendingSetup: null } }));
    const error = await caller.extra.fake().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('says what the role matrix of the product says', () => {
    const whoMay = (name: string) => ALL.filter((role) => isAllowed(name, role));
    const everyone = ['bag.scanParent', 'bag.linkChild', 'bag.unlinkChild', 'bag.get', 'bag.list', 'bill.get', 'bill.list', 'stats.dashboard', 'device.register', 'sync.push', 'sync.pull'];
    const staff = [
      'bill.create', 'bill.update', 'bill.addParent', 'bill.removeParent', 'bill.complete', 'bill.reopen',
      'return.create', 'return.scan', 'return.update', 'return.finalize', 'return.cancel', 'return.get', 'return.list',
    ];
    const admins = [
      'user.create', 'user.list', 'user.update', 'user.issuePasswordReset', 'user.endSessions', 'user.resetTwoFactor', 'user.deactivate',
      'bag.delete', 'bag.setArea', 'bill.delete', 'device.list', 'promotion.list', 'promotion.decide',
      'audit.list', 'export.count', 'report.endOfDay', 'label.reserve', 'label.list', 'label.sheet', 'import.list', 'import.get', 'import.commit', 'import.resume',
    ];
    for (const name of everyone) expect([name, whoMay(name)]).toEqual([name, ALL]);
    for (const name of staff) expect([name, whoMay(name)]).toEqual([name, ['admin', 'biller']]);
    for (const name of admins) expect([name, whoMay(name)]).toEqual([name, ['admin']]);
    for (const name of ['auth.login', 'auth.logout', 'auth.me', 'auth.requestPasswordReset', 'auth.resetPassword']) expect(refusalOf(name, null)).toBeNull();
    for (const name of OWN_ACCOUNT) expect([name, whoMay(name)]).toEqual([name, ALL]);
    expect(whoMay('promotion.request')).toEqual(['biller', 'dispatcher']);
    expect(whoMay('promotion.mine')).toEqual(ALL);
    // Exports are admins' (the role matrix of the product): every download route but a return
    // ticket's, which the billers who scan it export from its page (issue 13).
    const staffRoutes = ['export.returns', 'export.return'];
    for (const route of Object.keys(ROUTE_PERMISSIONS)) {
      expect([route, ALL.filter((role) => isRouteAllowed(route, role))]).toEqual([route, staffRoutes.includes(route) ? ['admin', 'biller'] : ['admin']]);
    }
  });

  it('refuses a route the table does not list to everyone, and anonymous callers with the sign-in sentence', () => {
    expect(routeRefusalOf('export.sacks', { role: 'admin' })).toMatchObject({ code: 'INTERNAL' });
    expect(routeRefusalOf('constructor', { role: 'admin' })).toMatchObject({ code: 'INTERNAL' });
    expect(routeRefusalOf('export.bags', null)).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Sign in to continue.' });
    expect(routeRefusalOf('export.bags', { role: 'biller' })).toMatchObject({ code: 'FORBIDDEN', message: 'Only admins can do this.' });
    expect(routeRefusalOf('export.bags', { role: 'admin', pendingSetup: 'twoFactorEnrolment' })).toMatchObject({ code: 'TWO_FACTOR_ENROLMENT_REQUIRED' });
  });

  it('lets a user whose setup is pending use only auth.* and account.*, with the sentence of what is pending', () => {
    const names = Object.keys(PROCEDURE_PERMISSIONS);
    const duringSetup = names.filter(isAllowedDuringSetup).sort();
    expect(duringSetup).toEqual(names.filter((n) => n.startsWith('auth.') || n.startsWith('account.')).sort());
    expect(duringSetup).toEqual(expect.arrayContaining(OWN_ACCOUNT));
    const changing = { role: 'dispatcher' as const, pendingSetup: 'passwordChange' as const };
    expect(refusalOf('bag.list', changing)).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED', message: 'Choose a new password first: yours was set by an administrator.' });
    expect(refusalOf('account.changePassword', changing)).toBeNull();
    const enrolling = { role: 'admin' as const, pendingSetup: 'twoFactorEnrolment' as const };
    expect(refusalOf('user.list', enrolling)).toMatchObject({ code: 'TWO_FACTOR_ENROLMENT_REQUIRED' });
    expect(refusalOf('account.twoFactor.begin', enrolling)).toBeNull();
    expect(refusalOf('auth.me', enrolling)).toBeNull();
    // The queued form of a procedure is gated the same way (sync.push itself is refused first).
    expect(refusalOf(MUTATION_PROCEDURES['parent.scan'], changing)?.code).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('gives each queued mutation the gate of the procedure it stands for', () => {
    expect(MUTATION_PROCEDURES).toEqual({
      'parent.scan': 'bag.scanParent',
      'child.link': 'bag.linkChild',
      'child.unlink': 'bag.unlinkChild',
      'bill.create': 'bill.create',
      'bill.addParent': 'bill.addParent',
      'bill.removeParent': 'bill.removeParent',
      'bill.complete': 'bill.complete',
      'return.create': 'return.create',
      'return.scan': 'return.scan',
      'return.finalize': 'return.finalize',
      'return.cancel': 'return.cancel',
    });
  });

  it('refuses with one plain sentence per rule', () => {
    expect(refusalOf('bill.create', { role: 'dispatcher' })).toMatchObject({ code: 'FORBIDDEN', message: 'Only billers and admins can do this.' });
    expect(refusalOf('user.list', { role: 'biller' })).toMatchObject({ code: 'FORBIDDEN', message: 'Only admins can do this.' });
    expect(refusalOf('bag.list', null)).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Sign in to continue.' });
    expect(refusalOf('bag.list', { role: 'dispatcher' })).toBeNull();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', ''])('knows no procedure called %j', (name) => {
    expect(refusalOf(name, { role: 'admin' })).toMatchObject({ code: 'INTERNAL' });
    expect(isAllowed(name, 'admin')).toBe(false);
    expect(unlistedNames([name], [name])).toEqual([name, `mutation ${name}`]);
  });

  it('limits a dispatcher\'s lists to their own area and nobody else\'s', () => {
    expect(listAreaOf({ role: 'dispatcher', area: 'hisar' })).toBe('hisar');
    expect(listAreaOf({ role: 'biller', area: null })).toBeNull();
    expect(listAreaOf({ role: 'admin', area: null })).toBeNull();
  });
});

describe('the procedure builders', () => {
  const probe = router({ auth: router({ me: publicProcedure.query(({ ctx }) => ctx.actor?.username ?? null) }) });
  it('let anyone call a public row, signed in or not', async () => {
    const caller = (actor: Parameters<typeof createContextInner>[0]['actor']) => createCallerFactory(probe)(createContextInner({ deps: {} as Deps, actor }));
    expect(await caller(null).auth.me()).toBeNull();
    expect(await caller({ id: 2, username: 'dee', role: 'dispatcher', area: 'hisar', pendingSetup: null }).auth.me()).toBe('dee');
  });
});
