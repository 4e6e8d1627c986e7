import { localDb } from './db';
import { type DeviceIdentity, getMeta, setMeta } from './meta';

const keyOf = (userId: number) => `device:${userId}` as const;

/**
 * This handheld's device id for one user. The server binds a device id to one user for good
 * (DEVICE_OTHER_USER to anyone else), so on a shared handheld every user gets their own id and
 * seq counter: whoever signs in next, a user's queued scans stay theirs, under their id.
 */
export async function deviceIdentityOf(userId: number): Promise<DeviceIdentity> {
  return localDb.transaction('rw', localDb.meta, localDb.outbox, async () => {
    return (await getMeta(keyOf(userId))) ?? replaceDeviceId(userId);
  });
}

/**
 * A new device id for this user. Their queued scans never reached the server under it, so they
 * are numbered 1…n in it (no seq gap on the server), in their order.
 */
export async function replaceDeviceId(userId: number): Promise<DeviceIdentity> {
  return localDb.transaction('rw', localDb.meta, localDb.outbox, async () => {
    const rows = await localDb.outbox.where('[userId+seq]').between([userId, 0], [userId, Number.MAX_SAFE_INTEGER], true, true).toArray();
    for (const [i, row] of rows.entries()) await localDb.outbox.update(row.id, { seq: i + 1 });
    const identity: DeviceIdentity = { deviceId: crypto.randomUUID(), lastSeq: rows.length, isRegistered: false };
    await setMeta(keyOf(userId), identity);
    return identity;
  });
}

/** Hands out the user's next seq; called in the transaction that queues the scan. */
export async function nextSeqOf(userId: number): Promise<number> {
  const identity = await deviceIdentityOf(userId);
  await setMeta(keyOf(userId), { ...identity, lastSeq: identity.lastSeq + 1 });
  return identity.lastSeq + 1;
}

/**
 * Records the server's answer to device.register (or that it forgot the id). The server may know
 * a higher seq than the device (a restore): never reuse one.
 */
export async function setRegistered(userId: number, deviceId: string, serverLastSeq: number | null): Promise<DeviceIdentity> {
  return localDb.transaction('rw', localDb.meta, localDb.outbox, async () => {
    const identity = await deviceIdentityOf(userId);
    if (identity.deviceId !== deviceId) return identity;
    const next: DeviceIdentity = serverLastSeq === null
      ? { ...identity, isRegistered: false }
      : { ...identity, lastSeq: Math.max(identity.lastSeq, serverLastSeq), isRegistered: true };
    await setMeta(keyOf(userId), next);
    return next;
  });
}
