import { randomUUID } from 'node:crypto';
import { AppError, type AppErrorCode, isAppError } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { inTransaction, type Tx } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../../trpc/context';
import { type AuditEntry, insertAudit } from '../audit/queries';
import { bumpDailyScans } from '../counters/queries';
import { insertScanEvent, type ScanRefs } from './queries';

/** What a scan's effect reports back, inside the transaction that applied it. */
export interface ScanEffect<T> {
  status: 'applied' | 'unchanged';
  message: string;
  data: T;
  refs: ScanRefs;
  /** Counter scope the scan is counted in for the daily chart (the bag's area). */
  scope: string;
  /** Written when the scan changed something. */
  audit?: AuditEntry;
}

/** Where a scan came from: a device's queued mutation, or an online call (no device). */
export interface ScanEnvelope {
  mutationId: string;
  deviceId: string | null;
  seq: number | null;
  clientTime: string | null;
  name: string;
  args: unknown;
}

export type ScanOutcome<T> =
  | { status: 'applied' | 'unchanged'; code: null; message: string; data: T }
  | { status: 'rejected'; code: AppErrorCode; message: string; data: Record<string, unknown> | null };

/** Refusals that are final answers; anything else (TRANSIENT, INTERNAL, bugs) propagates to be retried. */
export function isBusinessRefusal(e: unknown): e is AppError {
  return isAppError(e) && e.code !== 'TRANSIENT' && e.code !== 'INTERNAL';
}

export function timeZoneDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * Applies one scan with its stored outcome in the same transaction: the effect, the event row,
 * the daily counter and the audit row commit together or not at all. A business refusal rolls
 * the effect back and is stored as a `rejected` event, so history shows every scan.
 */
export async function applyScan<T>(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'config'>,
  actor: Actor,
  meta: RequestMeta,
  envelope: ScanEnvelope,
  effect: (tx: Tx) => Promise<ScanEffect<T>>,
): Promise<ScanOutcome<T>> {
  try {
    return await inTransaction(deps.db, async (tx) => {
      const result = await effect(tx);
      await insertScanEvent(tx, {
        envelope, userId: actor.id, status: result.status, errorCode: null, message: result.message, result: result.data, refs: result.refs,
      });
      if (result.audit) {
        await insertAudit(tx, { actor, meta }, { ...result.audit, deviceId: envelope.deviceId, seq: envelope.seq });
      }
      await bumpDailyScans(tx, result.scope, timeZoneDay(deps.clock(), deps.config.timeZone));
      return { status: result.status, code: null, message: result.message, data: result.data };
    });
  } catch (e) {
    if (!isBusinessRefusal(e)) throw e;
    // refs point the event at its bags; the rest of the details is what the device is told.
    const { refs = {}, ...rest } = (e.details ?? {}) as { refs?: ScanRefs } & Record<string, unknown>;
    const data = Object.keys(rest).length ? rest : null;
    await inTransaction(deps.db, (tx) =>
      insertScanEvent(tx, { envelope, userId: actor.id, status: 'rejected', errorCode: e.code, message: e.message, result: data, refs }),
    );
    return { status: 'rejected', code: e.code, message: e.message, data };
  }
}

/** An online call is a scan without a device: same path, same event history; a refusal is thrown. */
export async function runOnlineScan<T>(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'config'>,
  actor: Actor,
  meta: RequestMeta,
  name: string,
  args: unknown,
  effect: (tx: Tx) => Promise<ScanEffect<T>>,
): Promise<T> {
  const envelope: ScanEnvelope = { mutationId: randomUUID(), deviceId: null, seq: null, clientTime: null, name, args };
  const outcome = await applyScan(deps, actor, meta, envelope, effect);
  if (outcome.status === 'rejected') {
    throw new AppError(outcome.code, outcome.message, outcome.data ?? undefined);
  }
  return outcome.data;
}
