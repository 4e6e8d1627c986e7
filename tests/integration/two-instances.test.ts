import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '@tracetrack/db';
import type { Mutation } from '@tracetrack/shared';
import { sql } from 'kysely';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/modules/actor';
import { mutationQueue } from '../factories/mutations';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { applyToModel, emptyModel, modelLinks, type ModelOutcome } from '../helpers/bag-model';
import { trpcHttp } from '../helpers/http';
import { countersAndRecount } from '../helpers/recount';
import { type ServerProcess, startServerProcess } from '../helpers/server-process';
import { createTestDatabase } from '../helpers/test-db';

/**
 * Scaling out (server/README.md, "Several instances"): two server processes on their own ports,
 * one database, one Redis. Twenty handhelds push each batch to either at random, some batches
 * again to the other one afterwards, some to both at once; every mutation is applied once and
 * every answer, first or replayed, is the independent model's.
 */
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('two-instances.test.ts skipped: several instances share sessions and locks through Redis; REDIS_URL is unset');

const AREAS = ['lucknow', 'indore', 'jaipur', 'hisar', 'sri_ganganagar', 'sangaria', 'bathinda', 'raipur', 'ranchi', 'akola'];
const DEVICES = 20;
const BATCH = 13;
const SEED = 20261201;

/** A small seeded generator, so a failure replays the same schedule. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Device d's shift: three SB parents, 80 children round-robin (every tenth child sent again to
 * another parent: CHILD_IN_OTHER_PARENT), then eight more into the first (PARENT_FULL past 30).
 */
function workload(d: number): Mutation[] {
  const q = mutationQueue();
  const dd = String(d).padStart(2, '0');
  const parent = (p: number) => `SB7${dd}0${p}`;
  const out = [0, 1, 2].map((p) => q.next('parent.scan', { code: parent(p) }));
  for (let i = 0; i < 80; i++) {
    const child = i % 10 === 9 ? `K7${dd}C${i - 1}` : `K7${dd}C${i}`;
    out.push(q.next('child.link', { parentCode: parent(i % 3), childCode: child }));
  }
  for (let i = 0; i < 8; i++) out.push(q.next('child.link', { parentCode: parent(0), childCode: `K7${dd}X${i}` }));
  return out;
}

interface PushResult {
  id: string;
  status: string;
  code?: string;
  replay: boolean;
}

