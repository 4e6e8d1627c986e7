import { AppError, DISPATCHER_UNLINK_WINDOW_MS } from '@tracetrack/shared';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/modules/actor';
import {
  applyBagCommand,
  type BatchBag,
  type BatchState,
  classifyCommand,
  codesOf,
} from '../../server/src/modules/bags/rules';
import type { BagCommand } from '../../server/src/modules/scans/commands';

const dispatcher: Actor = { id: 3, username: 'dee', role: 'dispatcher', area: 'hisar', pendingSetup: null };
const other: Actor = { id: 4, username: 'dora', role: 'dispatcher', area: 'hisar', pendingSetup: null };
const biller: Actor = { id: 2, username: 'bill', role: 'biller', area: null, pendingSetup: null };
const now = new Date('2024-05-01T10:00:00Z');
let nextId = 1;

/** A bag as the batch loads it: `exists: false` is a provisional row a scan may register. */
function bag(code: string, over: Partial<BatchBag> = {}): BatchBag {
  const isParent = /^(SB|M444)/.test(code);
  return {
    id: nextId++, code, type: isParent ? 'parent' : 'child', format: isParent ? code.slice(0, 2) : null, capacity: isParent ? (code.startsWith('SB') ? 30 : 15) : null,
    childCount: 0, area: 'hisar', isProvisional: false, exists: true, billNumber: null, billStatus: null, ...over,
  };
}

function stateWith(bags: BatchBag[], links: Record<string, { parentCode: string; linkedBy: number; linkedAt: Date } | null> = {}): BatchState {
  return {
    bags: new Map(bags.map((b) => [b.code, b])), links: new Map(Object.entries(links)), counters: [],
    areaNames: new Map([['hisar', 'Hisar'], ['sri_ganganagar', 'Sri Ganganagar']]),
  };
}

const run = (s: BatchState, actor: Actor, command: BagCommand, clientTime: Date | null = null) => {
  try {
    return applyBagCommand(s, actor, classifyCommand(command), { now, clientTime });
  } catch (e) {
    if (e instanceof AppError) return { refused: e.code, message: e.message };
    throw e;
  }
};

describe('scanning a parent', () => {
  it('registers a new parent in the dispatcher\'s area and counts it', () => {
    const s = stateWith([bag('SB00001', { exists: false, isProvisional: true, area: null })]);
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'SB00001' } })).toMatchObject({ status: 'applied', message: 'Registered SB00001 (0/30)' });
    expect(s.bags.get('SB00001')).toMatchObject({ exists: true, area: 'hisar' });
    expect(s.counters).toEqual([{ name: 'parents', scope: 'hisar', delta: 1 }]);
  });

  it('opens a known parent unchanged, and refuses a known child or a code of no parent format', () => {
    const s = stateWith([bag('SB00002', { childCount: 12 }), bag('C1234')]);
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'SB00002' } })).toMatchObject({ status: 'unchanged', message: 'SB00002 12/30' });
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'C1234' } })).toMatchObject({ refused: 'WRONG_BAG_TYPE' });
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'C9999' } })).toMatchObject({ refused: 'INVALID_CODE' });
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'SB-12345' } })).toMatchObject({ refused: 'INVALID_CODE' });
    expect(s.counters).toEqual([]);
  });
});

