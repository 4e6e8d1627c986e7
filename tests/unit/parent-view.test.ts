import { describe, expect, it } from 'vitest';
import type { OutboxRow, OutcomeRow, ParentRow } from '../../client/src/local-db/db';
import {
  buildParentView,
  foreseeRefusal,
  lastUndoableChild,
  localParent,
  queuedParentOf,
} from '../../client/src/features/scan/parent-state';

const ME = 1;
const OTHER = 2;
let seq = 0;
const link = (userId: number, parentCode: string, childCode: string): OutboxRow => ({
  id: `o${++seq}`, seq, name: 'child.link', args: { parentCode, childCode }, clientTime: new Date(1_000 * seq).toISOString(), userId, createdAt: 1_000 * seq,
});
const unlink = (userId: number, childCode: string): OutboxRow => ({
  id: `o${++seq}`, seq, name: 'child.unlink', args: { childCode }, clientTime: new Date(1_000 * seq).toISOString(), userId, createdAt: 1_000 * seq,
});
const outcome = (userId: number, parentCode: string, childCode: string, status: OutcomeRow['status']): OutcomeRow => ({
  id: `r${++seq}`, seq, name: 'child.link', args: { parentCode, childCode }, status, code: status === 'rejected' ? 'PARENT_FULL' : null,
  message: `${childCode} ${status}`, data: null, clientTime: new Date(1_000 * seq).toISOString(), receivedAt: 1_000 * seq, userId,
});
const pulled = (code: string, children: string[], capacity = 30): ParentRow => ({
  code, format: 'SB', childCount: children.length, capacity, status: children.length >= capacity ? 'full' : 'filling', children, updatedAt: 0,
});

describe('parent view (pure)', () => {
  it('counts the server\'s children plus the signed-in user\'s waiting links and unlinks, not other users\'', () => {
    const own = [link(ME, 'SB00001', 'C0001'), link(OTHER, 'SB00001', 'C0002'), unlink(ME, 'K0001'), link(ME, 'SB00002', 'C0003')];
    const p = localParent('SB00001', pulled('SB00001', ['K0001', 'K0002']), ME, own);
    expect(p.count).toBe(2); // +C0001 −K0001; C0002 is the other user's, C0003 another parent's
    expect([...p.children].sort()).toEqual(['C0001', 'K0002']);
    expect(p.pending.map((r) => r.id)).toEqual([own[0]!.id, own[2]!.id]);
  });

  it('takes the capacity from the code\'s format when the device has never seen the parent', () => {
    expect(localParent('M444-00001', undefined, ME, []).capacity).toBe(15);
    expect(localParent('SB00009', undefined, ME, []).capacity).toBe(30);
  });

  it('lists lines newest first, at most eight, and offers undo only for the user\'s own last applied or waiting link', () => {
    const recent = [outcome(OTHER, 'SB00001', 'C1000', 'applied'), outcome(ME, 'SB00001', 'C1001', 'applied'), outcome(ME, 'SB00001', 'C1002', 'rejected')];
    const own = [link(ME, 'SB00001', 'C1003')];
    const view = buildParentView('SB00001', localParent('SB00001', pulled('SB00001', ['C1000', 'C1001']), ME, own), recent.slice().reverse(), ME);
    expect(view.lines.map((l) => l.childCode)).toEqual(['C1003', 'C1002', 'C1001', 'C1000']);
    expect(view.count).toBe(3);
    expect(view.pendingCount).toBe(1);
    expect(lastUndoableChild(view)).toBe('C1003');
    // Once the user's own link is undone (a waiting unlink), undo moves to their previous one, never the other user's.
    const withUndo = buildParentView('SB00001', localParent('SB00001', pulled('SB00001', ['C1000', 'C1001', 'C1003']), ME, [unlink(ME, 'C1003')]), recent, ME);
    expect(lastUndoableChild(withUndo)).toBe('C1001');
    const onlyOthers = buildParentView('SB00001', localParent('SB00001', pulled('SB00001', ['C1000']), ME, []), [recent[0]!], ME);
    expect(lastUndoableChild(onlyOthers)).toBeNull();
    const many = Array.from({ length: 12 }, (_, i) => outcome(ME, 'SB00001', `C2${String(i).padStart(3, '0')}`, 'applied'));
    expect(buildParentView('SB00001', localParent('SB00001', undefined, ME, []), many, ME).lines).toHaveLength(8);
  });

  it('foresees the refusals the server will give: over capacity, a child in another parent; not a child already here', () => {
    const full = localParent('SB00001', pulled('SB00001', Array.from({ length: 30 }, (_, i) => `F${String(i).padStart(4, '0')}`)), ME, []);
    expect(foreseeRefusal('SB00001', full, 'NEW0001', null)).toMatch(/^Over capacity: SB00001 already holds 30 of 30/);
    expect(foreseeRefusal('SB00001', full, 'F0001', null)).toBeNull();
    const open = localParent('SB00002', pulled('SB00002', []), ME, []);
    expect(foreseeRefusal('SB00002', open, 'K0001', 'SB00003')).toMatch(/already in SB00003/);
    expect(foreseeRefusal('SB00002', open, 'K0001', null)).toBeNull();
  });

  it('knows where the user\'s own waiting scans put a child', () => {
    expect(queuedParentOf('K0001', [])).toBeUndefined();
    expect(queuedParentOf('K0001', [link(ME, 'SB00001', 'K0001')])).toBe('SB00001');
    expect(queuedParentOf('K0001', [link(ME, 'SB00001', 'K0001'), unlink(ME, 'K0001')])).toBeNull();
  });
});
