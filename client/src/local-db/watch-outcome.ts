import { liveQuery } from 'dexie';
import { localDb, type OutcomeRow } from './db';

/**
 * Calls `onOutcome` once with a queued mutation's stored outcome, whenever it arrives (whichever
 * tab pushed it); the returned function stops watching. An outcome stored before the call counts.
 */
export function watchOutcome(id: string, onOutcome: (outcome: OutcomeRow) => void): () => void {
  let isDone = false;
  const subscription = liveQuery(() => localDb.outcomes.get(id)).subscribe({
    next: (o) => {
      if (!o || isDone) return;
      isDone = true;
      queueMicrotask(() => subscription.unsubscribe());
      onOutcome(o);
    },
    error: (e) => console.error('watching an outcome failed', e),
  });
  return () => {
    isDone = true;
    subscription.unsubscribe();
  };
}
