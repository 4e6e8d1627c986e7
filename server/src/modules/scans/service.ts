import { randomUUID } from 'node:crypto';
import { AppError, isFinalRefusal, type MutationName, type ParsedMutationArgs } from '@tracetrack/shared';
import { sql } from 'kysely';
import type { Deps } from '../../deps';
import { inTransaction, isDataException, isIntegrityViolation, isUniqueViolation, pgCodeOf, type Tx } from '../../infra/transaction';
import { writeTogether } from '../../infra/write-together';
import type { Actor, RequestMeta } from '../actor';
import { type AuditEntry, auditsInsert } from '../audit/queries';
import type { CounterDelta } from '../counters/deltas';
import { countersUpsert, dailyScansUpsert } from '../counters/queries';
import { timeZoneDay } from '../counters/time-zone-day';
import { rejectedCountsUpdate } from '../devices/queries';
import { type BagScan, runBagCommands } from '../bags/scan-batch';
import { announceScans } from '../live/announce';
import type { ScanOutputs } from './commands';
import { type ScanEventRow, scanEventsInsert } from './queries';
import type { ScanEffect, ScanEnvelope, ScanItem, ScanOutcome, ScanRefs } from './types';
import { commandWork } from './work';

type Settled = Omit<ScanEffect<unknown>, 'scope'> & { scope: string | null } | AppError;

/**
 * Applies scans in order in one transaction: every effect commits together with its stored
 * outcome, its audit row and the counters (the dashboard's, and the device's refusals), or nothing
 * does. Consecutive bag scans run as one set-based batch; a refusal is stored as a `rejected`
 * outcome and never stops the scans after it.
 *
 * A value the database refuses (a data exception or an integrity violation) fails the whole
 * transaction, though it belongs to one scan: the scans are then applied again one by one, each
 * under a savepoint, so that scan alone is refused (VALIDATION) and the others apply.
 */
export async function applyScanBatch(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>,
  actor: Actor,
  meta: RequestMeta,
  items: ScanItem[],
  /**
   * More writes that must commit with these scans, given their outcomes (a sync push records its
   * progress here; an import its rows' results, or throws to roll a dry run back).
   */
  beforeCommit?: (tx: Tx, outcomes: ScanOutcome[]) => Promise<void>,
): Promise<ScanOutcome[]> {
  // The events of the attempt that committed (a retried transaction starts again), announced to
  // live screens once it has.
  let stored: ScanEventRow[] = [];
  let outcomes: ScanOutcome[];
  try {
    outcomes = await inTransaction(deps.db, async (tx) => {
      stored = [];
      const now = deps.clock();
      const outcomes = await applyAndStore(tx, deps, actor, meta, items, now, stored);
      if (beforeCommit) await beforeCommit(tx, outcomes);
      return outcomes;
    });
  } catch (e) {
    if (!isRefusedValue(e)) throw e;
    deps.logger.warn('a scan holds a value the database refused; applying the batch one scan at a time', {
      requestId: meta.requestId, scans: items.length, sqlstate: pgCodeOf(e), error: String(e),
    });
    outcomes = await inTransaction(deps.db, async (tx) => {
      stored = [];
      const now = deps.clock();
      const outcomes: ScanOutcome[] = [];
      for (const item of items) outcomes.push(await applyAlone(tx, deps, actor, meta, item, now, stored));
      if (beforeCommit) await beforeCommit(tx, outcomes);
      return outcomes;
    });
  }
  announceScans(deps, stored);
  return outcomes;
}

/**
 * Bad content of one scan, not a failure of the database: class 22 or 23. Another push storing
 * the same mutation id at once is the exception: a race, retried by the device (see sync).
 */
function isRefusedValue(e: unknown): boolean {
  return (isDataException(e) || isIntegrityViolation(e)) && !isUniqueViolation(e, 'scan_events_mutation_unique');
}

/**
 * One scan with its stored outcome, under a savepoint. If the database refuses a value of it, the
 * scan is undone and its refusal stored instead; if even that cannot be stored (the refused value
 * is in what the event keeps), the refusal is answered unstored, so a resend is judged again.
 */
async function applyAlone(tx: Tx, deps: Pick<Deps, 'config' | 'logger'>, actor: Actor, meta: RequestMeta, item: ScanItem, now: Date, stored: ScanEventRow[]): Promise<ScanOutcome> {
  const refused = new AppError('VALIDATION', 'The server cannot store a value in this scan, so it was not applied. Check the codes and scan again.');
  const attempts: ScanItem[] = [item, { envelope: item.envelope, work: { kind: 'refused', error: refused } }];
  for (const attempt of attempts) {
    await sql`savepoint one_scan`.execute(tx);
    try {
      const kept: ScanEventRow[] = [];
      const [outcome] = await applyAndStore(tx, deps, actor, meta, [attempt], now, kept);
      await sql`release savepoint one_scan`.execute(tx);
      stored.push(...kept);
      return outcome!;
    } catch (e) {
      if (!isRefusedValue(e)) throw e;
      await sql`rollback to savepoint one_scan`.execute(tx);
      deps.logger.warn('scan refused by the database', { requestId: meta.requestId, mutationId: item.envelope.mutationId, sqlstate: pgCodeOf(e), error: String(e) });
    }
  }
  return { status: 'rejected', code: refused.code, message: refused.message, data: null };
}

