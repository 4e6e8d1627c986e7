import { randomUUID } from 'node:crypto';
import { createDb } from '@tracetrack/db';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as deviceHealth from '../../db/src/migrations/0004-device-health';
import { mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-db';
import type { Actor } from '../../server/src/modules/actor';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** Each device's refusal counter next to a recount of its stored outcomes. */
async function countersAndRecount(deviceIds: string[]) {
  const rows = await sql<{ id: string; counter: number; recount: number }>`
    select d.id, d.rejected_count::int as counter,
      (select count(*)::int from scan_events e where e.device_id = d.id and e.status = 'rejected') as recount
    from devices d where d.id = any(${deviceIds}::uuid[]) order by d.id`.execute(t.deps.db);
  return rows.rows;
}

async function registered(actor: Actor) {
  const deviceId = randomUUID();
  await t.as(actor).device.register({ deviceId });
  return { actor, deviceId, queue: mutationQueue() };
}

describe('device refusal counters (device.list)', () => {
  it('match a recount of stored refusals after pushes with refusals, replays, reused ids and multi-chunk batches', async () => {
    const dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'sangaria' });
    const biller = await createUser(t.deps.db, { role: 'biller' });
    const a = await registered(dispatcher);
    const b = await registered(dispatcher);
    const c = await registered(biller);

    // a: a M444 parent overfilled (15 + 5 PARENT_FULL), a malformed scan and a bill mutation a dispatcher may not send.
    const aBatch = [a.queue.next('parent.scan', { code: 'M444-40001' })];
    for (let i = 0; i < 20; i++) aBatch.push(a.queue.next('child.link', { parentCode: 'M444-40001', childCode: `H40A${i}` }));
    aBatch.push({ ...a.queue.next('parent.scan', { code: 'SB40001' }), args: { code: 7 } } as never);
    aBatch.push(a.queue.next('bill.create', { billNumber: 'HEALTH-1', capacity: 2 }));
    const first = await t.as(dispatcher).sync.push({ deviceId: a.deviceId, mutations: aBatch });
    expect(first.results.filter((r) => r.status === 'rejected').map((r) => r.code)).toEqual([...Array(5).fill('PARENT_FULL'), 'VALIDATION', 'FORBIDDEN']);
    // A replay and a reused id store nothing new.
    await t.as(dispatcher).sync.push({ deviceId: a.deviceId, mutations: aBatch.slice(15) });
    const reused = await t.as(dispatcher).sync.push({ deviceId: a.deviceId, mutations: [{ ...aBatch[20]!, args: { parentCode: 'M444-40001', childCode: 'OTHER1' } }] });
    expect(reused.results[0]?.code).toBe('ID_REUSED');

    // b: 450 mutations in three chunks, a refused link in each (a child already in a's parent), and
    // the first refused one sent twice (answered twice, stored once).
    const bBatch = [];
    for (let p = 0; p < 15; p++) {
      const parent = `SB400${String(p + 10)}`;
      bBatch.push(b.queue.next('parent.scan', { code: parent }));
      for (let j = 0; j < 29; j++) {
        const child = j === 10 && [2, 9, 14].includes(p) ? `H40A${p}` : `H40B${p}x${j}`;
        bBatch.push(b.queue.next('child.link', { parentCode: parent, childCode: child }));
      }
    }
    const refusedTwice = bBatch.find((m) => (m.args as { childCode?: string }).childCode === 'H40A2')!;
    const second = await t.as(dispatcher).sync.push({ deviceId: b.deviceId, mutations: [...bBatch, refusedTwice] });
    expect(second.results.filter((r) => r.status === 'rejected').map((r) => r.code)).toEqual(Array(4).fill('CHILD_IN_OTHER_PARENT'));

    // c: bill refusals go through the effect path; online refusals have no device and count nowhere.
    await t.as(biller).sync.push({
      deviceId: c.deviceId,
      mutations: [c.queue.next('bill.addParent', { billNumber: 'NOPE-40', parentCode: 'SB40010' }), c.queue.next('bill.complete', { billNumber: 'NOPE-40' })],
    });
    await expect(t.as(biller).bill.addParent({ billNumber: 'NOPE-41', parentCode: 'SB40010' })).rejects.toThrow();

    const ids = [a.deviceId, b.deviceId, c.deviceId];
    const rows = await countersAndRecount(ids);
    expect(rows.map((r) => r.counter)).toEqual(rows.map((r) => r.recount));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.counter]))).toEqual({ [a.deviceId]: 7, [b.deviceId]: 3, [c.deviceId]: 2 });

    const admin = await createUser(t.deps.db, { role: 'admin' });
    const listed = (await t.as(admin).device.list({ limit: 200 })).items.filter((d) => (ids as string[]).includes(d.deviceId));
    expect(Object.fromEntries(listed.map((d) => [d.deviceId, d.rejectedCount]))).toEqual({ [a.deviceId]: 7, [b.deviceId]: 3, [c.deviceId]: 2 });
  });

  it('migration 0004 backfills the counter from the refusals already stored', async () => {
    const database = await createTestDatabase();
    const { db } = createDb({ url: database.url, poolSize: 1 });
    try {
      await deviceHealth.down(db as Kysely<unknown>);
      const user = await createUser(db, { role: 'dispatcher', area: 'akola' });
      const [d1, d2] = [randomUUID(), randomUUID()];
      await sql`insert into devices (id, user_id) values (${d1}, ${user.id}), (${d2}, ${user.id})`.execute(db);
      await sql`
        insert into scan_events (mutation_id, device_id, seq, user_id, name, args, status, error_code, message)
        select gen_random_uuid(), d, n, ${user.id}, 'child.link', '{}', s::event_status, null, 'm'
        from (values (${d1}::uuid, 1, 'rejected'), (${d1}::uuid, 2, 'applied'), (${d1}::uuid, 3, 'rejected'), (${d2}::uuid, 1, 'unchanged'), (null, null, 'rejected')) v(d, n, s)`.execute(db);
      await deviceHealth.up(db as Kysely<unknown>);
      const rows = await sql<{ id: string; n: number }>`select id, rejected_count::int as n from devices order by id`.execute(db);
      expect(Object.fromEntries(rows.rows.map((r) => [r.id, r.n]))).toEqual({ [d1]: 2, [d2]: 0 });
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
