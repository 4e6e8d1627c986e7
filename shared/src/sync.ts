import { z } from 'zod';
import { APP_ERROR_CODES } from './errors';
import { isoInstantSchema, storableTextSchema } from './schemas/common';
import { linkChildInput, scanParentInput, unlinkChildInput } from './schemas/bags';
import { billCompleteInput, billCreateInput, billParentInput } from './schemas/bills';
import { returnCreateInput, returnScanInput, returnTicketRefInput } from './schemas/returns';

/** The offline sync protocol (shared/PROTOCOL.md). Names and shapes are a public contract. */
export const MUTATION_ARGS = {
  'parent.scan': scanParentInput,
  'child.link': linkChildInput,
  'child.unlink': unlinkChildInput,
  'bill.create': billCreateInput,
  'bill.addParent': billParentInput,
  'bill.removeParent': billParentInput,
  'bill.complete': billCompleteInput,
  'return.create': returnCreateInput,
  'return.scan': returnScanInput,
  'return.finalize': returnTicketRefInput,
  'return.cancel': returnTicketRefInput,
} as const;

export type MutationName = keyof typeof MUTATION_ARGS;
export const MUTATION_NAMES = Object.keys(MUTATION_ARGS) as MutationName[];
/** What a device sends for a mutation. */
export type MutationArgs<N extends MutationName> = z.input<(typeof MUTATION_ARGS)[N]>;
/** The same args once parsed: codes normalised, texts trimmed, defaults filled. */
export type ParsedMutationArgs<N extends MutationName> = z.output<(typeof MUTATION_ARGS)[N]>;

/** Own keys only: `constructor` or `__proto__` is no mutation. */
export function isMutationName(name: string): name is MutationName {
  return Object.hasOwn(MUTATION_ARGS, name);
}

export const MAX_MUTATIONS_PER_PUSH = 500;
/** One mutation's args as JSON (UTF-8 bytes); larger ones are refused on their own. */
export const MAX_MUTATION_ARGS_BYTES = 4096;
/** Any /trpc request body (bytes); the server answers 413 past it, so a device sizes its pushes under it. */
export const MAX_REQUEST_BODY_BYTES = 1_048_576;
/** Calls in one batched /trpc request (`?batch=1`); each counts against the rate limits. */
export const MAX_BATCH_CALLS = 10;
/** The largest file an upload (an import) may send. */
export const MAX_UPLOAD_BYTES = 16 * 1_048_576;

/**
 * The device's clock when the scan was made. A handheld whose clock reset (1970, 1980) is still
 * scanning real bags: its scans apply and its time is stored as it said (rules that look at it
 * clamp it to what the server knows). Only a time that is not ISO-8601 with an offset, or lies
 * outside what the database compares (year 0001, +275760), makes that one scan a VALIDATION refusal.
 */
export const clientTimeSchema = isoInstantSchema(1900, 9999);

/**
 * The envelope is strict (a malformed one is a client bug and fails the call); `name`, `args`
 * and `clientTime` (with clientTimeSchema) are checked per mutation, so one bad scan is refused
 * on its own and never blocks the queue.
 */
export const mutationSchema = z.object({
  // UUIDs are case-insensitive: stored, compared and answered in lower case.
  id: z.uuid().toLowerCase(),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  name: z.string().min(1).max(50),
  args: z.unknown(),
  clientTime: z.string().max(64),
});
export type Mutation = z.infer<typeof mutationSchema>;

/**
 * What is still waiting on the handheld (its outbox), besides the mutations of the push that
 * carries it: how many, and when the oldest was made (device clock). Scans stuck on a device
 * never reach the server, so the device health screen only knows them from this.
 */
export const outboxReportSchema = z.object({
  depth: z.number().int().min(0).max(10_000_000),
  oldestAt: clientTimeSchema.nullable(),
});
export type OutboxReport = z.infer<typeof outboxReportSchema>;

/** The small report a handheld sends when it comes back online (and when a push fails). */
export const deviceReportInput = z.object({ deviceId: z.uuid().toLowerCase(), outbox: outboxReportSchema });

export const deviceRegisterInput = z.object({ deviceId: z.uuid().toLowerCase(), label: storableTextSchema.trim().max(100).optional() });
export const deviceRegisterOutput = z.object({ deviceId: z.string(), label: z.string().nullable(), lastSeq: z.number().int() });

export const deviceListInput = z.object({
  limit: z.number().int().min(1).max(200).default(100),
  cursor: z.uuid().toLowerCase().optional(),
});
/** The device health screen's live stream: its first page. */
export const liveDevicesInput = z.object({ limit: z.number().int().min(1).max(200).default(100) });

