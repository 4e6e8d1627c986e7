import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { fillingWorkload, mutationQueue } from '../factories/mutations';
import { createUser } from '../factories/users';
import { sessionCookieFor, trpcHttp } from '../helpers/http';
import { type Actor, createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let dispatcher: Actor;
beforeAll(async () => {
  t = await createTestApp();
  dispatcher = await createUser(t.deps.db, { role: 'dispatcher', area: 'hisar' });
});
afterAll(() => t.close());

describe('sync.push through the admission queue', () => {
  it('serves a burst of pushes from many devices one at a time, every scan applied once, and reads meanwhile', async () => {
    // One push at a time, room for all the others to wait: none may be refused.
    const app = createApp({ ...t.deps, config: { ...t.deps.config, pushConcurrency: 1, pushQueueSize: 16 } });
    const cookie = await sessionCookieFor(t.deps, dispatcher.id);
    const http = trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie);
    const devices = await Promise.all(Array.from({ length: 8 }, async (_, d) => {
      const deviceId = randomUUID();
      expect((await http.mutate('device.register', { deviceId })).status).toBe(200);
      const mutations = fillingWorkload(mutationQueue(), { prefix: `9${d}`, parents: 2, links: 30, childPrefix: `ADM${d}X` });
      return { deviceId, mutations };
    }));
    const [pushes, read] = await Promise.all([
      Promise.all(devices.map((d) => http.mutate('sync.push', { deviceId: d.deviceId, mutations: d.mutations }))),
      http.query('auth.me', undefined),
    ]);
    expect(read.status).toBe(200);
    expect(pushes.map((r) => r.status)).toEqual(devices.map(() => 200));
    for (const r of pushes) expect(r.data.results.map((x: { status: string }) => x.status)).toEqual(Array.from({ length: 32 }, () => 'applied'));
    const events = await t.deps.db.selectFrom('scan_events').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('device_id', 'in', devices.map((d) => d.deviceId)).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(8 * 32);
    const links = await t.deps.db.selectFrom('bags').select((eb) => eb.fn.countAll<number>().as('n')).where('code', 'like', 'ADM%').executeTakeFirstOrThrow();
    expect(Number(links.n)).toBe(8 * 30);
  });
});