describe('linking a child', () => {
  it('links a new child, which takes the parent\'s area, and fills the parent', () => {
    const s = stateWith([bag('M444-00001', { childCount: 14, area: 'indore' }), bag('C0001', { exists: false, isProvisional: true })]);
    expect(run(s, biller, { name: 'child.link', args: { parentCode: 'M444-00001', childCode: 'C0001' } })).toMatchObject({ status: 'applied', message: 'C0001 → M444-00001 (15/15)' });
    expect(s.links.get('C0001')).toEqual({ parentCode: 'M444-00001', linkedBy: biller.id, linkedAt: now });
    expect(s.bags.get('C0001')?.area).toBe('indore');
    expect(s.counters).toEqual([
      { name: 'children', scope: 'indore', delta: 1 },
      { name: 'linked_children', scope: 'indore', delta: 1 },
      { name: 'parents_full', scope: 'indore', delta: 1 },
    ]);
  });

  it('answers a child already in this parent unchanged, and refuses one in another parent naming it', () => {
    const s = stateWith([bag('SB00001', { childCount: 1 }), bag('SB00002'), bag('C0001')], { C0001: { parentCode: 'SB00001', linkedBy: 3, linkedAt: now } });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00001', childCode: 'C0001' } })).toMatchObject({ status: 'unchanged' });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00002', childCode: 'C0001' } })).toEqual({
      refused: 'CHILD_IN_OTHER_PARENT', message: 'C0001 is already in SB00001. Unlink it there first.',
    });
  });

  it('refuses a full parent, a parent on a completed bill, an unknown parent and a parent code in the child slot', () => {
    const s = stateWith([bag('SB00001', { childCount: 30 }), bag('SB00003', { billNumber: 'B-1', billStatus: 'completed' }), bag('C0001'), bag('SB00004')]);
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00001', childCode: 'C0001' } })).toMatchObject({ refused: 'PARENT_FULL' });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00003', childCode: 'C0001' } })).toMatchObject({ refused: 'BILL_COMPLETED' });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00009', childCode: 'C0001' } })).toMatchObject({ refused: 'BAG_NOT_FOUND' });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00003', childCode: 'SB00004' } })).toMatchObject({ refused: 'WRONG_BAG_TYPE' });
    expect(s.links.size).toBe(0);
  });
});

describe('unlinking a child', () => {
  const linked = (by: number, minutesAgo: number) =>
    stateWith([bag('SB00001', { childCount: 1 }), bag('C0001')], { C0001: { parentCode: 'SB00001', linkedBy: by, linkedAt: new Date(now.getTime() - minutesAgo * 60_000) } });

  it('lets a dispatcher undo their own link within the hour, and nobody else\'s', () => {
    const s = linked(dispatcher.id, 59);
    expect(run(s, other, { name: 'child.unlink', args: { childCode: 'C0001' } })).toMatchObject({ refused: 'UNLINK_NOT_ALLOWED' });
    expect(run(s, dispatcher, { name: 'child.unlink', args: { childCode: 'C0001' } })).toMatchObject({ status: 'applied', message: 'C0001 removed from SB00001 (0/30)' });
    expect(s.links.get('C0001')).toBeNull();
  });

  it('judges a synced unlink by when it was scanned, never later than the server\'s now nor before the link', () => {
    const window = DISPATCHER_UNLINK_WINDOW_MS / 60_000;
    const scannedInTime = new Date(now.getTime() - 2 * 60_000);
    expect(run(linked(dispatcher.id, window + 1), dispatcher, { name: 'child.unlink', args: { childCode: 'C0001' } }, scannedInTime)).toMatchObject({ status: 'applied' });
    expect(run(linked(dispatcher.id, window + 1), dispatcher, { name: 'child.unlink', args: { childCode: 'C0001' } })).toMatchObject({ refused: 'UNLINK_NOT_ALLOWED' });
    const resetClock = new Date('1970-01-01T00:00:00Z');
    expect(run(linked(dispatcher.id, window + 1), dispatcher, { name: 'child.unlink', args: { childCode: 'C0001' } }, resetClock)).toMatchObject({ refused: 'UNLINK_NOT_ALLOWED' });
  });

  it('lets billers unlink any child, but not inside a completed bill; an unlinked child is CHILD_NOT_LINKED', () => {
    expect(run(linked(dispatcher.id, 500), biller, { name: 'child.unlink', args: { childCode: 'C0001' } })).toMatchObject({ status: 'applied' });
    const s = linked(dispatcher.id, 5);
    s.bags.get('SB00001')!.billStatus = 'completed';
    expect(run(s, biller, { name: 'child.unlink', args: { childCode: 'C0001' } })).toMatchObject({ refused: 'BILL_COMPLETED' });
    expect(run(stateWith([bag('C0002')]), biller, { name: 'child.unlink', args: { childCode: 'C0002' } })).toMatchObject({ refused: 'CHILD_NOT_LINKED' });
  });
});

