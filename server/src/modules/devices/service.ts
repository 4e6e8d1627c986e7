import { AppError, type DeviceHealth } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { keysetPage } from '../../infra/keyset-cursor';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../actor';
import { insertAudit } from '../audit/queries';
import { findDevice, insertDevice, listDevices, touchDevice } from './queries';

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
export async function registerDevice(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: { deviceId: string; label?: string | undefined }) {
  return inTransaction(deps.db, async (tx) => {
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
}

export async function listDeviceHealth(deps: Pick<Deps, 'db'>, input: { limit: number; cursor?: string | undefined }) {
  const rows = await listDevices(deps.db, input.cursor ?? null, input.limit);
  // Devices page by their id (a uuid the schema checks), so the cursor is the id itself.
  const { page, nextCursor } = keysetPage(rows, input.limit, (r) => r.id);
  const items: DeviceHealth[] = page.map((r) => ({
    deviceId: r.id,
    label: r.label,
    username: r.username,
    lastSeq: r.last_seq,
    pushCount: r.push_count,
    lastPushAt: r.last_push_at?.toISOString() ?? null,
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
    gapCount: Number(r.gap_count ?? 0),
    rejectedCount: r.rejected_count,
  }));
  return { items, nextCursor };
}
