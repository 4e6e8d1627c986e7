import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncChange } from '@tracetrack/shared';
import { createApp } from '../../server/src/app';
import { pullChanges } from '../../server/src/modules/sync/pull';
import { readFeedHorizon } from '../../server/src/modules/sync/queries';
import { purgeExpiredTombstones } from '../../server/src/modules/sync/tombstone-retention';
import { findActorById } from '../../server/src/modules/users/queries';
import { applyScanBatch } from '../../server/src/modules/scans/service';
import { readMutation } from '../../server/src/modules/scans/commands';
import { toScanWork } from '../../server/src/modules/scans/work';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { applyPulled, hasAll, keyOf, lastOf, pullUntil } from '../helpers/pull';
import { countersAndRecount } from '../helpers/recount';
import { waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
let app: ReturnType<typeof createApp>;
let dispatcher: Actor;
let biller: Actor;
let adminUser: Actor;
beforeAll(async () => {
  t = await createTestApp();
  app = createApp(t.deps);
  dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
  biller = await createUser(t.deps.db, { role: 'biller' });
  adminUser = await createUser(t.deps.db, { role: 'admin' });
});
afterAll(() => t.close());

async function deviceFor(user: Actor) {
  const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, user.id));
  const deviceId = randomUUID();
  const reg = await http.mutate('device.register', { deviceId, label: 'test handheld' });
  expect(reg.status).toBe(200);
  return { http, deviceId, queue: mutationQueue(), cookie: await sessionCookieFor(t.deps, user.id) };
}

const admin = () => ({ id: adminUser.id, username: adminUser.username, role: 'admin' as const, area: null, pendingSetup: null });
/** The device's gap rows as [from, to, open|filled], in seq order. */
async function gapsOf(deviceId: string) {
  const rows = await sql<{ from_seq: number; to_seq: number; is_open: boolean }>`
    select from_seq::int, to_seq::int, filled_at is null as is_open from device_seq_gaps where device_id = ${deviceId} order by from_seq`.execute(t.deps.db);
  return rows.rows.map((r) => [r.from_seq, r.to_seq, r.is_open ? 'open' : 'filled']);
}

const count = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await query.execute(t.deps.db)).rows[0]?.n);
const linksOf = (parent: string) =>
  count(sql<{ n: number }>`select count(*)::int as n from links l join bags p on p.id = l.parent_id where p.code = ${parent}`);

