import { parseBagCode } from '@tracetrack/shared/codes';
import type { OutboxRow, OutcomeRow, ParentRow } from '../../local-db/db';

/*
 * The scan screen's judgement of one parent, as pure functions of the rows the device holds (no
 * Dexie here: parent-view.ts reads the rows), so the unit tier tests it without a browser.
 */

export type LineState = 'pending' | 'applied' | 'unchanged' | 'rejected';

export interface ScanLine {
  id: string;
  seq: number;
  kind: 'link' | 'unlink';
  childCode: string;
  state: LineState;
  message: string;
  /** Scanned by the signed-in user: only those can be undone here (a shared handheld). */
  isOwn: boolean;
  /** When it was scanned (device clock), for the newest-first order across users. */
  scannedAt: number;
}

export interface ParentView {
  code: string;
  capacity: number;
  /** Children the server confirmed, plus this user's links still waiting, minus their unlinks still waiting. */
  count: number;
  pendingCount: number;
  lines: ScanLine[];
}

export interface LocalParent {
  capacity: number;
  count: number;
  children: Set<string>;
  /** The user's waiting rows that change this parent, in seq order. */
  pending: OutboxRow[];
}

export const SHOWN_LINES = 8;

export const childOf = (args: Record<string, unknown>) => String(args.childCode ?? '').toUpperCase();
const parentOf = (args: Record<string, unknown>) => String(args.parentCode ?? '').toUpperCase();

export const isOutcomeForParent = (r: OutcomeRow, code: string) =>
  (r.name === 'child.link' && parentOf(r.args) === code) ||
  (r.name === 'child.unlink' && (r.data as { parent?: { code?: string } } | null)?.parent?.code === code);

/**
 * One parent as this device knows it: the server's last word (`base`, pulled or from a scan
 * outcome) plus the signed-in user's own waiting links and unlinks (`own`, in seq order). Other
 * users' waiting scans on a shared handheld are theirs to send, and are not counted.
 */
export function localParent(code: string, base: ParentRow | undefined, userId: number, own: readonly OutboxRow[]): LocalParent {
  const parsed = parseBagCode(code);
  const capacity = base?.capacity ?? (parsed.kind === 'parent' ? parsed.spec.maxChildren : 0);
  const children = new Set(base?.children ?? []);
  let count = base?.childCount ?? 0;
  const pending: OutboxRow[] = [];
  for (const r of own) {
    if (r.userId !== userId) continue;
    const child = childOf(r.args);
    if (r.name === 'child.link' && parentOf(r.args) === code) {
      if (!children.has(child)) {
        children.add(child);
        count += 1;
      }
      pending.push(r);
    } else if (r.name === 'child.unlink' && children.has(child)) {
      children.delete(child);
      count -= 1;
      pending.push(r);
    }
  }
  return { capacity, count: Math.max(0, count), children, pending };
}

/** The view: the user's waiting rows and the newest outcomes of this parent, newest first. */
export function buildParentView(code: string, parent: LocalParent, recent: readonly OutcomeRow[], userId: number): ParentView {
  const lines: ScanLine[] = parent.pending.map((r) => {
    const child = childOf(r.args);
    const isLink = r.name === 'child.link';
    return {
      id: r.id, seq: r.seq, kind: isLink ? 'link' : 'unlink', childCode: child, state: 'pending',
      message: isLink ? `${child} waiting to sync` : `Taking out ${child}`, isOwn: true, scannedAt: r.createdAt,
    };
  });
  for (const o of recent) {
    lines.push({
      id: o.id, seq: o.seq, kind: o.name === 'child.link' ? 'link' : 'unlink', childCode: childOf(o.args), state: o.status, message: o.message,
      isOwn: o.userId === userId, scannedAt: Date.parse(o.clientTime) || o.receivedAt,
    });
  }
  lines.sort((a, b) => b.scannedAt - a.scannedAt || b.seq - a.seq);
  return { code, capacity: parent.capacity, count: parent.count, pendingCount: parent.pending.length, lines: lines.slice(0, SHOWN_LINES) };
}

/** The child the operator would undo: their own newest link into this parent not refused or already undone. */
export function lastUndoableChild(view: ParentView): string | null {
  const undone = new Set<string>();
  for (const line of view.lines) {
    if (!line.isOwn) continue;
    if (line.kind === 'unlink' && line.state !== 'rejected') undone.add(line.childCode);
    if (line.kind === 'link' && (line.state === 'applied' || line.state === 'pending') && !undone.has(line.childCode)) return line.childCode;
  }
  return null;
}

/**
 * Where the user's own waiting scans put a child: a parent code, null when their last waiting scan
 * of it is an unlink, undefined when they have none (then the pulled parents say).
 */
export function queuedParentOf(childCode: string, own: readonly OutboxRow[]): string | null | undefined {
  let queuedIn: string | null | undefined;
  for (const r of own) {
    if (childOf(r.args) !== childCode) continue;
    if (r.name === 'child.link') queuedIn = parentOf(r.args);
    else if (r.name === 'child.unlink') queuedIn = null;
  }
  return queuedIn;
}

/**
 * What the server will most likely say to linking `childCode` into the parent, from what this
 * device knows: a sentence when it will be refused, null otherwise. `otherParent` is where the
 * device believes the child is (not this parent), or null.
 */
export function foreseeRefusal(parentCode: string, parent: LocalParent, childCode: string, otherParent: string | null): string | null {
  if (parent.children.has(childCode)) return null;
  if (otherParent) return `${childCode} is already in ${otherParent}: this scan will be refused unless ${childCode} is taken out of ${otherParent} first.`;
  if (parent.count >= parent.capacity) {
    return `Over capacity: ${parentCode} already holds ${parent.count} of ${parent.capacity}, so ${childCode} will be refused unless a child is taken out of ${parentCode} first.`;
  }
  return null;
}