describe.skipIf(!REDIS_URL)('two server instances on one database and one Redis', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb({ url: database.url, poolSize: 2 }).db;
    // One key prefix for both, as instances of one installation have.
    const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: `tt-test:${randomUUID()}:`, WORKERS: '1' };
    servers = await Promise.all([startServerProcess(env, undefined, [], { bundle: true }), startServerProcess(env, undefined, [], { bundle: true })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await db?.destroy();
    await database?.drop();
  });

  it('20 devices push to either instance at random, with resends and races: every mutation applied exactly once', async () => {
    const next = random(SEED);
    const pushesTo = [0, 0];
    const mismatches: string[] = [];

    const devices = await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const user = await createUser(db, { role: 'dispatcher', area: AREAS[d % AREAS.length]! });
        // Each handheld its own loopback address: the sign-in limit per address is shared by both instances.
        const agent = new Agent({ localAddress: `127.0.0.${10 + d}` });
        const fetcher = (url: string, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
        return { d, user, agent, fetcher, deviceId: randomUUID(), mutations: workload(d), cookie: '' };
      }),
    );

    try {
      // Sign in on one instance: the session (in Redis) is good on the other.
      for (const dev of devices) {
        const first = servers[dev.d % 2]!;
        const res = await dev.fetcher(`${first.url}/trpc/auth.login`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: dev.user.username, password: TEST_PASSWORD }),
        });
        expect(res.status).toBe(200);
        dev.cookie = res.headers.getSetCookie().find((c) => c.startsWith('tt_session='))!.split(';')[0]!;
        const other = trpcHttp(dev.fetcher, servers[(dev.d + 1) % 2]!.url, dev.cookie);
        expect((await other.mutate('device.register', { deviceId: dev.deviceId })).status).toBe(200);
      }

      const expectedOf = new Map<string, ModelOutcome>();
      const models = devices.map((dev) => {
        const model = emptyModel();
        const now = Date.now();
        for (const m of dev.mutations) expectedOf.set(m.id, applyToModel(model, dev.user as Actor, m.name, m.args as Record<string, unknown>, now, Date.parse(m.clientTime)));
        return model;
      });

      /** One push; a 409 PUSH_IN_PROGRESS (the other instance holds the device) or 503 is resent, as the handheld does. */
      const push = async (dev: (typeof devices)[number], server: number, mutations: Mutation[]) => {
        const http = trpcHttp(dev.fetcher, servers[server]!.url, dev.cookie);
        for (let attempt = 0; ; attempt++) {
          pushesTo[server]! += 1;
          const res = await http.mutate<{ results: PushResult[] }>('sync.push', { deviceId: dev.deviceId, mutations });
          if (res.status === 200) {
            for (const r of res.data!.results) {
              const want = expectedOf.get(r.id)!;
              const got = { status: r.status, code: r.status === 'rejected' ? r.code : undefined };
              const wanted = { status: want.status, code: want.status === 'rejected' ? want.code : undefined };
              if (JSON.stringify(got) !== JSON.stringify(wanted)) mismatches.push(`device ${dev.d} ${r.id}: ${JSON.stringify(got)} ≠ ${JSON.stringify(wanted)}`);
            }
            return res.data!.results;
          }
          if ((res.status !== 409 && res.status !== 503) || attempt >= 20) throw new Error(`push to instance ${server}: ${res.status} ${JSON.stringify(res.error)}`);
        }
      };

      // Each device's schedule is drawn up front (one seeded sequence), then the devices run at once.
      const plans = devices.map((dev) => {
        const batches: { mutations: Mutation[]; server: number; resend: 'none' | 'after' | 'race' }[] = [];
        for (let i = 0; i < dev.mutations.length; i += BATCH) {
          const roll = next();
          batches.push({ mutations: dev.mutations.slice(i, i + BATCH), server: next() < 0.5 ? 0 : 1, resend: roll < 0.6 ? 'none' : roll < 0.8 ? 'after' : 'race' });
        }
        return batches;
      });
      await Promise.all(
        devices.map(async (dev, i) => {
          for (const batch of plans[i]!) {
            const other = 1 - batch.server;
            if (batch.resend === 'race') {
              await Promise.all([push(dev, batch.server, batch.mutations), push(dev, other, batch.mutations)]);
            } else {
              await push(dev, batch.server, batch.mutations);
              // The answer was lost: the handheld sends the batch again, and this time it lands on the other instance.
              if (batch.resend === 'after') expect((await push(dev, other, batch.mutations)).every((r) => r.replay)).toBe(true);
            }
          }
          // A reinstalled outbox resends everything: all replays.
          const all = await push(dev, i % 2, dev.mutations);
          expect(all.every((r) => r.replay)).toBe(true);
        }),
      );

      expect(mismatches).toEqual([]);
      expect(pushesTo[0]).toBeGreaterThan(50);
      expect(pushesTo[1]).toBeGreaterThan(50);

      const sent = devices.flatMap((dev) => dev.mutations);
      const events = await sql<{ mutation_id: string; n: number; status: string; error_code: string | null }>`
        select mutation_id, count(*)::int as n, min(status::text) as status, min(error_code) as error_code
        from scan_events where device_id = any(${devices.map((dev) => dev.deviceId)}::uuid[]) group by mutation_id`.execute(db);
      expect(events.rows).toHaveLength(sent.length);
      expect(events.rows.filter((r) => r.n !== 1)).toEqual([]);
      for (const row of events.rows) {
        const want = expectedOf.get(row.mutation_id)!;
        expect({ id: row.mutation_id, status: row.status, code: row.error_code }).toEqual({
          id: row.mutation_id, status: want.status, code: want.status === 'rejected' ? want.code : null,
        });
      }
      const links = await sql<{ link: string }>`
        select c.code || '>' || p.code as link from links l join bags c on c.id = l.child_id join bags p on p.id = l.parent_id
        where p.code like 'SB7%'`.execute(db);
      expect(links.rows.map((r) => r.link).sort()).toEqual(models.flatMap((m) => modelLinks(m)).sort());
      const { counters, recount, parentsWithWrongCount } = await countersAndRecount(db);
      expect(parentsWithWrongCount).toEqual([]);
      expect(counters).toEqual(recount);
      const applied = [...expectedOf.values()].filter((o) => o.status === 'applied').length;
      console.info(`two instances: ${sent.length} mutations from ${DEVICES} devices in ${pushesTo[0]! + pushesTo[1]!} pushes (${pushesTo.join(' / ')}), ${applied} applied once, ${links.rows.length} links`);
    } finally {
      await Promise.all(devices.map((dev) => dev.agent.close()));
    }
  }, 240_000);
});
