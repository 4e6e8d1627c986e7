import { AppError, type DeviceHealth, type OutboxReport } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { keysetPage } from '../../infra/keyset-cursor';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { findDevice, insertDevice, listDevices, recordOutboxReport, touchDevice } from './queries';

/** A device id bound to someone else: neither registering it nor pushing from it is allowed. */
export function deviceOfOtherUser(ownerUsername: string): AppError {
  return new AppError(
    'DEVICE_OTHER_USER',
    `This device id is registered to ${ownerUsername}; only they can sync with it. Sign in as ${ownerUsername} to send their waiting scans, or register a new device id for yourself.`,
    { ownerUsername },
  );
}

/**
 * Binds a device id to the signed-in user, for good: the id carries that user's seqs and queued
 * scans, so another user taking it over would strand them (their pushes refused, their seqs mixed
 * with someone else's). A handheld that changes hands registers a new id for each user instead
 * (the PWA does this on DEVICE_OTHER_USER); the same user registering again is a no-op that
 * returns the last seq the server has seen, so a restored device never reuses a seq.
 */
export async function registerDevice(deps: Pick<Deps, 'db' | 'live'>, actor: Actor, meta: RequestMeta, input: { deviceId: string; label?: string | undefined }) {
  const registered = await inTransaction(deps.db, async (tx) => {
    const label = input.label ?? null;
    const inserted = await insertDevice(tx, { id: input.deviceId, userId: actor.id, label });
    if (inserted) {
      await insertAudit(tx, { actor, meta }, { action: 'device.register', entityType: 'device', entityId: input.deviceId, after: { userId: actor.id, label } });
      return { deviceId: inserted.id, label: inserted.label, lastSeq: inserted.last_seq };
    }
    const existing = await findDevice(tx, input.deviceId);
    if (existing && existing.user_id !== actor.id) throw deviceOfOtherUser(existing.owner_username);
    const device = await touchDevice(tx, input.deviceId, label);
    return { deviceId: device.id, label: device.label, lastSeq: device.last_seq };
  });
  deps.live.publish(['devices']);
  return registered;
}

const DAY_MS = 86_400_000;
const CLOCK_GRACE_MS = 60_000;
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * Overdue: no push or pull for longer than DEVICE_SYNC_WARN_MINUTES while its user is scanning:
 * its last report said scans were waiting on it, or the server has a scan of its user (from
 * another device, or online) newer than its last sync.
 */
export function isSyncOverdue(d: { lastSyncAt: Date | null; waitingScans: number | null; userLastScanAt: Date | null }, now: Date, warnMs: number): boolean {
  const last = d.lastSyncAt?.getTime() ?? 0;
  if (now.getTime() - last < warnMs) return false;
  // The device's own last push stores scans too (stamped by the database's clock): only a scan
  // clearly after it counts.
  return (d.waitingScans ?? 0) > 0 || (d.userLastScanAt !== null && d.userLastScanAt.getTime() > last + CLOCK_GRACE_MS);
}

export async function listDeviceHealth(deps: Pick<Deps, 'db' | 'clock' | 'config'>, input: { limit: number; cursor?: string | undefined }) {
  const now = deps.clock();
  const rows = await listDevices(deps.db, input.cursor ?? null, input.limit, new Date(now.getTime() - DAY_MS));
  // Devices page by their id (a uuid the schema checks), so the cursor is the id itself.
  const { page, nextCursor } = keysetPage(rows, input.limit, (r) => r.id);
  const items: DeviceHealth[] = page.map((r) => {
    const syncs = [r.last_push_at, r.last_pull_at].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const userLastScanAt = r.user_last_scan_at ? new Date(r.user_last_scan_at) : null;
    return {
      deviceId: r.id,
      label: r.label,
      username: r.username,
      lastSeq: r.last_seq,
      pushCount: r.push_count,
      lastPushAt: iso(r.last_push_at),
      lastPullAt: iso(r.last_pull_at),
      lastSeenAt: iso(r.last_seen_at),
      gapCount: Number(r.gap_count ?? 0),
      rejectedCount: r.rejected_count,
      refusalsLastDay: Number(r.refusals_last_day ?? 0),
      waitingScans: r.outbox_depth,
      oldestWaitingAt: iso(r.outbox_oldest_at),
      reportedAt: iso(r.outbox_reported_at),
      userLastScanAt: iso(userLastScanAt),
      isSyncOverdue: isSyncOverdue(
        { lastSyncAt: syncs.length ? new Date(Math.max(...syncs)) : null, waitingScans: r.outbox_depth, userLastScanAt },
        now,
        deps.config.deviceSyncWarnMs,
      ),
    };
  });
  return { items, nextCursor, syncWarnMinutes: Math.round(deps.config.deviceSyncWarnMs / 60_000) };
}

/** A handheld's outbox report (see outboxReportSchema); only its own user may send it. */
export async function reportOutbox(deps: Pick<Deps, 'db' | 'clock' | 'live'>, actor: Actor, input: { deviceId: string; outbox: OutboxReport }) {
  const updated = await recordOutboxReport(deps.db, input.deviceId, actor.id, input.outbox, deps.clock());
  if (!updated) {
    const device = await findDevice(deps.db, input.deviceId);
    if (device) throw deviceOfOtherUser(device.owner_username);
    throw new AppError('DEVICE_NOT_REGISTERED', 'Register this device (device.register) before reporting.');
  }
  deps.live.publish(['devices']);
  return { ok: true as const };
}
