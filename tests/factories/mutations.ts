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

/**
 * A handheld's busy shift: `parents` SB parents (`SB<prefix>000`…), then `links` children spread
 * over them round-robin (`<childPrefix>0`…), all in one queue.
 */
export function fillingWorkload(queue: ReturnType<typeof mutationQueue>, opts: { prefix: string; parents: number; links: number; childPrefix: string }): Mutation[] {
  const parentCode = (p: number) => `SB${opts.prefix}${String(p).padStart(3, '0')}`;
  const mutations = Array.from({ length: opts.parents }, (_, p) => queue.next('parent.scan', { code: parentCode(p) }));
  for (let i = 0; i < opts.links; i++) mutations.push(queue.next('child.link', { parentCode: parentCode(i % opts.parents), childCode: `${opts.childPrefix}${i}` }));
  return mutations;
}