describe('the codes a command touches', () => {
  it('registers only what the command may create and looks up the rest; unknown formats are left to the rules', () => {
    const codes = (command: BagCommand) => {
      const c = codesOf(classifyCommand(command));
      return { parents: c.parents.map((p) => p.code), children: c.children, lookups: c.lookups };
    };
    expect(codes({ name: 'parent.scan', args: { code: 'SB00001' } })).toEqual({ parents: ['SB00001'], children: [], lookups: [] });
    expect(codes({ name: 'parent.scan', args: { code: 'C0001' } })).toEqual({ parents: [], children: [], lookups: ['C0001'] });
    expect(codes({ name: 'child.link', args: { parentCode: 'SB00001', childCode: 'C0001' } })).toEqual({ parents: [], children: ['C0001'], lookups: ['SB00001'] });
    expect(codes({ name: 'child.unlink', args: { childCode: 'C0001' } })).toEqual({ parents: [], children: [], lookups: ['C0001'] });
    expect(codes({ name: 'child.link', args: { parentCode: 'SB-1', childCode: 'C0001' } })).toEqual({ parents: [], children: ['C0001'], lookups: [] });
  });
});

describe('the area rule', () => {
  it("refuses a dispatcher's link into another area's parent, naming the area, before anything else about the link", () => {
    const s = stateWith([bag('SB00011', { area: 'sri_ganganagar', childCount: 30 }), bag('C0011', { exists: false, isProvisional: true })]);
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00011', childCode: 'C0011' } })).toEqual({
      refused: 'PARENT_IN_OTHER_AREA',
      message: 'SB00011 belongs to Sri Ganganagar; dispatchers link and unlink only in parents of their own area (Hisar).',
    });
    expect(s.counters).toEqual([]);
    expect(s.bags.get('C0011')?.exists).toBe(false);
  });

  it("refuses a dispatcher's unlink from another area's parent, even of a child they linked a minute ago", () => {
    const s = stateWith([bag('SB00012', { area: 'sri_ganganagar', childCount: 1 }), bag('C0012', { area: 'sri_ganganagar' })], {
      C0012: { parentCode: 'SB00012', linkedBy: dispatcher.id, linkedAt: new Date(now.getTime() - 60_000) },
    });
    expect(run(s, dispatcher, { name: 'child.unlink', args: { childCode: 'C0012' } })).toMatchObject({ refused: 'PARENT_IN_OTHER_AREA' });
    expect(s.links.get('C0012')).not.toBeNull();
  });

  it('lets billers and admins scan into any area, and dispatchers into parents with no area', () => {
    const s = stateWith([bag('SB00013', { area: 'sri_ganganagar' }), bag('SB00014', { area: null }), bag('C0013', { exists: false, isProvisional: true }), bag('C0014', { exists: false, isProvisional: true })]);
    expect(run(s, biller, { name: 'child.link', args: { parentCode: 'SB00013', childCode: 'C0013' } })).toMatchObject({ status: 'applied' });
    expect(run(s, biller, { name: 'child.unlink', args: { childCode: 'C0013' } })).toMatchObject({ status: 'applied' });
    expect(run(s, dispatcher, { name: 'child.link', args: { parentCode: 'SB00014', childCode: 'C0014' } })).toMatchObject({ status: 'applied' });
  });

  it('lets a dispatcher open (scan) a parent of another area: looking is not scanning into it', () => {
    const s = stateWith([bag('SB00015', { area: 'sri_ganganagar', childCount: 3 })]);
    expect(run(s, dispatcher, { name: 'parent.scan', args: { code: 'SB00015' } })).toMatchObject({ status: 'unchanged', message: 'SB00015 3/30' });
  });
});