describe('sync.push over HTTP', () => {
  it('applies 35 children into one SB parent as 30 applied and 5 PARENT_FULL, in order', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const mutations = [queue.next('parent.scan', { code: 'SB60001' })];
    for (let i = 0; i < 35; i++) mutations.push(queue.next('child.link', { parentCode: 'SB60001', childCode: `S60001C${i}` }));
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.status).toBe(200);
    const statuses = res.data.results.map((r: any) => r.status);
    expect(statuses.slice(0, 31)).toEqual(Array(31).fill('applied'));
    expect(res.data.results.slice(31).map((r: any) => r.code)).toEqual(Array(5).fill('PARENT_FULL'));
    expect(res.data.results[30].data.parent).toMatchObject({ childCount: 30, capacity: 30, status: 'full' });
    expect(res.data.ackedThroughSeq).toBe(36);
    expect(await linksOf('SB60001')).toBe(30);
  });

  it('returns identical results with replay: true for a replayed batch and changes nothing', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const mutations = [
      queue.next('parent.scan', { code: 'SB60002' }),
      queue.next('child.link', { parentCode: 'SB60002', childCode: 'S60002A' }),
      queue.next('child.link', { parentCode: 'SB60002', childCode: 'S60002A' }),
      queue.next('child.link', { parentCode: 'SB69999', childCode: 'S60002B' }),
    ];
    const first = await http.mutate('sync.push', { deviceId, mutations });
    const events = await count(sql<{ n: number }>`select count(*)::int as n from scan_events`);
    const audit = await count(sql<{ n: number }>`select count(*)::int as n from audit_log`);
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results).toEqual(first.data.results.map((r: any) => ({ ...r, replay: true })));
    expect(first.data.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'unchanged', 'rejected']);
    expect(await count(sql<{ n: number }>`select count(*)::int as n from scan_events`)).toBe(events);
    expect(await count(sql<{ n: number }>`select count(*)::int as n from audit_log`)).toBe(audit);
    expect(await linksOf('SB60002')).toBe(1);
  });

  it('does not let a refused or malformed mutation stop the rest of the batch', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const other = await deviceFor(dispatcher);
    await other.http.mutate('sync.push', {
      deviceId: other.deviceId,
      mutations: [other.queue.next('parent.scan', { code: 'SB60009' }), other.queue.next('child.link', { parentCode: 'SB60009', childCode: 'S60003X' })],
    });
    const mutations = [
      queue.next('parent.scan', { code: 'SB60003' }),
      queue.next('child.link', { parentCode: 'SB60003', childCode: 'S60003A' }),
      queue.next('child.link', { parentCode: 'SB60003', childCode: 'S60003X' }),
      { ...queue.next('child.link', { parentCode: 'SB60003', childCode: 'x' }), args: { parentCode: 42 } } as any,
      { ...queue.next('parent.scan', { code: 'SB60003' }), name: 'bag.explode' },
      queue.next('bill.complete', { billNumber: 'NOPE-1' }),
      queue.next('child.link', { parentCode: 'SB60003', childCode: 'S60003B' }),
    ];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.data.results.map((r: any) => r.code ?? r.status)).toEqual([
      'applied', 'applied', 'CHILD_IN_OTHER_PARENT', 'VALIDATION', 'VALIDATION', 'FORBIDDEN', 'applied',
    ]);
    expect(res.data.results[2].data).toMatchObject({ otherParentCode: 'SB60009' });
    expect(res.data.results[2].message).toContain('SB60009');
    expect(await linksOf('SB60003')).toBe(2);
  });

  it('refuses one by one what Postgres cannot store or the protocol does not allow, applies the rest, and replays it all', async () => {
    const { http, deviceId, queue, cookie } = await deviceFor(dispatcher);
    // Nested deeper than JSON.stringify can go: only a hand-written body carries it.
    const DEEP = '{"code":'.repeat(20_000) + '"SB60019"' + '}'.repeat(20_000);
    const mutations = [
      queue.next('parent.scan', { code: 'SB60010' }),
      queue.next('child.link', { parentCode: 'SB60010', childCode: 's60010\u0000a' }),
      { ...queue.next('parent.scan', { code: 'SB60011' }), name: 'parent.scan\u0000' },
      queue.next('parent.scan', { code: 'SB6\ud8000012' }),
      { ...queue.next('parent.scan', { code: 'SB60013' }), clientTime: '0001-01-01T00:00:00.000Z' },
      { ...queue.next('parent.scan', { code: 'SB60014' }), clientTime: '+275760-09-13T00:00:00.000Z' },
      { ...queue.next('parent.scan', { code: 'SB60015' }), clientTime: '1999-12-31T23:59:59Z' },
      { ...queue.next('parent.scan', { code: 'SB60016' }), clientTime: 'now' },
      { ...queue.next('parent.scan', { code: 'SB60017' }), args: { code: 'SB60017', note: 'x'.repeat(5_000) } },
      { ...queue.next('parent.scan', { code: 'SB60018' }), args: { code: 'SB60018', junk: 'a\u0000\udc00' } },
      { ...queue.next('parent.scan', { code: 'SB60019' }), args: 'DEEP' },
      queue.next('child.link', { parentCode: 'SB60010', childCode: 'S60010B' }),
    ];
    const push = async () => {
      const body = JSON.stringify({ deviceId, mutations }).replace('"args":"DEEP"', `"args":${DEEP}`);
      const r = await app.request('/trpc/sync.push', { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body });
      return { status: r.status, data: ((await r.json()) as { result?: { data: any } }).result?.data };
    };
    const res = await push();
    expect(res.status).toBe(200);
    expect(res.data.results.map((r: any) => r.code ?? r.status)).toEqual([
      'applied', 'applied', 'VALIDATION', 'VALIDATION', 'VALIDATION', 'VALIDATION', 'applied', 'VALIDATION', 'VALIDATION', 'applied', 'VALIDATION', 'applied',
    ]);
    expect(res.data.results[2].message).toContain('Unknown mutation');
    expect(res.data.results[4].message).toContain('clientTime');
    expect(res.data.results[8].message).toContain('4096');
    expect(res.data.ackedThroughSeq).toBe(12);
    expect(await linksOf('SB60010')).toBe(2);
    const stored = await sql<{ seq: number; name: string; args: unknown; client_time: Date | null }>`
      select seq, name, args, client_time from scan_events where device_id = ${deviceId} order by seq`.execute(t.deps.db);
    // What is stored is what was parsed: normalised codes, no unknown keys, storable text only.
    expect(stored.rows[1]!.args).toEqual({ parentCode: 'SB60010', childCode: 'S60010A' });
    expect(stored.rows[2]!.name).toBe('parent.scan\ufffd');
    expect(stored.rows[9]!.args).toEqual({ code: 'SB60018' });
    expect(stored.rows.filter((r) => r.client_time === null).map((r) => r.seq)).toEqual([5, 6, 8]);
    // A handheld whose clock went back still scans real bags: applied, its own time kept.
    expect(stored.rows[6]!.client_time?.toISOString()).toBe('1999-12-31T23:59:59.000Z');

    const again = await push();
    expect(again.status).toBe(200);
    expect(again.data.results).toEqual(res.data.results.map((r: any) => ({ ...r, replay: true })));
    expect(await count(sql<{ n: number }>`select count(*)::int as n from scan_events where device_id = ${deviceId}`)).toBe(12);
    // The same batch without the hand-written part, through the ordinary client path, replays too.
    const plain = await http.mutate('sync.push', { deviceId, mutations: mutations.slice(0, 10) });
    expect(plain.data.results.every((r: any) => r.replay)).toBe(true);
  });

  it('refuses a queued bill with text Postgres cannot store on its own', async () => {
    const { http, deviceId, queue } = await deviceFor(biller);
    const mutations = [
      queue.next('bill.create', { billNumber: 'SYNC-NUL-1', capacity: 2, description: 'wheat\u0000' }),
      queue.next('bill.create', { billNumber: ' sync-nul-2 ', capacity: 2, destination: '  Indore ' }),
    ];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.data.results.map((r: any) => r.code ?? r.status)).toEqual(['VALIDATION', 'applied']);
    expect(res.data.results[0].message).toContain('description');
    const stored = await sql<{ args: unknown }>`select args from scan_events where device_id = ${deviceId} order by seq`.execute(t.deps.db);
    expect(stored.rows[1]!.args).toEqual({ billNumber: 'SYNC-NUL-2', capacity: 2, destination: 'Indore' });
    const again = await http.mutate('sync.push', { deviceId, mutations });
    expect(again.data.results.map((r: any) => r.replay)).toEqual([true, true]);
  });

  it('applies a batch in seq order whatever order it arrives in, and records seq gaps', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const scan = queue.next('parent.scan', { code: 'SB60004' });
    const link = queue.next('child.link', { parentCode: 'SB60004', childCode: 'S60004A' });
    queue.next('child.link', { parentCode: 'SB60004', childCode: 'LOST' }); // seq 3 never sent
    const late = queue.next('child.link', { parentCode: 'SB60004', childCode: 'S60004B' });
    const res = await http.mutate('sync.push', { deviceId, mutations: [late, link, scan] });
    expect(res.data.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'applied']);
    const gaps = await sql<{ from_seq: number; to_seq: number }>`select from_seq, to_seq from device_seq_gaps where device_id = ${deviceId}`.execute(t.deps.db);
    expect(gaps.rows).toEqual([{ from_seq: 3, to_seq: 3 }]);
    // Admins see it in the per-device sync health.
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const health = (await t.as(admin).device.list({ limit: 200 })).items.find((d) => d.deviceId === deviceId);
    expect(health).toMatchObject({ username: dispatcher.username, lastSeq: 4, pushCount: 1, gapCount: 1, rejectedCount: 0 });
  });

  it('computes seq gaps from all of a push’s seqs, fills them when the seqs arrive, and acknowledges only up to the first open gap', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const m = [queue.next('parent.scan', { code: 'SB60030' })];
    for (let i = 2; i <= 9; i++) m.push(queue.next('child.link', { parentCode: 'SB60030', childCode: `S60030C${i}` }));
    const push = async (...seqs: number[]) => {
      const res = await http.mutate('sync.push', { deviceId, mutations: seqs.map((s) => m[s - 1]!) });
      expect(res.status).toBe(200);
      return res.data;
    };

    // Out of order, 3–4 missing: every mutation applies, the acknowledgement stops before the gap.
    let res = await push(5, 2, 1);
    expect(res.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(res.ackedThroughSeq).toBe(2);
    expect(await gapsOf(deviceId)).toEqual([[3, 4, 'open']]);

    res = await push(9, 7);
    expect(res.ackedThroughSeq).toBe(2);
    expect(await gapsOf(deviceId)).toEqual([[3, 4, 'open'], [6, 6, 'open'], [8, 8, 'open']]);

    // Seq 3 arrives late: its gap splits into a filled and a still-open piece.
    res = await push(3);
    expect(res.ackedThroughSeq).toBe(3);
    expect(await gapsOf(deviceId)).toEqual([[3, 3, 'filled'], [4, 4, 'open'], [6, 6, 'open'], [8, 8, 'open']]);

    // A replay of earlier seqs beside the missing ones opens nothing new.
    res = await push(8, 1, 4, 6, 9);
    expect(res.results.map((r: any) => r.replay)).toEqual([false, true, false, false, true]);
    expect(res.ackedThroughSeq).toBe(9);
    expect(await gapsOf(deviceId)).toEqual([[3, 3, 'filled'], [4, 4, 'filled'], [6, 6, 'filled'], [8, 8, 'filled']]);
    expect(await linksOf('SB60030')).toBe(8);

    const admin = await createUser(t.deps.db, { role: 'admin' });
    const health = (await t.as(admin).device.list({ limit: 200 })).items.find((d) => d.deviceId === deviceId);
    expect(health).toMatchObject({ lastSeq: 9, pushCount: 4, gapCount: 0 });
  });

  it('finds no false gap after a push failed between chunks: the resend and the next push see the committed seqs', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const m = [queue.next('parent.scan', { code: 'SB60031' })];
    for (let i = 2; i <= 6; i++) m.push(queue.next('child.link', { parentCode: 'SB60031', childCode: `S60031C${i}` }));
    // What a push that died after its first chunk leaves behind: seqs 1–3 stored, last_seq not moved.
    const meta = { requestId: randomUUID(), ip: null, remoteIp: null, userAgent: null, clientId: null };
    await applyScanBatch(t.deps, dispatcher, meta, m.slice(0, 3).map((x) => ({
      envelope: { mutationId: x.id, deviceId, seq: x.seq, clientTime: x.clientTime, name: x.name, args: x.args },
      work: toScanWork(dispatcher, readMutation(x)),
    })));
    expect((await t.as(admin()).device.list({ limit: 200 })).items.find((d) => d.deviceId === deviceId)?.lastSeq).toBe(0);

    // The resend of the whole batch: 1–3 are replays, and not a gap.
    let res = await http.mutate('sync.push', { deviceId, mutations: m.slice(0, 5) });
    expect(res.data.results.map((r: any) => r.replay)).toEqual([true, true, true, false, false]);
    expect(res.data.ackedThroughSeq).toBe(5);
    expect(await gapsOf(deviceId)).toEqual([]);

    // Or a later push that never resends them: still no gap where seqs are stored.
    await applyScanBatch(t.deps, dispatcher, meta, [{
      envelope: { mutationId: m[5]!.id, deviceId, seq: 6, clientTime: m[5]!.clientTime, name: m[5]!.name, args: m[5]!.args },
      work: toScanWork(dispatcher, readMutation(m[5]!)),
    }]);
    res = await http.mutate('sync.push', { deviceId, mutations: [queue.next('child.link', { parentCode: 'SB60031', childCode: 'S60031C7' })] });
    expect(res.data.ackedThroughSeq).toBe(7);
    expect(await gapsOf(deviceId)).toEqual([]);

    // A gap filled by a push that failed after committing that seq is closed by the next push.
    const [late, after, last] = [8, 9, 10].map((i) => queue.next('child.link', { parentCode: 'SB60031', childCode: `S60031C${i}` }));
    res = await http.mutate('sync.push', { deviceId, mutations: [after] });
    expect(res.data.ackedThroughSeq).toBe(7);
    expect(await gapsOf(deviceId)).toEqual([[8, 8, 'open']]);
    await applyScanBatch(t.deps, dispatcher, meta, [{
      envelope: { mutationId: late!.id, deviceId, seq: 8, clientTime: late!.clientTime, name: late!.name, args: late!.args },
      work: toScanWork(dispatcher, readMutation(late!)),
    }]);
    res = await http.mutate('sync.push', { deviceId, mutations: [last] });
    expect(res.data.ackedThroughSeq).toBe(10);
    expect(await gapsOf(deviceId)).toEqual([[8, 8, 'filled']]);
  });

  it('audits bill mutations from a device with the device id and seq, as bag scans are', async () => {
    const { http, deviceId, queue } = await deviceFor(biller);
    const mutations = [
      queue.next('parent.scan', { code: 'SB60020' }),
      queue.next('parent.scan', { code: 'SB60021' }),
      queue.next('bill.create', { billNumber: 'SYNC-AUDIT-1', capacity: 3 }),
      queue.next('bill.addParent', { billNumber: 'SYNC-AUDIT-1', parentCode: 'SB60020' }),
      queue.next('bill.addParent', { billNumber: 'SYNC-AUDIT-1', parentCode: 'SB60021' }),
      queue.next('bill.removeParent', { billNumber: 'SYNC-AUDIT-1', parentCode: 'SB60021' }),
      queue.next('bill.addParent', { billNumber: 'SYNC-AUDIT-1', parentCode: 'SB60020' }),
      queue.next('bill.complete', { billNumber: 'SYNC-AUDIT-1', allowShort: true }),
    ];
    const res = await http.mutate('sync.push', { deviceId, mutations });
    expect(res.data.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'unchanged', 'applied']);
    const audits = await sql<{ action: string; device_id: string | null; seq: number | null }>`
      select action, device_id, seq::int from audit_log where request_id = (select request_id from audit_log where action = 'bill.create' and after->>'billNumber' = 'SYNC-AUDIT-1')
      order by seq`.execute(t.deps.db);
    expect(audits.rows).toEqual([
      { action: 'bag.register_parent', device_id: deviceId, seq: 1 },
      { action: 'bag.register_parent', device_id: deviceId, seq: 2 },
      { action: 'bill.create', device_id: deviceId, seq: 3 },
      { action: 'bill.add_parent', device_id: deviceId, seq: 4 },
      { action: 'bill.add_parent', device_id: deviceId, seq: 5 },
      { action: 'bill.remove_parent', device_id: deviceId, seq: 6 },
      { action: 'bill.complete', device_id: deviceId, seq: 8 },
    ]);
    // Online, the same writes are audited without a device.
    const since = await count(sql<{ n: number }>`select max(id)::int as n from audit_log`);
    await t.as(biller).bill.reopen({ billNumber: 'SYNC-AUDIT-1' });
    await t.as(biller).bill.addParent({ billNumber: 'SYNC-AUDIT-1', parentCode: 'SB60021' });
    const online = await sql<{ action: string; device_id: string | null; seq: number | null }>`
      select action, device_id, seq::int from audit_log where id > ${since} order by id`.execute(t.deps.db);
    expect(online.rows).toEqual([
      { action: 'bill.reopen', device_id: null, seq: null },
      { action: 'bill.add_parent', device_id: null, seq: null },
    ]);
  });

  it('refuses a reused id with different content as ID_REUSED', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const m = queue.next('parent.scan', { code: 'SB60005' });
    await http.mutate('sync.push', { deviceId, mutations: [m] });
    const res = await http.mutate('sync.push', { deviceId, mutations: [{ ...m, args: { code: 'SB60006' } }] });
    expect(res.data.results[0]).toMatchObject({ status: 'rejected', code: 'ID_REUSED' });
    expect(await count(sql<{ n: number }>`select count(*)::int as n from bags where code = 'SB60006'`)).toBe(0);
  });

  it('treats ids case-insensitively: an upper-case mutation and device id replay as themselves', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const m = { ...queue.next('parent.scan', { code: 'SB60032' }), id: randomUUID().toUpperCase() };
    const first = await http.mutate('sync.push', { deviceId: deviceId.toUpperCase(), mutations: [m] });
    expect(first.status).toBe(200);
    expect(first.data.results[0]).toMatchObject({ id: m.id.toLowerCase(), status: 'applied', replay: false });
    const again = await http.mutate('sync.push', { deviceId, mutations: [m] });
    expect(again.status).toBe(200);
    expect(again.data.results).toEqual([{ ...first.data.results[0], replay: true }]);
  });

  it('keeps a device id with the user who registered it: another user gets DEVICE_OTHER_USER, the owner keeps syncing', async () => {
    const mine = await deviceFor(dispatcher);
    const intruder = trpcHttp((u, i) => app.request(u, i), 'http://localhost', await sessionCookieFor(t.deps, biller.id));
    const m = mine.queue.next('parent.scan', { code: 'SB60007' });
    const res = await intruder.mutate('sync.push', { deviceId: mine.deviceId, mutations: [m] });
    expect(res.status).toBe(409);
    expect(res.error?.data.appCode).toBe('DEVICE_OTHER_USER');
    expect(res.error?.message).toContain(dispatcher.username);

    // Registering it does not take it over.
    const takeover = await intruder.mutate('device.register', { deviceId: mine.deviceId, label: 'not yours' });
    expect(takeover.status).toBe(409);
    expect(takeover.error?.data).toMatchObject({ appCode: 'DEVICE_OTHER_USER', details: { ownerUsername: dispatcher.username } });
    const row = await sql<{ user_id: number; label: string }>`select user_id::int, label from devices where id = ${mine.deviceId}`.execute(t.deps.db);
    expect(row.rows).toEqual([{ user_id: dispatcher.id, label: 'test handheld' }]);
    const own = await mine.http.mutate('sync.push', { deviceId: mine.deviceId, mutations: [m] });
    expect(own.data.results[0]).toMatchObject({ status: 'applied' });
    // The owner registering again is answered with the last seq the server has seen.
    expect((await mine.http.mutate('device.register', { deviceId: mine.deviceId })).data).toMatchObject({ lastSeq: 1, label: 'test handheld' });

    // Two users registering a new id at once: one gets it, the other is told whose it is.
    const contested = randomUUID();
    const both = await Promise.all([mine.http.mutate('device.register', { deviceId: contested }), intruder.mutate('device.register', { deviceId: contested })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);

    const unknown = await intruder.mutate('sync.push', { deviceId: randomUUID(), mutations: [m] });
    expect(unknown.error?.data.appCode).toBe('DEVICE_NOT_REGISTERED');
    const malformed = await intruder.mutate('sync.push', { deviceId: 'nope', mutations: [] });
    expect(malformed.status).toBe(400);
    expect(malformed.error?.data.appCode).toBe('VALIDATION');
    expect(await count(sql<{ n: number }>`select count(*)::int as n from scan_events where device_id = ${mine.deviceId}`)).toBe(1);
  });

  it('never interleaves two concurrent pushes of one device', async () => {
    const { http, deviceId, queue } = await deviceFor(dispatcher);
    const a = [queue.next('parent.scan', { code: 'SB60008' })];
    for (let i = 0; i < 40; i++) a.push(queue.next('child.link', { parentCode: 'SB60008', childCode: `S60008C${i}` }));
    const [r1, r2] = await Promise.all([http.mutate('sync.push', { deviceId, mutations: a }), http.mutate('sync.push', { deviceId, mutations: a })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const replays = [r1, r2].map((r) => r.data.results.every((x: any) => x.replay));
    expect(replays.sort()).toEqual([false, true]);
    expect(await linksOf('SB60008')).toBe(30);
    const outcomes = await count(sql<{ n: number }>`select count(*)::int as n from scan_events where device_id = ${deviceId}`);
    expect(outcomes).toBe(41);
  });

  it('keeps counters equal to a recount', async () => {
    const { counters, recount, parentsWithWrongCount } = await countersAndRecount(t.deps.db);
    expect(counters).toEqual(recount);
    expect(parentsWithWrongCount).toEqual([]);
  });
});

describe('sync.pull', () => {
  it('pages a new device through a snapshot, then returns only what changed', async () => {
    const jaipur = await createUser(t.deps.db, { role: 'dispatcher', area: 'jaipur' });
    const { http, deviceId, queue } = await deviceFor(jaipur);
    const mutations = [];
    for (let p = 0; p < 7; p++) {
      mutations.push(queue.next('parent.scan', { code: `SB6100${p}` }));
      mutations.push(queue.next('child.link', { parentCode: `SB6100${p}`, childCode: `P6100${p}A` }));
    }
    await http.mutate('sync.push', { deviceId, mutations });

    // A pull withholds rows of transactions older than the oldest one still running anywhere in
    // the cluster (other test files run beside this one), so keep pulling until they arrive.
    const seen: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    const deadline = Date.now() + 20_000;
    while (seen.length < 7 && Date.now() < deadline) {
      const res = await http.query('sync.pull', { cursor, limit: 3 });
      expect(res.status).toBe(200);
      seen.push(...res.data.changes);
      cursor = res.data.cursor;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((c) => c.code).sort()).toEqual(['SB61000', 'SB61001', 'SB61002', 'SB61003', 'SB61004', 'SB61005', 'SB61006']);
    expect(seen.every((c) => c.kind === 'parent' && c.area === 'jaipur' && c.children.length === 1 && c.isActive)).toBe(true);

    const nothing = await http.query('sync.pull', { cursor, limit: 50 });
    expect(nothing.data.changes).toEqual([]);

    await http.mutate('sync.push', { deviceId, mutations: [queue.next('child.link', { parentCode: 'SB61003', childCode: 'P61003B' })] });
    const later: any[] = [];
    cursor = nothing.data.cursor;
    while (later.length === 0 && Date.now() < deadline) {
      const res = await http.query('sync.pull', { cursor, limit: 50 });
      later.push(...res.data.changes);
      cursor = res.data.cursor;
    }
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ code: 'SB61003', childCount: 2, children: ['P61003A', 'P61003B'] });
    const bad = await http.query('sync.pull', { cursor: 'garbage' });
    expect(bad.error?.data.appCode).toBe('VALIDATION');
  });

  it('sends removals: a deleted parent, a parent moved to another area, a filled one; the rest stay', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const bathinda = await createUser(t.deps.db, { role: 'dispatcher', area: 'bathinda' });
    const sangaria = await createUser(t.deps.db, { role: 'dispatcher', area: 'sangaria' });
    const as = t.as(bathinda);
    for (const code of ['SB62001', 'SB62002', 'SB62003', 'M444-62004']) await as.bag.scanParent({ code });
    await as.bag.linkChild({ parentCode: 'SB62002', childCode: 'P62002A' });
    await as.bag.linkChild({ parentCode: 'SB62003', childCode: 'P62003A' });
    for (let i = 1; i <= 14; i++) await as.bag.linkChild({ parentCode: 'M444-62004', childCode: `P62004C${i}` });
    const codes = ['SB62001', 'SB62002', 'SB62003', 'M444-62004'];
    const first = await pullUntil(pullAs(bathinda), undefined, (c) => hasAll(c, codes));
    expect(first.reset).toBe(true);
    expect(lastOf(first.changes, 'SB62002')).toMatchObject({ isActive: true, isRemoved: false, children: ['P62002A'] });
    expect(Date.parse(lastOf(first.changes, 'SB62002').updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    await t.as(admin).bag.delete({ code: 'SB62001' });
    await sql`update bags set area = 'sangaria' where code = 'SB62003'`.execute(t.deps.db);
    await as.bag.linkChild({ parentCode: 'M444-62004', childCode: 'P62004C15' });
    const removed = ['SB62001', 'SB62003', 'M444-62004'];
    const next = await pullUntil(pullAs(bathinda), first.cursor, (c) => hasAll(c, removed));
    expect(next.reset).toBe(false);
    expect(lastOf(next.changes, 'SB62001')).toMatchObject({ isActive: false, isRemoved: true, status: 'empty', childCount: 0, format: 'SB' });
    expect(lastOf(next.changes, 'SB62003')).toMatchObject({ isActive: false, isRemoved: true, area: 'sangaria' });
    expect(lastOf(next.changes, 'M444-62004')).toMatchObject({ isActive: false, isRemoved: false, status: 'full', childCount: 15 });
    expect(next.changes.some((c) => keyOf(c) === 'SB62002')).toBe(false);
    const store = applyPulled(applyPulled(new Map(), first), next);
    expect([...store.keys()].filter((k) => codes.includes(k))).toEqual(['SB62002']);

    // The area it moved to sees it as an ordinary row.
    const there = await pullUntil(pullAs(sangaria), undefined, (c) => hasAll(c, ['SB62003']));
    expect(lastOf(there.changes, 'SB62003')).toMatchObject({ isActive: true, area: 'sangaria', children: ['P62003A'] });
  });

  it('orders removals before rows written later or in the same transaction, across pages of one', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const hisar = await createUser(t.deps.db, { role: 'dispatcher', area: 'hisar' });
    const codes = ['SB62101', 'SB62102', 'SB62103'];
    for (const code of codes) await t.as(hisar).bag.scanParent({ code });
    const first = await pullUntil(pullAs(hisar), undefined, (c) => hasAll(c, codes));
    await t.as(admin).bag.delete({ code: 'SB62101' });
    await t.as(admin).bag.delete({ code: 'SB62102' });
    await t.as(hisar).bag.scanParent({ code: 'SB62101' });
    // Out of the area and back in one transaction: its tombstone and its row share an xid.
    await t.deps.db.transaction().execute(async (tx) => {
      await sql`update bags set area = 'jaipur' where code = 'SB62103'`.execute(tx);
      await sql`update bags set area = 'hisar' where code = 'SB62103'`.execute(tx);
    });
    const isDone = (c: SyncChange[]) => c.filter((x) => keyOf(x) === 'SB62101').length === 2 && c.filter((x) => keyOf(x) === 'SB62103').length === 2;
    const next = await pullUntil(pullAs(hisar, 1), first.cursor, isDone);
    expect(next.changes.filter((c) => keyOf(c) === 'SB62101').map((c) => c.isRemoved)).toEqual([true, false]);
    expect(next.changes.filter((c) => keyOf(c) === 'SB62103').map((c) => c.isRemoved)).toEqual([true, false]);
    expect([...applyPulled(applyPulled(new Map(), first), next).keys()].filter((k) => codes.includes(k)).sort()).toEqual(['SB62101', 'SB62103']);
  });

  it('drops a completed bill and a deleted one from the billers’ feed', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const staffer = await createUser(t.deps.db, { role: 'biller' });
    const loader = await createUser(t.deps.db, { role: 'dispatcher', area: 'lucknow' });
    await t.as(loader).bag.scanParent({ code: 'SB62201' });
    const bills = t.as(staffer).bill;
    for (const billNumber of ['PULL-DONE', 'PULL-GONE', 'PULL-OPEN']) await bills.create({ billNumber, capacity: 2 });
    await bills.addParent({ billNumber: 'PULL-DONE', parentCode: 'SB62201' });
    const numbers = ['PULL-DONE', 'PULL-GONE', 'PULL-OPEN'];
    const first = await pullUntil(pullAs(staffer), undefined, (c) => hasAll(c, numbers));
    expect(lastOf(first.changes, 'PULL-DONE')).toMatchObject({ kind: 'bill', isActive: true, parentCount: 1, parents: [{ code: 'SB62201' }] });

    await bills.complete({ billNumber: 'PULL-DONE', allowShort: true });
    await t.as(admin).bill.delete({ billNumber: 'PULL-GONE' });
    const next = await pullUntil(pullAs(staffer), first.cursor, (c) => hasAll(c, ['PULL-DONE', 'PULL-GONE']));
    expect(lastOf(next.changes, 'PULL-DONE')).toMatchObject({ isActive: false, isRemoved: false, status: 'completed' });
    expect(lastOf(next.changes, 'PULL-GONE')).toMatchObject({ isActive: false, isRemoved: true, status: 'open', parents: [] });
    const store = applyPulled(applyPulled(new Map(), first), next);
    expect(numbers.filter((n) => store.has(n))).toEqual(['PULL-OPEN']);
  });

  it('drops a parent that ages out of the 48-hour window without any write', async () => {
    const akola = await createUser(t.deps.db, { role: 'dispatcher', area: 'akola' });
    await t.as(akola).bag.scanParent({ code: 'SB62301' });
    await t.as(akola).bag.linkChild({ parentCode: 'SB62301', childCode: 'P62301A' });
    const first = await pullUntil(pullAs(akola), undefined, (c) => hasAll(c, ['SB62301']));
    const later = { db: t.deps.db, clock: () => new Date(Date.now() + 49 * 3_600_000) };
    const aged = await pullUntil((cursor) => pullChanges(later, akola, { cursor, limit: 50 }), first.cursor, (c) => hasAll(c, ['SB62301']));
    expect(aged.reset).toBe(false);
    expect(lastOf(aged.changes, 'SB62301')).toMatchObject({ isActive: false, isRemoved: false, status: 'filling' });
    // Swept once: the next pull does not send it again, and a new device never gets it.
    expect((await pullChanges(later, akola, { cursor: aged.cursor, limit: 50 })).changes.some((c) => keyOf(c) === 'SB62301')).toBe(false);
    expect((await pullChanges(later, akola, { limit: 500 })).changes.some((c) => keyOf(c) === 'SB62301')).toBe(false);
  });

  it('restarts from a snapshot (reset) when the tombstones a cursor needs were pruned, or it is older than the retention', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const indore = await createUser(t.deps.db, { role: 'dispatcher', area: 'indore' });
    await t.as(indore).bag.scanParent({ code: 'SB62401' });
    await t.as(indore).bag.scanParent({ code: 'SB62402' });
    const first = await pullUntil(pullAs(indore), undefined, (c) => hasAll(c, ['SB62401', 'SB62402']));
    await t.as(admin).bag.delete({ code: 'SB62401' });
    // Everything in the table is older than 30 days a month from now.
    expect(await purgeExpiredTombstones(t.deps.db, new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThan(0);

    const res = await pullAs(indore)(first.cursor);
    expect(res.reset).toBe(true);
    const snapshot = await pullUntil(pullAs(indore), first.cursor, (c) => hasAll(c, ['SB62402']));
    expect(snapshot.changes.some((c) => keyOf(c) === 'SB62401')).toBe(false);
    expect(lastOf(snapshot.changes, 'SB62402')).toMatchObject({ isActive: true });

    // A cursor issued after the prune goes on with changes; one idle for a month restarts. The
    // pull horizon is cluster-wide (other test files' transactions hold it back), so the snapshot
    // to continue from is taken once no transaction older than the prune is running.
    await waitFor(async () => {
      const { horizon, prunedThrough } = await readFeedHorizon(t.deps.db);
      return BigInt(horizon) > BigInt(prunedThrough);
    }, 30_000, 'the pull horizon to pass the prune');
    const after = await pullUntil(pullAs(indore), undefined, (c) => hasAll(c, ['SB62402']));
    const fresh = await pullAs(indore)(after.cursor);
    expect(fresh.reset).toBe(false);
    const monthLater = { db: t.deps.db, clock: () => new Date(Date.now() + 30 * 86_400_000) };
    expect((await pullChanges(monthLater, indore, { cursor: fresh.cursor, limit: 50 })).reset).toBe(true);
  });

  it('restarts from a snapshot (reset) when the user’s area or role changed since the cursor was issued', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const mover = await createUser(t.deps.db, { role: 'dispatcher', area: 'ranchi' });
    const stayer = await createUser(t.deps.db, { role: 'dispatcher', area: 'raipur' });
    await t.as(mover).bag.scanParent({ code: 'SB62501' });
    await t.as(stayer).bag.scanParent({ code: 'SB62502' });
    const first = await pullUntil(pullAs(mover), undefined, (c) => hasAll(c, ['SB62501']));
    expect(first.changes.some((c) => keyOf(c) === 'SB62502')).toBe(false);

    await t.as(admin).user.update({ id: mover.id, area: 'raipur' });
    const moved = (await findActorById(t.deps.db, mover.id, { adminTwoFactor: 'optional' }))!;
    expect(moved.area).toBe('raipur');
    const res = await pullAs(moved)(first.cursor);
    expect(res.reset).toBe(true);
    const raipur = await pullUntil(pullAs(moved), first.cursor, (c) => hasAll(c, ['SB62502']));
    expect(raipur.changes.some((c) => keyOf(c) === 'SB62501')).toBe(false);
    expect(raipur.changes.every((c) => c.kind === 'parent' && c.area === 'raipur')).toBe(true);

    await t.as(admin).user.update({ id: mover.id, role: 'biller' });
    const biller = (await findActorById(t.deps.db, mover.id, { adminTwoFactor: 'optional' }))!;
    const asBiller = await pullAs(biller)(raipur.cursor);
    expect(asBiller.reset).toBe(true);
    expect(asBiller.changes.every((c) => c.kind === 'bill')).toBe(true);
  });
});

const pullAs = (actor: Actor, limit = 50) => (cursor?: string) => t.as(actor).sync.pull({ cursor, limit });