/** Runs the scans' effects in order, then stores their outcomes, audit rows and counters in one statement. */
async function applyAndStore(tx: Tx, deps: Pick<Deps, 'config'>, actor: Actor, meta: RequestMeta, items: ScanItem[], now: Date, stored: ScanEventRow[]): Promise<ScanOutcome[]> {
  const settled: Settled[] = [];
  const counters: CounterDelta[] = [];
  for (let i = 0; i < items.length; ) {
    const work = items[i]!.work;
    if (work.kind === 'bag') {
      let j = i;
      const scans: BagScan[] = [];
      for (; j < items.length; j++) {
        const { work: w, envelope } = items[j]!;
        if (w.kind !== 'bag') break;
        scans.push({ command: w.command, clientTime: captureTimeOf(envelope) });
      }
      const run = await runBagCommands(tx, actor, scans, now);
      settled.push(...run.results);
      counters.push(...run.counters);
      i = j;
    } else if (work.kind === 'effect') {
      settled.push(await runEffect(tx, (t) => work.run(t, { now, timeZone: deps.config.timeZone })));
      i++;
    } else {
      settled.push(work.error);
      i++;
    }
  }
  const { outcomes, events, audits, dailyScopes } = describe(items, settled, actor.id);
  // One round trip, at the end of the transaction: the counter rows stay locked only until commit.
  await writeTogether(tx, [
    scanEventsInsert(events),
    rejectedCountsUpdate(rejectedByDevice(events)),
    auditsInsert({ actor, meta }, audits),
    dailyScansUpsert(timeZoneDay(now, deps.config.timeZone), dailyScopes),
    countersUpsert(counters),
  ]);
  stored.push(...events);
  return outcomes;
}

/** A device's clock for a synced scan (validated as an ISO time by the sync schema); online calls have none. */
function captureTimeOf(envelope: ScanEnvelope): Date | null {
  if (envelope.clientTime === null) return null;
  const time = new Date(envelope.clientTime);
  return Number.isNaN(time.getTime()) ? null : time;
}

/** Each device's refusals among the stored outcomes, for its health counter (device.list). */
function rejectedByDevice(events: ScanEventRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.status === 'rejected' && e.envelope.deviceId) counts.set(e.envelope.deviceId, (counts.get(e.envelope.deviceId) ?? 0) + 1);
  }
  return counts;
}

/** A savepoint keeps a refused effect from leaving half its writes behind. */
async function runEffect(tx: Tx, run: (tx: Tx) => Promise<ScanEffect<unknown>>): Promise<Settled> {
  await sql`savepoint scan_effect`.execute(tx);
  try {
    const effect = await run(tx);
    await sql`release savepoint scan_effect`.execute(tx);
    return effect;
  } catch (e) {
    if (!isFinalRefusal(e)) throw e;
    await sql`rollback to savepoint scan_effect`.execute(tx);
    return e;
  }
}

function describe(items: ScanItem[], settled: Settled[], userId: number) {
  const outcomes: ScanOutcome[] = [];
  const events: ScanEventRow[] = [];
  const audits: AuditEntry[] = [];
  const dailyScopes: string[] = [];
  items.forEach(({ envelope }, k) => {
    const s = settled[k]!;
    if (s instanceof AppError) {
      // refs point the event at its bags; the rest of the details is what the device is told.
      const { refs = {}, ...rest } = (s.details ?? {}) as { refs?: ScanRefs } & Record<string, unknown>;
      const data = Object.keys(rest).length ? rest : null;
      outcomes.push({ status: 'rejected', code: s.code, message: s.message, data });
      events.push({ envelope, userId, status: 'rejected', errorCode: s.code, message: s.message, result: data, refs });
      return;
    }
    outcomes.push({ status: s.status, code: null, message: s.message, data: s.data });
    events.push({ envelope, userId, status: s.status, errorCode: null, message: s.message, result: s.data, refs: s.refs });
    if (s.audit) audits.push({ ...s.audit, deviceId: envelope.deviceId, seq: envelope.seq });
    for (const audit of s.audits ?? []) audits.push({ ...audit, deviceId: envelope.deviceId, seq: envelope.seq });
    if (s.scope !== null) dailyScopes.push(s.scope);
  });
  return { outcomes, events, audits, dailyScopes };
}

/**
 * An online call is a scan without a device: the same path and event history as a synced scan;
 * a refusal is thrown. The procedure's gate has already admitted the actor.
 */
export async function runOnlineScan<N extends MutationName>(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger' | 'live'>,
  actor: Actor,
  meta: RequestMeta,
  name: N,
  args: ParsedMutationArgs<N>,
): Promise<ScanOutputs[N]> {
  const envelope: ScanEnvelope = { mutationId: randomUUID(), deviceId: null, seq: null, clientTime: null, name, args };
  const [outcome] = await applyScanBatch(deps, actor, meta, [{ envelope, work: commandWork(actor, name, args) }]);
  if (!outcome) throw new AppError('INTERNAL', 'The scan produced no outcome.');
  if (outcome.status === 'rejected') throw new AppError(outcome.code, outcome.message, outcome.data ?? undefined);
  // The command's own rule built this answer (see ScanOutputs).
  return outcome.data as ScanOutputs[N];
}
