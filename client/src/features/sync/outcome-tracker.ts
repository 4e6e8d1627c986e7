import type { AppErrorCode, MutationName } from '@tracetrack/shared';
import { createSignal, onCleanup, untrack } from 'solid-js';
import type { OutboxRow, OutcomeRow } from '../../local-db/db';
import { watchOutcome } from '../../local-db/watch-outcome';
import { syncEngine } from '../../local-db/sync-engine';
import { dismissRefusal } from './inbox';

/** A write put in the outbox, or why it could not be (nobody signed in). */
export type QueueResult = { ok: true; row: OutboxRow } | { ok: false; message: string };

export type TrackedState = 'saved' | 'applied' | 'unchanged' | 'rejected';

export interface TrackedWrite {
  id: string;
  name: MutationName | null;
  /** What it is about, e.g. the parent code added. */
  subject: string;
  state: TrackedState;
  message: string;
  code: AppErrorCode | null;
}

const SHOWN = 12;

/** "Saved on this device" and what happens next, for a write just put in the outbox. */
export function savedMessage(what: string): string {
  const when = syncEngine.status().isOnline ? 'sending now' : 'it is sent when the connection returns';
  return `Saved on this device: ${what}; ${when}.`;
}

/**
 * Follows the writes a screen queued: each shows "Saved on this device" at once and then the
 * server's outcome when it arrives, however long that takes. A refusal shown here is taken out of
 * the inbox (as if the person pressed "Dealt with" there): they saw it where they made it. A write
 * whose screen was left before its outcome arrived keeps its refusal in the inbox, so none is lost.
 */
export function createOutcomeTracker(onOutcome?: (outcome: OutcomeRow) => void) {
  const [items, setItems] = createSignal<TrackedWrite[]>([]);
  const stops = new Map<string, () => void>();
  onCleanup(() => {
    for (const stop of stops.values()) stop();
    stops.clear();
  });

  const push = (t: TrackedWrite) => setItems((list) => [t, ...list].slice(0, SHOWN));

  /** Shows a queued write as saved and follows it to its outcome (once: a second call is ignored). */
  function track(row: OutboxRow, subject: string, message: string) {
    if (stops.has(row.id) || untrack(items).some((t) => t.id === row.id)) return;
    push({ id: row.id, name: row.name, subject, state: 'saved', message, code: null });
    stops.set(row.id, watchOutcome(row.id, (o) => {
      stops.delete(row.id);
      if (o.status === 'rejected') void dismissRefusal(o.id);
      setItems((list) => list.map((t) => (t.id === o.id ? { ...t, state: o.status, message: o.message, code: o.code } : t)));
      onOutcome?.(o);
    }));
  }

  /** A write this device refused before queuing it (nobody signed in, a code that is no code). */
  function refuse(subject: string, message: string) {
    push({ id: crypto.randomUUID(), name: null, subject, state: 'rejected', message, code: null });
  }

  /** Whether a write of this kind about this subject is still waiting for the server. */
  const isWaiting = (name: MutationName, subject: string) => items().some((t) => t.name === name && t.subject === subject && t.state === 'saved');

  return { items, latest: () => items()[0] ?? null, track, refuse, isWaiting };
}

export type OutcomeTracker = ReturnType<typeof createOutcomeTracker>;

/** Follows a write just queued, or shows why it could not be queued. */
export function trackQueued(tracker: OutcomeTracker, queued: QueueResult, subject: string, what: string) {
  if (queued.ok) tracker.track(queued.row, subject, savedMessage(what));
  else tracker.refuse(subject, queued.message);
}
