import type { MAX_REQUEST_BODY_BYTES, Mutation } from '@tracetrack/shared';

// The server's body limit, checked against shared/ by type: importing the value would pull zod
// (the schemas live beside it) into the handheld's bundle.
const MAX_BODY_BYTES: typeof MAX_REQUEST_BODY_BYTES = 1_048_576;
/** Room for the envelope and for another call tRPC may batch into the same request. */
const PUSH_BUDGET_BYTES = MAX_BODY_BYTES - 64 * 1024;

const encoder = new TextEncoder();
const sizeOf = (m: Mutation) => encoder.encode(JSON.stringify(m)).length + 1;

export const toPushMutation = (r: Mutation): Mutation => ({ id: r.id, seq: r.seq, name: r.name, args: r.args, clientTime: r.clientTime });

/**
 * The oldest rows that fit in one request under the server's body limit, so a big backlog
 * (long bill descriptions, a week offline) never earns a 413 that would be retried forever.
 * A row that cannot fit even alone is `unsendable`: the caller refuses it locally, in the inbox.
 */
export function fitPushBody<T extends Mutation>(rows: T[]): { batch: T[]; unsendable: T | null } {
  const first = rows[0];
  if (first && sizeOf(toPushMutation(first)) > PUSH_BUDGET_BYTES) return { batch: [], unsendable: first };
  let total = 0;
  const batch: T[] = [];
  for (const row of rows) {
    total += sizeOf(toPushMutation(row));
    if (total > PUSH_BUDGET_BYTES) break;
    batch.push(row);
  }
  return { batch, unsendable: null };
}
