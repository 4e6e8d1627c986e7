import { AppError, type Mutation, type OutboxReport, type MutationResult, type SyncPushInput, type SyncPushOutput } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { inTransaction, isUniqueViolation, pgCodeOf, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { deviceOfOtherUser } from '../devices/service';
import { findDeviceForPush, recordPush, replaceSeqGaps, type SeqGapRow } from '../devices/queries';
import { type ReadMutation, readMutation, storedFormOf } from '../scans/commands';
import { applyScanBatch } from '../scans/service';
import type { ScanItem, ScanOutcome } from '../scans/types';
import { toScanWork } from '../scans/work';
import { canonicalJson } from './canonical-json';
import { findStoredSeqsIn, withDeviceLock } from './queries';
import { planSeqGaps, type SeqPlan } from './seq-gaps';

type StoredEvent = NonNullable<Awaited<ReturnType<typeof findDeviceForPush>>>['storedEvents'][number];

/** How long a second push from the same device waits for the first before a retryable CONFLICT. */
const DEVICE_LOCK_WAIT_MS = 10_000;
/** Mutations per transaction: large enough to amortise commits, small enough to keep locks short. */
const CHUNK_SIZE = 200;

/** The same scan sent again: same device, seq, name and (parsed) args as the one stored under its id. */
function isSameMutation(stored: StoredEvent, deviceId: string, m: Mutation, read: ReadMutation): boolean {
  const form = storedFormOf(read);
  return stored.device_id === deviceId && stored.seq === m.seq && stored.name === form.name && canonicalJson(stored.args) === canonicalJson(form.args);
}

function storedResult(stored: StoredEvent, id: string): MutationResult {
  return {
    id,
    status: stored.status,
    ...(stored.error_code ? { code: stored.error_code as MutationResult['code'] } : {}),
    message: stored.message,
    replay: true,
    ...(stored.result ? { data: stored.result } : {}),
  };
}

function freshResult(id: string, outcome: ScanOutcome): MutationResult {
  return {
    id,
    status: outcome.status,
    ...(outcome.code ? { code: outcome.code } : {}),
    message: outcome.message,
    replay: false,
    ...(outcome.data ? { data: outcome.data } : {}),
  };
}

function idReused(id: string): MutationResult {
  return {
    id, status: 'rejected', code: 'ID_REUSED', replay: false,
    message: 'This mutation id was already used for a different scan; the device must give each scan a new id.',
  };
}

type PushDeps = Pick<Deps, 'db' | 'clock' | 'logger' | 'config' | 'live'> & Partial<Pick<Deps, 'metrics'>>;

/**
 * Applies a device's queued mutations exactly once each, in seq order. Each mutation's effect and
 * stored outcome commit in one transaction; a replayed id returns the stored outcome; a refusal is
 * a final, stored outcome so the queue never jams; only infrastructure failures fail the call.
 */
export async function pushMutations(
  deps: PushDeps,
  actor: Actor,
  meta: RequestMeta,
  input: SyncPushInput,
): Promise<SyncPushOutput> {
  try {
    const output = await withDeviceLock(deps.db, input.deviceId, DEVICE_LOCK_WAIT_MS, (conn) => pushLocked({ ...deps, db: conn as Deps['db'] }, actor, meta, input));
    deps.live.publish(['devices']);
    return output;
  } catch (e) {
    if (pgCodeOf(e) === '55P03') throw new AppError('PUSH_IN_PROGRESS', 'This device is already syncing; retry in a moment.');
    // Another device stored the same mutation id at the same moment: the resend finds it and is
    // answered ID_REUSED (or as a replay).
    if (isUniqueViolation(e, 'scan_events_mutation_unique')) {
      throw new AppError('TRANSIENT', 'A scan with the same id was being saved by another push; send again.');
    }
    throw e;
  }
}

async function pushLocked(deps: PushDeps, actor: Actor, meta: RequestMeta, input: SyncPushInput): Promise<SyncPushOutput> {
  const device = await findDeviceForPush(deps.db, input.deviceId, input.mutations.map((m) => m.id));
  if (!device) throw new AppError('DEVICE_NOT_REGISTERED', 'Register this device (device.register) before syncing.');
  if (device.user_id !== actor.id) throw deviceOfOtherUser(device.owner_username);

  const stored = new Map(device.storedEvents.map((e) => [e.mutation_id, e]));
  const results = new Map<string, MutationResult>();
  const reads = new Map(input.mutations.map((m) => [m, readMutation(m)]));
  const readOf = (m: Mutation) => reads.get(m)!;
  const ordered = [...input.mutations].sort((a, b) => a.seq - b.seq);

  // Read under the device lock, written with the last chunk: no other push of this device runs
  // in between, so the plan is still true when it commits. A seq counts as received when it is in
  // this push or already stored; the stored ones are only looked up where a gap would be (a normal
  // push is contiguous and the device has no open gap).
  const openGaps = device.openGaps;
  const seqs = ordered.map((m) => m.seq);
  let seqPlan = planSeqGaps(device.last_seq, seqs, openGaps);
  if (seqPlan.newGaps.length > 0 || openGaps.length > 0) {
    const above = { fromSeq: device.last_seq + 1, toSeq: Number.MAX_SAFE_INTEGER };
    seqPlan = planSeqGaps(device.last_seq, [...seqs, ...(await findStoredSeqsIn(deps.db, input.deviceId, [...openGaps, above]))], openGaps);
  }

  const pending: Mutation[] = [];
  const pendingIds = new Set<string>();
  for (const m of ordered) {
    const prior = stored.get(m.id);
    if (prior) results.set(m.id, isSameMutation(prior, input.deviceId, m, readOf(m)) ? storedResult(prior, m.id) : idReused(m.id));
    // The same id twice in one batch is answered from its first occurrence below.
    else if (!pendingIds.has(m.id)) {
      pending.push(m);
      pendingIds.add(m.id);
    }
  }
  // The device's progress (last seq, gaps) commits with the last chunk: one commit (one WAL flush)
  // less per push. A push that fails before it leaves the committed chunks' seqs above last_seq,
  // where the next push finds them.
  const record = (tx: Tx) => recordProgress(tx, input.deviceId, seqPlan, deps.clock(), input.outbox);
  for (let i = 0; i < pending.length; i += CHUNK_SIZE) {
    const chunk = pending.slice(i, i + CHUNK_SIZE);
    const items: ScanItem[] = chunk.map((m) => {
      const read = readOf(m);
      const { name, args } = storedFormOf(read);
      return {
        envelope: { mutationId: m.id, deviceId: input.deviceId, seq: m.seq, clientTime: read.clientTime, name, args },
        work: toScanWork(actor, read),
      };
    });
    const isLast = i + CHUNK_SIZE >= pending.length;
    const outcomes = await applyScanBatch(deps, actor, meta, items, isLast ? record : undefined);
    chunk.forEach((m, k) => results.set(m.id, freshResult(m.id, outcomes[k]!)));
  }
  if (pending.length === 0) await inTransaction(deps.db, record);

  // Results follow the request's order; a repeated id answers like its first occurrence.
  const firstIndexOf = new Map<string, number>();
  input.mutations.forEach((m, i) => {
    if (!firstIndexOf.has(m.id)) firstIndexOf.set(m.id, i);
  });
  const out = input.mutations.map((m, i) => {
    const r = results.get(m.id)!;
    const firstIndex = firstIndexOf.get(m.id)!;
    if (firstIndex === i) return r;
    const first = input.mutations[firstIndex]!;
    const [a, b] = [storedFormOf(readOf(first)), storedFormOf(readOf(m))];
    return first.seq === m.seq && a.name === b.name && canonicalJson(a.args) === canonicalJson(b.args) ? { ...r, replay: true } : idReused(m.id);
  });
  // Counted once committed: a push that failed part-way is counted by the resend that finishes it.
  deps.metrics?.countPush(out);
  deps.metrics?.countSeqGaps(seqPlan.newGaps.length, seqPlan.splits.reduce((n, s) => n + s.pieces.filter((p) => p.isFilled).length, 0));
  return { results: out, ackedThroughSeq: seqPlan.ackedThroughSeq };
}

/**
 * Last seq and push count, new gaps, and open gaps this push filled (split into their filled and
 * still-missing pieces). A gap is recorded for supervisors; it never blocks the mutations behind it.
 */
async function recordProgress(tx: Tx, deviceId: string, plan: SeqPlan, now: Date, outbox: OutboxReport | undefined) {
  await recordPush(tx, deviceId, plan.lastSeq, now, outbox);
  const rows: SeqGapRow[] = plan.newGaps.map((g) => ({ ...g, detectedAt: now, filledAt: null }));
  for (const { gap, pieces } of plan.splits) {
    for (const p of pieces) rows.push({ fromSeq: p.fromSeq, toSeq: p.toSeq, detectedAt: gap.detectedAt, filledAt: p.isFilled ? now : null });
  }
  await replaceSeqGaps(tx, deviceId, plan.splits.map((s) => s.gap.id), rows);
}
