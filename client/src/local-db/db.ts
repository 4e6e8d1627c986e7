import type { AppErrorCode, MutationName, MutationStatus } from '@tracetrack/shared';
import { Dexie, type EntityTable } from 'dexie';

/** A scan waiting to be acknowledged by the server. `seq` is allocated with the row (see outbox.ts). */
export interface OutboxRow {
  id: string;
  seq: number;
  name: MutationName;
  args: Record<string, unknown>;
  clientTime: string;
  userId: number;
  /** ms since epoch, for the "oldest waiting" age */
  createdAt: number;
}

/** The server's final answer for one scan; stored before its outbox row is deleted. */
export interface OutcomeRow {
  id: string;
  seq: number;
  name: MutationName;
  args: Record<string, unknown>;
  status: MutationStatus;
  code: AppErrorCode | null;
  message: string;
  data: unknown;
  clientTime: string;
  receivedAt: number;
  /** Who scanned it (absent on outcomes stored before it was kept: treated as someone else's). */
  userId?: number;
}

/** A refused scan the user has not dealt with yet (a copy of its outcome). */
export type InboxRow = OutcomeRow;

/** A parent as the server last described it (sync.pull or a scan outcome). */
export interface ParentRow {
  code: string;
  format: string;
  childCount: number;
  capacity: number;
  status: 'empty' | 'filling' | 'full';
  children: string[];
  /** ms since epoch: the server's time of the change for pulled rows, arrival time for scan outcomes. */
  updatedAt: number;
  /**
   * Not in the device's feed: the feed dropped it (full, aged out), or it came only from a scan's
   * outcome (a biller's scan, a parent not pulled yet). Kept only while it is the scan screen's
   * parent; a completed pull drops the rest (see pull-store.ts).
   */
  isOutsideFeed?: boolean;
}

/** An open or loading bill as the billers' feed last sent it, for the bill pages offline. */
export interface BillRow {
  billNumber: string;
  capacity: number;
  status: 'open' | 'loading' | 'completed';
  parentCount: number;
  destination: string | null;
  vehicleNumber: string | null;
  description: string | null;
  parents: { code: string; format: string; childCount: number }[];
  updatedAt: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class LocalDb extends Dexie {
  meta!: EntityTable<MetaRow, 'key'>;
  outbox!: EntityTable<OutboxRow, 'id'>;
  outcomes!: EntityTable<OutcomeRow, 'id'>;
  inbox!: EntityTable<InboxRow, 'id'>;
  parents!: EntityTable<ParentRow, 'code'>;
  bills!: EntityTable<BillRow, 'billNumber'>;

  constructor() {
    super('tracetrack');
    // Append-only: a schema change is a new version(n) below, never an edit of an earlier one.
    this.version(1).stores({
      meta: 'key',
      outbox: 'id, seq, [userId+seq], createdAt',
      outcomes: 'id, seq, receivedAt',
      inbox: 'id, receivedAt',
      parents: 'code, updatedAt',
      bills: 'billNumber, updatedAt',
    });
  }
}

export const localDb = new LocalDb();
