import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../server/src/maintenance';
import { mutationQueue } from '../factories/mutations';
import { createStaff } from '../factories/users';
import { refusal } from '../helpers/errors';
import { createCaller, createTestApp, type TestApp } from '../helpers/test-app';
import { createContextInner } from '../../server/src/trpc/context';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

describe('system.health', () => {
  it('is for admins only', async () => {
    expect((await refusal(t.as(staff.biller).system.health())).appCode).toBe('FORBIDDEN');
    expect((await refusal(t.as(staff.dispatcher).system.health())).appCode).toBe('FORBIDDEN');
    expect((await refusal(t.anonymous().system.health())).appCode).toBe('UNAUTHENTICATED');
  });

  it('reports the database, Redis, this process, calls, migrations and background work as they are', async () => {
    // Some work to count: a push of 3 scans and a lookup of a bag that does not exist.
    const deviceId = randomUUID();
    await t.as(staff.dispatcher).device.register({ deviceId });
    const q = mutationQueue();
    await t.as(staff.dispatcher).sync.push({ deviceId, mutations: [q.next('parent.scan', { code: 'SB70001' }), q.next('child.link', { parentCode: 'SB70001', childCode: 'H70A1' }), q.next('child.link', { parentCode: 'SB70001', childCode: 'H70A2' })] });
    await refusal(t.as(staff.biller).bag.get({ code: 'SB79999' }));
    // One maintenance run, recorded for the screen.
    const stop = startMaintenance(t.deps);
    stop();
    await expect.poll(async () => (await sql<{ s: string }>`select last_status as s from background_runs where job = 'maintenance'`.execute(t.deps.db)).rows[0]?.s).toBe('ok');
    // A 5xx in the shared ring (as a failing procedure records it).
    t.deps.recentErrors.record({ where: 'bag.get', requestId: 'req-health-1', status: 500, message: 'boom for the health test' });

    const h = await t.as(staff.admin).system.health();
    const size = await sql<{ n: string }>`select pg_database_size(current_database())::text as n`.execute(t.deps.db);
    expect(h.database.version).toBe((await sql<{ server_version: string }>`show server_version`.execute(t.deps.db)).rows[0]!.server_version);
    expect(h.database.sizeBytes).toBeGreaterThan(0);
    // Within the growth of a few pages between the two reads.
    expect(Math.abs(h.database.sizeBytes - Number(size.rows[0]!.n))).toBeLessThan(1_000_000);
    expect(h.database.pool.max).toBe(50);
    expect(h.database.pool.total).toBeGreaterThanOrEqual(1);
    // This test database has no pg_stat_statements: the app's own procedures stand in.
    expect(h.database.slowest).toMatchObject({ source: 'procedures', note: expect.stringMatching(/^The pg_stat_statements extension is not created/) });
    expect(h.database.slowest.entries.map((e) => e.text)).toEqual(expect.arrayContaining(['sync.push', 'bag.get', 'device.register']));
    expect(h.database.slowest.entries.find((e) => e.text === 'sync.push')!.calls).toBe(1);
    expect(h.redis.status).toBe(process.env.REDIS_URL ? 'ok' : 'not-configured');
    if (process.env.REDIS_URL) expect(h.redis.version).toMatch(/^\d+\.\d+/);
    expect(h.workers.map((w) => w.pid)).toEqual([process.pid]);
    expect(h.workers[0]!.rssBytes).toBeGreaterThan(10_000_000);
    expect(h.errors.callsLastHour).toBeGreaterThanOrEqual(4);
    expect(h.errors.recent[0]).toMatchObject({ where: 'bag.get', requestId: 'req-health-1', status: 500, message: 'boom for the health test' });
    const applied = await sql<{ n: string; latest: string }>`select count(*)::text as n, max(name) as latest from kysely_migration`.execute(t.deps.db);
    expect(h.migrations).toMatchObject({ applied: Number(applied.rows[0]!.n), latestApplied: applied.rows[0]!.latest });
    expect(h.migrations.known).toBe(h.migrations.applied);
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(h.background.maintenance.status).toBe('ok');
    expect(h.background.maintenance.detail).toMatch(/^Purged \d+ audit rows/);
    expect(Date.parse(h.background.maintenance.nextRunAt!) - Date.parse(h.background.maintenance.lastStartedAt!)).toBe(3_600_000);
    expect(h.background.endOfDayMail).toMatchObject({ isConfigured: false, nextRunAt: null });
  });

  it('shows the last failed end-of-day mail and when the next one is due', async () => {
    const eod = await createTestApp({ eodSendAt: '23:59', smtpUrl: 'smtp://127.0.0.1:9', clock: () => new Date('2026-03-10T08:00:00Z') });
    try {
      const admin = (await createStaff(eod.deps.db)).admin;
      await sql`insert into eod_runs (day, status, attempts, detail, started_at, finished_at) values ('2026-03-09', 'failed', 3, 'connect ECONNREFUSED 127.0.0.1:9', '2026-03-09T18:29:00Z', '2026-03-09T18:29:05Z')`.execute(eod.deps.db);
      const h = await eod.as(admin).system.health();
      expect(h.background.endOfDayMail).toMatchObject({
        isConfigured: true, sendAt: '23:59', lastDay: '2026-03-09', lastStatus: 'failed',
        lastError: 'connect ECONNREFUSED 127.0.0.1:9', lastErrorAt: '2026-03-09T18:29:05.000Z',
        // 23:59 in Asia/Kolkata (UTC+5:30) on 10 March.
        nextRunAt: '2026-03-10T18:29:00.000Z',
      });
    } finally {
      await eod.close();
    }
  });

  it('says why pg_stat_statements is not used when the extension is created but not loaded, or lists its statements when it is', async () => {
    const admin = (await createStaff(t.deps.db)).admin;
    await sql`create extension if not exists pg_stat_statements`.execute(t.deps.db);
    const loaded = await sql`select 1 from pg_stat_statements limit 1`.execute(t.deps.db).then(() => true, () => false);
    const h = await t.as(admin).system.health();
    if (loaded) {
      expect(h.database.slowest.source).toBe('pg_stat_statements');
      expect(h.database.slowest.entries.length).toBeGreaterThan(0);
    } else {
      expect(h.database.slowest).toMatchObject({ source: 'procedures', note: expect.stringMatching(/created but not loaded \(add it to shared_preload_libraries/) });
      expect(h.database.slowest.entries.length).toBeGreaterThan(0);
    }
  });

  it('answers with Redis down, saying so', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    try {
      const h = await createCaller(createContextInner({ deps: { ...t.deps, redis: dead }, actor: staff.admin })).system.health();
      expect(h.redis).toEqual({ status: 'down', version: null, usedMemoryBytes: null });
      expect(h.database.sizeBytes).toBeGreaterThan(0);
    } finally {
      dead.disconnect();
    }
  });
});
