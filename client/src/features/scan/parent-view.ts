import { parseBagCode } from '@tracetrack/shared/codes';
import { localDb, type OutboxRow, type OutcomeRow } from '../../local-db/db';
import { pendingOf } from '../../local-db/outbox';

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

const RECENT_OUTCOMES = 300;
const SHOWN_LINES = 8;

const childOf = (args: Record<string, unknown>) => String(args.childCode ?? '').toUpperCase();
const parentOf = (args: Record<string, unknown>) => String(args.parentCode ?? '').toUpperCase();
const isForParent = (r: OutcomeRow, code: string) =>
  (r.name === 'child.link' && parentOf(r.args) === code) ||
  (r.name === 'child.unlink' && (r.data as { parent?: { code?: string } } | null)?.parent?.code === code);

interface LocalParent {
  capacity: number;
  count: number;
  children: Set<string>;
  /** The user's waiting rows that change this parent, in seq order. */
  pending: OutboxRow[];
}

/**
 * One parent as this device knows it: the server's last word (pulled or from a scan outcome) plus
 * the signed-in user's own waiting links and unlinks. Other users' waiting scans on a shared
 * handheld are theirs to send, and are not counted.
 */
async function localParent(code: string, userId: number, own: OutboxRow[]): Promise<LocalParent> {
  const base = await localDb.parents.get(code);
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

/** What the scan screen shows for one parent, from local data only, so it works offline. */
export async function loadParentView(code: string, userId: number): Promise<ParentView> {
  let scanned = 0;
  const [own, recent] = await Promise.all([
    pendingOf(userId).toArray(),
    // The newest few of this parent among the recent outcomes: read one by one and stop early,
    // since this runs again after every scan and every sync.
    localDb.outcomes.orderBy('receivedAt').reverse().until(() => ++scanned >= RECENT_OUTCOMES, true)
      .filter((o) => isForParent(o, code)).limit(SHOWN_LINES).toArray(),
  ]);
  const parent = await localParent(code, userId, own);
  const lines: ScanLine[] = parent.pending.map((r) => {
    const child = childOf(r.args);
    const isLink = r.name === 'child.link';
    return { id: r.id, seq: r.seq, kind: isLink ? 'link' : 'unlink', childCode: child, state: 'pending', message: isLink ? `${child} waiting to sync` : `Taking out ${child}`, isOwn: true, scannedAt: r.createdAt };
  });
  for (const o of recent) {
    lines.push({
      id: o.id, seq: o.seq, kind: o.name === 'child.link' ? 'link' : 'unlink', childCode: childOf(o.args), state: o.status, message: o.message, isOwn: o.userId === userId,
      scannedAt: Date.parse(o.clientTime) || o.receivedAt,
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

/** Where this device believes a child is, other than `parentCode`: the user's own waiting scans first, then pulled parents. */
async function otherParentOf(childCode: string, parentCode: string, own: OutboxRow[]): Promise<string | null> {
  let queuedIn: string | null | undefined;
  for (const r of own) {
    if (childOf(r.args) !== childCode) continue;
    if (r.name === 'child.link') queuedIn = parentOf(r.args);
    else if (r.name === 'child.unlink') queuedIn = null;
  }
  if (queuedIn !== undefined) return queuedIn === parentCode ? null : queuedIn;
  const pulled = await localDb.parents.filter((p) => p.code !== parentCode && p.children.includes(childCode)).first();
  return pulled?.code ?? null;
}

/**
 * What the server will most likely say to linking `childCode` into `parentCode`, judged from what
 * this device knows: a sentence when it will be refused, null otherwise. The scan is queued either
 * way (the server decides); this only warns at once instead of after the next sync.
 */
export async function foreseeLinkRefusal(userId: number, parentCode: string, childCode: string): Promise<string | null> {
  const own = await pendingOf(userId).toArray();
  const parent = await localParent(parentCode, userId, own);
  if (parent.children.has(childCode)) return null;
  const other = await otherParentOf(childCode, parentCode, own);
  if (other) return `${childCode} is already in ${other}: this scan will be refused unless ${childCode} is taken out of ${other} first.`;
  if (parent.count >= parent.capacity) {
    return `Over capacity: ${parentCode} already holds ${parent.count} of ${parent.capacity}, so ${childCode} will be refused unless a child is taken out of ${parentCode} first.`;
  }
  return null;
}
