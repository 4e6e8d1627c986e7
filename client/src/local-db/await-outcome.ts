import { liveQuery } from 'dexie';
import { localDb, type OutcomeRow } from './db';

/** Resolves with a queued mutation's stored outcome, or null if none arrived in time (still queued). */
export function awaitOutcome(id: string, timeoutMs: number): Promise<OutcomeRow | null> {
  return new Promise((resolve) => {
    let isDone = false;
    const finish = (v: OutcomeRow | null) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      queueMicrotask(() => subscription.unsubscribe());
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const subscription = liveQuery(() => localDb.outcomes.get(id)).subscribe({ next: (o) => o && finish(o), error: () => finish(null) });
  });
}