export const deviceHealthSchema = z.object({
  deviceId: z.string(),
  label: z.string().nullable(),
  username: z.string(),
  lastSeq: z.number().int(),
  pushCount: z.number().int(),
  lastPushAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  /** Seq ranges still missing (never received); filled ones stay in device_seq_gaps as history. */
  gapCount: z.number().int(),
  rejectedCount: z.number().int(),
  lastPullAt: z.string().nullable(),
  /** Refusals stored for its scans in the last 24 hours. */
  refusalsLastDay: z.number().int(),
  /** Its last outbox report (null: never reported): scans waiting on the device, not yet sent. */
  waitingScans: z.number().int().nullable(),
  oldestWaitingAt: z.string().nullable(),
  reportedAt: z.string().nullable(),
  /** The newest scan the server has from its user, by any device or online. */
  userLastScanAt: z.string().nullable(),
  /**
   * No push or pull for longer than the configured time (DEVICE_SYNC_WARN_MINUTES) while its user
   * is scanning: scans were waiting on it at its last report, or its user was seen scanning since.
   */
  isSyncOverdue: z.boolean(),
});
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;
export const deviceListOutput = z.object({ items: z.array(deviceHealthSchema), nextCursor: z.string().nullable(), syncWarnMinutes: z.number().int() });

export const syncPushInput = z.object({
  deviceId: z.uuid().toLowerCase(),
  mutations: z.array(mutationSchema).min(1).max(MAX_MUTATIONS_PER_PUSH),
  /** Optional: what else waits on the device (see outboxReportSchema). */
  outbox: outboxReportSchema.optional(),
});
export type SyncPushInput = z.infer<typeof syncPushInput>;

export const mutationStatusSchema = z.enum(['applied', 'unchanged', 'rejected']);
export type MutationStatus = z.infer<typeof mutationStatusSchema>;

export const mutationResultSchema = z.object({
  id: z.string(),
  status: mutationStatusSchema,
  code: z.enum(APP_ERROR_CODES).optional(),
  message: z.string(),
  replay: z.boolean(),
  data: z.unknown().optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const syncPushOutput = z.object({
  results: z.array(mutationResultSchema),
  /**
   * Every seq of this device up to here has reached the server and has a final outcome. It stops
   * before the first seq never received (a gap); mutations after a gap are still applied and
   * answered in `results`, which is what the device drops its queued scans by.
   */
  ackedThroughSeq: z.number().int(),
});
export type SyncPushOutput = z.infer<typeof syncPushOutput>;

export const syncPullInput = z.object({
  cursor: storableTextSchema.max(500).optional(),
  limit: z.number().int().min(1).max(500).default(200),
  /** Optional: the pulling device, for its last pull on the device health screen. */
  deviceId: z.uuid().toLowerCase().optional(),
});

/**
 * A row of a device's feed. `isActive: false` means "drop it": the row left the feed (a parent got
 * full or older than 48 hours, a bill was completed). `isRemoved: true` marks a tombstone: the row
 * was deleted or moved to another area's feed; it carries the row's last state without children or
 * parents, and `updatedAt` is when it was removed.
 */
export const pulledParentSchema = z.object({
  kind: z.literal('parent'),
  code: z.string(),
  format: z.string(),
  area: z.string().nullable(),
  childCount: z.number().int(),
  capacity: z.number().int(),
  status: z.enum(['empty', 'filling', 'full']),
  children: z.array(z.string()),
  /** Server time of the row's last change (ISO 8601). */
  updatedAt: z.string(),
  /** False when the device should drop it (full, deleted, moved away or out of the 48-hour window). */
  isActive: z.boolean(),
  isRemoved: z.boolean(),
});
export const pulledBillSchema = z.object({
  kind: z.literal('bill'),
  billNumber: z.string(),
  capacity: z.number().int(),
  status: z.enum(['open', 'loading', 'completed']),
  parentCount: z.number().int(),
  /** What a bill page shows offline beside its parents; null on a removal. */
  destination: z.string().nullable(),
  vehicleNumber: z.string().nullable(),
  description: z.string().nullable(),
  /** Each parent's current child count: a link or unlink in a parent moves its bill in the feed. */
  parents: z.array(z.object({ code: z.string(), format: z.string(), childCount: z.number().int() })),
  updatedAt: z.string(),
  isActive: z.boolean(),
  isRemoved: z.boolean(),
});
export const syncChangeSchema = z.discriminatedUnion('kind', [pulledParentSchema, pulledBillSchema]);
export type SyncChange = z.infer<typeof syncChangeSchema>;

export const syncPullOutput = z.object({
  changes: z.array(syncChangeSchema),
  cursor: z.string(),
  hasMore: z.boolean(),
  /**
   * This page starts a new snapshot (no cursor, a cursor issued for another role or area, or one
   * older than the tombstone retention): drop every pulled row before applying it.
   */
  reset: z.boolean(),
});
export type SyncPullOutput = z.infer<typeof syncPullOutput>;
