import { randomUUID } from 'node:crypto';
import type { Mutation, MutationArgs, MutationName } from '@tracetrack/shared';

/** Builds a device's queued mutations with increasing seq, as the PWA's outbox does. */
export function mutationQueue(startSeq = 1) {
  let seq = startSeq - 1;
  return {
    /** `capturedAt` is the device's clock when the scan was taken (default: now). */
    next<N extends MutationName>(name: N, args: MutationArgs<N>, capturedAt = new Date()): Mutation {
      seq += 1;
      return { id: randomUUID(), seq, name, args, clientTime: capturedAt.toISOString() };
    },
    get lastSeq() {
      return seq;
    },
  };
}
