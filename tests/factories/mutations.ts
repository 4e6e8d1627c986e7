import { randomUUID } from 'node:crypto';
import type { Mutation, MutationArgs, MutationName } from '@tracetrack/shared';

/** Builds a device's queued mutations with increasing seq, as the PWA's outbox does. */
export function mutationQueue(startSeq = 1) {
  let seq = startSeq - 1;
  return {
    next<N extends MutationName>(name: N, args: MutationArgs<N>): Mutation {
      seq += 1;
      return { id: randomUUID(), seq, name, args, clientTime: new Date().toISOString() };
    },
    get lastSeq() {
      return seq;
    },
  };
}
