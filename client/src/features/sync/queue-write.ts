import type { MutationArgs, MutationName } from '@tracetrack/shared';
import { enqueueMutation } from '../../local-db/outbox';
import { syncEngine } from '../../local-db/sync-engine';
import { currentUser } from '../auth/session';
import type { QueueResult } from './outcome-tracker';

/**
 * A write that goes through the outbox like every scan: stored on the device for the signed-in
 * user, then sent by the sync engine (at once when online). The caller shows it as saved and
 * follows its outcome (outcome-tracker.ts).
 */
export async function queueWrite<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<QueueResult> {
  const user = currentUser();
  if (!user) return { ok: false, message: 'Sign in first.' };
  const row = await enqueueMutation(user.id, name, args);
  syncEngine.kick();
  return { ok: true, row };
}
