import { parseBagCode } from '@tracetrack/shared/codes';
import { localDb, type OutboxRow, type OutcomeRow } from '../../local-db/db';

export type LineState = 'pending' | 'applied' | 'unchanged' | 'rejected';

export interface ScanLine {
  id: string;
  seq: number;
  kind: 'link' | 'unlink';
  childCode: string;
  state: LineState;
  message: string;
}

export interface ParentView {
  code: string;
  capacity: number;
  /** Children the server confirmed, plus links still waiting, minus unlinks still waiting. */
  count: number;
  pendingCount: number;
  lines: ScanLine[];
}

const RECENT_OUTCOMES = 300;
const SHOWN_LINES = 8;

const childOf = (args: Record<string, unknown>) => String(args.childCode ?? '').toUpperCase();
const isForParent = (r: OutboxRow | OutcomeRow, code: string) =>
  (r.name === 'child.link' && String(r.args.parentCode ?? '').toUpperCase() === code) ||
  (r.name === 'child.unlink' && (r as OutcomeRow).data != null && ((r as OutcomeRow).data as { parent?: { code?: string } }).parent?.code === code);

/** What the scan screen shows for one parent, from local data only, so it works offline. */
export async function loadParentView(code: string, currentChildren?: Set<string>): Promise<ParentView> {
  const [base, pending, recent] = await Promise.all([
    localDb.parents.get(code),
    localDb.outbox.orderBy('seq').toArray(),
    localDb.outcomes.orderBy('receivedAt').reverse().limit(RECENT_OUTCOMES).toArray(),
  ]);
  const parsed = parseBagCode(code);
  const capacity = base?.capacity ?? (parsed.kind === 'parent' ? parsed.spec.maxChildren : 0);
  const children = new Set(base?.children ?? currentChildren ?? []);
  let count = base?.childCount ?? 0;
  const lines: ScanLine[] = [];
  let pendingCount = 0;

  for (const r of pending) {
    if (r.name === 'child.link' && String(r.args.parentCode ?? '').toUpperCase() === code) {
      const child = childOf(r.args);
      if (!children.has(child)) {
        children.add(child);
        count += 1;
      }
      pendingCount += 1;
      lines.push({ id: r.id, seq: r.seq, kind: 'link', childCode: child, state: 'pending', message: `${child} waiting to sync` });
    } else if (r.name === 'child.unlink' && children.has(childOf(r.args))) {
      const child = childOf(r.args);
      children.delete(child);
      count -= 1;
      pendingCount += 1;
      lines.push({ id: r.id, seq: r.seq, kind: 'unlink', childCode: child, state: 'pending', message: `Removing ${child}` });
    }
  }
  for (const o of recent) {
    if (!isForParent(o, code)) continue;
    lines.push({ id: o.id, seq: o.seq, kind: o.name === 'child.link' ? 'link' : 'unlink', childCode: childOf(o.args), state: o.status, message: o.message });
  }
  lines.sort((a, b) => b.seq - a.seq);
  return { code, capacity, count: Math.max(0, Math.min(count, capacity)), pendingCount, lines: lines.slice(0, SHOWN_LINES) };
}

/** The child the operator would undo: the newest link into this parent not refused or already undone. */
export function lastUndoableChild(view: ParentView): string | null {
  const undone = new Set<string>();
  for (const line of view.lines) {
    if (line.kind === 'unlink' && line.state !== 'rejected') undone.add(line.childCode);
    if (line.kind === 'link' && (line.state === 'applied' || line.state === 'pending') && !undone.has(line.childCode)) return line.childCode;
  }
  return null;
}
