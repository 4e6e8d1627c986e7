import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';

const MINUTE = 60_000;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ deviceSyncWarnMs: 30 * MINUTE });
});
afterAll(() => t.close());

async function healthOf(deviceId: string) {
  const admin = await createUser(t.deps.db, { role: 'admin' });
  let cursor: string | undefined;
  for (;;) {
    const page = await t.as(admin).device.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    const found = page.items.find((d) => d.deviceId === deviceId);
    if (found) return { ...found, syncWarnMinutes: page.syncWarnMinutes };
    if (!page.nextCursor) throw new Error('device not listed');
    cursor = page.nextCursor;
  }
}

describe('device sync health (device.list)', () => {
  it('shows what waits on the handheld by its own report, last push and pull, and refusals of the last day only', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const deviceId = randomUUID();
    await t.as(dispatcher).device.register({ deviceId, label: 'Dock 3' });
    const fresh = await healthOf(deviceId);
    expect(fresh).toMatchObject({ label: 'Dock 3', username: dispatcher.username, waitingScans: null, oldestWaitingAt: null, lastPullAt: null, refusalsLastDay: 0, isSyncOverdue: false, syncWarnMinutes: 30 });

    const q = mutationQueue();
    const oldest = new Date(Date.now() - 25 * MINUTE).toISOString();
    // Two refusals: a malformed scan and a bill write a dispatcher may not send.
    await t.as(dispatcher).sync.push({
      deviceId,
      mutations: [q.next('parent.scan', { code: 'SB81001' }), { ...q.next('parent.scan', { code: 'SB81002' }), args: { code: 5 } } as never, q.next('bill.create', { billNumber: 'DH-1', capacity: 1 })],
      outbox: { depth: 10, oldestAt: oldest },
    });
    await t.as(dispatcher).sync.pull({ limit: 10, deviceId });
    const afterPush = await healthOf(deviceId);
    expect(afterPush.waitingScans).toBe(10);
    expect(afterPush.oldestWaitingAt).toBe(oldest);
    expect(afterPush.lastPushAt).not.toBeNull();
    expect(afterPush.lastPullAt).not.toBeNull();
    expect(afterPush.lastSeq).toBe(3);
    expect(afterPush.refusalsLastDay).toBe(2);
    expect(afterPush.rejectedCount).toBe(2);

    // A refusal older than a day leaves the day's count (the lifetime counter keeps it).
    await sql`update scan_events set server_time = now() - interval '25 hours' where device_id = ${deviceId} and status = 'rejected' and seq = 2`.execute(t.deps.db);
    expect((await healthOf(deviceId)).refusalsLastDay).toBe(1);

    // The next report (it came back online with nothing left) clears the waiting scans.
    await t.as(dispatcher).device.report({ deviceId, outbox: { depth: 0, oldestAt: null } });
    expect(await healthOf(deviceId)).toMatchObject({ waitingScans: 0, oldestWaitingAt: null });
  });

  it('warns when a device has not synced for the configured time while scans wait on it or its user was seen scanning since', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const stuck = randomUUID();
    const quiet = randomUUID();
    const idle = randomUUID();
    for (const id of [stuck, quiet, idle]) await t.as(dispatcher).device.register({ deviceId: id });
    const q = mutationQueue();
    await t.as(dispatcher).sync.push({ deviceId: stuck, mutations: [q.next('parent.scan', { code: 'SB82001' })], outbox: { depth: 4, oldestAt: new Date(Date.now() - 41 * MINUTE).toISOString() } });
    await t.as(dispatcher).sync.push({ deviceId: quiet, mutations: [mutationQueue().next('parent.scan', { code: 'SB82002' })], outbox: { depth: 0, oldestAt: null } });
    await t.as(dispatcher).sync.push({ deviceId: idle, mutations: [mutationQueue().next('parent.scan', { code: 'SB82003' })], outbox: { depth: 0, oldestAt: null } });
    // All of that happened 40 minutes ago: stuck reported 4 waiting scans, quiet and idle none.
    await sql`update devices set last_push_at = last_push_at - interval '40 minutes' where user_id = ${dispatcher.id}`.execute(t.deps.db);
    await sql`update scan_events set server_time = server_time - interval '40 minutes' where user_id = ${dispatcher.id}`.execute(t.deps.db);
    expect((await healthOf(stuck)).isSyncOverdue).toBe(true);
    // Nothing waiting and no scan of the user since: an idle device, not a stuck one.
    expect((await healthOf(quiet)).isSyncOverdue).toBe(false);

    // The user scans online (or from another handheld) now: the silent devices are flagged.
    await t.as(dispatcher).bag.scanParent({ code: 'SB82004' });
    const quietNow = await healthOf(quiet);
    expect(quietNow.isSyncOverdue).toBe(true);
    expect(Date.parse(quietNow.userLastScanAt!)).toBeGreaterThan(Date.parse(quietNow.lastPushAt!));
    // A device that synced within the time is never flagged.
    await t.as(dispatcher).sync.pull({ limit: 1, deviceId: idle });
    expect((await healthOf(idle)).isSyncOverdue).toBe(false);
  });

  it('takes reports only from the device\'s own user, refuses bad ones as typed errors, and announces good ones to live screens', async () => {
    const owner = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const other = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    const deviceId = randomUUID();
    await t.as(owner).device.register({ deviceId });
    await t.as(owner).device.report({ deviceId, outbox: { depth: 2, oldestAt: new Date().toISOString() } });

    await expect(t.as(other).device.report({ deviceId, outbox: { depth: 99, oldestAt: null } })).rejects.toMatchObject({ cause: { code: 'DEVICE_OTHER_USER' } });
    await expect(t.as(owner).device.report({ deviceId: randomUUID(), outbox: { depth: 1, oldestAt: null } })).rejects.toMatchObject({ cause: { code: 'DEVICE_NOT_REGISTERED' } });
    await expect(t.as(owner).device.report({ deviceId, outbox: { depth: -1, oldestAt: null } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(t.as(owner).device.report({ deviceId, outbox: { depth: 1, oldestAt: 'yesterday' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(t.as(owner).sync.push({ deviceId, mutations: [mutationQueue().next('parent.scan', { code: 'SB83001' })], outbox: { depth: 1.5, oldestAt: null } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await healthOf(deviceId)).waitingScans).toBe(2);

    let heard = 0;
    const off = t.deps.live.subscribe('devices', () => heard++);
    await t.as(owner).device.report({ deviceId, outbox: { depth: 0, oldestAt: null } });
    await waitFor(async () => heard > 0, 5_000, 'the devices topic');
    off();
  });
});
