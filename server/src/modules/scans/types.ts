import type { AppError, AppErrorCode } from '@tracetrack/shared';
import type { Tx } from '../../infra/transaction';
import type { AuditEntry } from '../audit/queries';
import type { BagCommand } from './commands';

/** The rows a scan event points at. */
export interface ScanRefs {
  parentId?: number | null;
  childId?: number | null;
  billId?: number | null;
}

/** What a scan's effect (a bag rule, a bill write) reports back, inside the transaction that applied it. */
export interface ScanEffect<T> {
  status: 'applied' | 'unchanged';
  message: string;
  data: T;
  refs: ScanRefs;
  /** Counter scope the scan is counted in for the daily chart. */
  scope: string;
  /** Written when the scan changed something and the effect did not audit itself. */
  audit?: AuditEntry;
  /** More rows for an effect that changes more than one entity (a return: the ticket and the bill). */
  audits?: AuditEntry[];
}

/** What an effect may need beyond its transaction: the batch's clock and the warehouses' time zone. */
export interface EffectContext {
  now: Date;
  timeZone: string;
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

/** What to do for one scan: a bag command (run set-wise), another effect, or a refusal found up front. */
export type ScanWork =
  | { kind: 'bag'; command: BagCommand }
  | { kind: 'effect'; run: (tx: Tx, at: EffectContext) => Promise<ScanEffect<unknown>> }
  | { kind: 'refused'; error: AppError };

export interface ScanItem {
  envelope: ScanEnvelope;
  work: ScanWork;
}

export type ScanOutcome =
  | { status: 'applied' | 'unchanged'; code: null; message: string; data: unknown }
  | { status: 'rejected'; code: AppErrorCode; message: string; data: Record<string, unknown> | null };
