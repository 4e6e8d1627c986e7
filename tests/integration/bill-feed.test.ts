import { randomUUID } from 'node:crypto';
import type { SyncChange, SyncPullOutput } from '@tracetrack/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { runBagCommands } from '../../server/src/modules/bags/scan-batch';
import { pgCodeOf } from '../../server/src/infra/transaction';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
let dispatcher: Actor;
let biller: Actor;
beforeAll(async () => {
  t = await createTestApp();
  dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
  biller = await createUser(t.deps.db, { role: 'biller' });
});
afterAll(() => t.close());

type PulledBill = Extract<SyncChange, { kind: 'bill' }>;
const billIn = (changes: SyncChange[], billNumber: string) =>
  changes.filter((c): c is PulledBill => c.kind === 'bill' && c.billNumber === billNumber).at(-1);
const countOf = (bill: PulledBill | undefined, parentCode: string) => bill?.parents.find((p) => p.code === parentCode)?.childCount;

/**
 * Pulls as the biller from `cursor` until `isDone` holds for the bill's latest change. A pull
 * withholds transactions newer than the oldest one running anywhere in the cluster (other test
 * files run beside this one), so what was just written may take a few pulls to arrive.
 */
async function pullBillUntil(cursor: string | undefined, billNumber: string, isDone: (bill: PulledBill | undefined) => boolean) {
  const changes: SyncChange[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res: SyncPullOutput = await t.as(biller).sync.pull({ cursor, limit: 50 });
    if (res.reset) changes.length = 0;
    changes.push(...res.changes);
    cursor = res.cursor;
    const bill = billIn(changes, billNumber);
    if ((isDone(bill) && !res.hasMore) || Date.now() > deadline) return { bill, cursor, changes };
  }
}

describe('the billers’ sync.pull feed carries the current child counts of a bill’s parents', () => {
  it('a link or an unlink in a parent on an open bill sends the bill again with the parent’s new count', async () => {
    const d = t.as(dispatcher);
    await d.bag.scanParent({ code: 'SB64001' });
    await d.bag.scanParent({ code: 'SB64002' });
    for (const child of ['F64001A', 'F64001B']) await d.bag.linkChild({ parentCode: 'SB64001', childCode: child });
    const bills = t.as(biller).bill;
    await bills.create({ billNumber: 'FEED-64', capacity: 3, destination: 'Indore', vehicleNumber: 'MP09 AB 1234' });
    await bills.addParent({ billNumber: 'FEED-64', parentCode: 'SB64001' });
    await bills.addParent({ billNumber: 'FEED-64', parentCode: 'SB64002' });

    const first = await pullBillUntil(undefined, 'FEED-64', (b) => b?.parentCount === 2);
    expect(first.bill).toMatchObject({
      isActive: true, destination: 'Indore', vehicleNumber: 'MP09 AB 1234', description: null,
      parents: [{ code: 'SB64001', format: 'SB', childCount: 2 }, { code: 'SB64002', format: 'SB', childCount: 0 }],
    });

    // A dispatcher's link online: nothing about the bill changes but its parent's count.
    await d.bag.linkChild({ parentCode: 'SB64002', childCode: 'F64002A' });
    const linked = await pullBillUntil(first.cursor, 'FEED-64', (b) => countOf(b, 'SB64002') === 1);
    expect(countOf(linked.bill, 'SB64002')).toBe(1);
    expect(countOf(linked.bill, 'SB64001')).toBe(2);

    // A biller's unlink queued on a device and synced.
    const app = createApp(t.deps);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, biller.id));
    const deviceId = randomUUID();
    await http.mutate('device.register', { deviceId });
    const queue = mutationQueue();
    const push = await http.mutate('sync.push', { deviceId, mutations: [queue.next('child.unlink', { childCode: 'F64001A' })] });
    expect(push.data.results[0]).toMatchObject({ status: 'applied' });
    const unlinked = await pullBillUntil(linked.cursor, 'FEED-64', (b) => countOf(b, 'SB64001') === 1);
    expect(unlinked.bill?.parents.map((p) => [p.code, p.childCount])).toEqual([['SB64001', 1], ['SB64002', 1]]);
  });

  it('leaves a completed bill out: its parents cannot change, and it stays dropped from the feed', async () => {
    const d = t.as(dispatcher);
    await d.bag.scanParent({ code: 'SB64011' });
    await d.bag.linkChild({ parentCode: 'SB64011', childCode: 'F64011A' });
    const bills = t.as(biller).bill;
    await bills.create({ billNumber: 'FEED-DONE', capacity: 1 });
    await bills.addParent({ billNumber: 'FEED-DONE', parentCode: 'SB64011' });
    await bills.complete({ billNumber: 'FEED-DONE' });
    const before = await pullBillUntil(undefined, 'FEED-DONE', () => true);
    const xidOf = async () =>
      (await t.deps.db.selectFrom('bills').select((eb) => eb.cast<string>('change_xid', 'text').as('xid')).where('bill_number', '=', 'FEED-DONE').executeTakeFirstOrThrow()).xid;
    const xid = await xidOf();
    // A child count that changes anyway (an admin correcting the data by hand) does not touch it.
    await t.deps.db.updateTable('bags').set({ child_count: 0 }).where('code', '=', 'SB64011').execute();
    expect(await xidOf()).toBe(xid);
    expect(billIn(before.changes, 'FEED-DONE')).toBeUndefined();
  });

  it('two batches linking into different parents of one bill at once both commit, without a deadlock', async () => {
    const d = t.as(dispatcher);
    const parents = ['SB64021', 'SB64022', 'SB64023', 'SB64024'];
    for (const code of parents) await d.bag.scanParent({ code });
    await t.as(biller).bill.create({ billNumber: 'FEED-LOCKS', capacity: 4 });
    for (const code of parents) await t.as(biller).bill.addParent({ billNumber: 'FEED-LOCKS', parentCode: code });

    // Straight through the batch code, one transaction each and no retry: a deadlock would
    // surface here as 40P01 instead of being retried away.
    const linkOnce = (parentCode: string, childCode: string) =>
      t.deps.db.transaction().execute((tx) =>
        runBagCommands(tx, dispatcher, [{ command: { name: 'child.link', args: { parentCode, childCode } }, clientTime: null }], new Date()),
      );
    const rounds = 6;
    const settled = await Promise.allSettled(
      parents.flatMap((parentCode, p) => Array.from({ length: rounds }, (_, r) => linkOnce(parentCode, `F6402${p}X${r}`))),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [pgCodeOf(s.reason) ?? String(s.reason)] : []));
    expect(failures).toEqual([]);
    const counts = await t.deps.db.selectFrom('bags').select(['code', 'child_count']).where('code', 'in', parents).orderBy('code').execute();
    expect(counts.map((c) => c.child_count)).toEqual(parents.map(() => rounds));
  });
});
