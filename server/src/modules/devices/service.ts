import type { DeviceHealth } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { inTransaction } from '../../infra/transaction';
import type { Actor, RequestMeta } from '../../trpc/context';
import { insertAudit } from '../audit/queries';
import { findDevice, listDevices, upsertDevice } from './queries';

/**
 * Binds a device to the signed-in user. A handheld changes hands between shifts, so registering
 * a device another user had rebinds it (audited); from then on only the new user can push from it.
 */
export async function registerDevice(deps: Pick<Deps, 'db'>, actor: Actor, meta: RequestMeta, input: { deviceId: string; label?: string | undefined }) {
  return inTransaction(deps.db, async (tx) => {
    const before = await findDevice(tx, input.deviceId);
    const device = await upsertDevice(tx, { id: input.deviceId, userId: actor.id, label: input.label ?? null });
    if (!before || before.user_id !== actor.id) {
      await insertAudit(tx, { actor, meta }, {
        action: before ? 'device.rebind' : 'device.register',
        entityType: 'device',
        entityId: input.deviceId,
        before: before ? { userId: before.user_id } : undefined,
        after: { userId: actor.id, label: device.label },
      });
    }
    return { deviceId: device.id, label: device.label, lastSeq: device.last_seq };
  });
}

export async function listDeviceHealth(deps: Pick<Deps, 'db'>, input: { limit: number; cursor?: string | undefined }) {
  const rows = await listDevices(deps.db, input.cursor ?? null, input.limit);
  const page = rows.slice(0, input.limit);
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
  return { items, nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}
