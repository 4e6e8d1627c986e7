/**
 * `npm run bench [-- --bags N] [--quick] [--workers 1,2] [--threads 2] [--password P]`
 * Builds and starts the real server (server/dist/main.js, what `npm start` runs) against DATABASE_URL or the embedded Postgres,
 * drives it over loopback HTTP from worker threads, measures pgbench on the same Postgres, and
 * writes tests/bench/results/<timestamp>.json plus a table (also into tests/bench/README.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, ensureDatabase, migrateToLatest, type RunningPostgres, startEmbeddedPostgres } from '@tracetrack/db';
import { seedDatabase } from '@tracetrack/db/seed/index';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadEnv } from '../../server/src/env';
import { hashPassword } from '@tracetrack/db';
import { freePort, startServerProcess } from '../helpers/server-process';
import { spawn } from 'node:child_process';
import { createStatementRecorder, type StatementRecorder, writeScripts } from './statements';
import * as fx from './fixtures';
import { exportsTable, type ExportRun, measureExport, seededAdmin } from './exports';
import { loopbackAddress } from './http-client';
import { measureObservabilityCost, type ObservabilityReport, observabilityTable } from './observability';
import { runPhase } from './load-pool';
import { runPgbench, runPgbenchScripts } from './pgbench';
import { type PhaseReport, percentiles, summaryTable, writeReport } from './report';
import { sampleResources } from './proc-stats';
import type { ClientSpec, ReadRequest } from './scripts';

const { values: args } = parseArgs({
  options: {
    /** Bags to seed into the bench's own database (default 2,000,000; 200,000 with --quick). */
    bags: { type: 'string' },
    /** Keep the bench's database afterwards (its name is printed); reuse it with --database NAME. */
    keep: { type: 'boolean', default: false },
    /** Reuse a kept bench database (tt_bench_…) instead of creating and seeding a new one. */
    database: { type: 'string' },
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1,2' },
    threads: { type: 'string', default: '2' },
    password: { type: 'string', default: 'Seed-Passw0rd!' },
    readme: { type: 'boolean', default: true },
    'cpu-prof': { type: 'boolean', default: false },
    /** Extra node flags for the server process, e.g. --node-arg=--trace-gc */
    'node-arg': { type: 'string', multiple: true, default: [] },
    only: { type: 'string' },
  },
  allowNegative: true,
});
const quick = args.quick;
const T = {
  pushSeconds: quick ? 3 : 10,
  pushCap: quick ? 4_000 : 30_000,
  issue3: quick ? 2_000 : 10_000,
  onlineSeconds: quick ? 4 : 12,
  readSeconds: quick ? 2 : 6,
  readClients: 16,
  pgbenchSeconds: quick ? 5 : 15,
  /** Reconnect storm: 200 handhelds × this backlog, in batches of 500. */
  stormBacklog: 1_000,
};
const threads = Number(args.threads);
/** Other work on the machine skews every figure; recorded with the results. */
const loadBefore = os.loadavg()[0]!.toFixed(1);
const root = path.resolve(import.meta.dirname, '../..');
const env = loadEnv();
const log = (m: string) => console.log(m);

let embedded: RunningPostgres | null = null;
let serverUrl = env.DATABASE_URL;
if (!serverUrl) {
  const dataDir = path.join(env.DATA_DIR, 'pg');
  log(`DATABASE_URL is unset: using the embedded Postgres in ${dataDir} (port ${env.EMBEDDED_PG_PORT})`);
  embedded = await startEmbeddedPostgres({ dataDir: path.resolve(root, dataDir), port: env.EMBEDDED_PG_PORT });
  serverUrl = embedded.url;
}
// The bench never touches the working database: it creates its own on the same Postgres server
// (seeded here, dropped at the end unless --keep), so it runs the same after `npm start` and a
// few scans as on an empty installation.
if (args.database && !/^tt_bench_[a-z0-9_]+$/.test(args.database)) throw new Error('--database takes the name of a kept bench database (tt_bench_…).');
const benchDb = args.database ?? `tt_bench_${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}_${Math.random().toString(36).slice(2, 6)}`;
const pgbenchDb = `${benchDb}_pgbench`;
const adminUrl = new URL(serverUrl);
adminUrl.pathname = '/postgres';
const dbUrl = new URL(serverUrl);
dbUrl.pathname = `/${benchDb}`;
const url = dbUrl.toString();
const isKept = args.keep || !!args.database;
await ensureDatabase(adminUrl.toString(), benchDb);
log(`Bench database: ${benchDb} on ${adminUrl.host}${isKept ? ' (kept afterwards)' : ' (dropped afterwards; --keep keeps it)'}`);

// Interrupted (Ctrl-C): still drop what the bench created.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: dropping the bench databases…`);
    void dropBenchDatabases().catch(() => {}).finally(() => process.exit(130));
  });
}

const client = new pg.Client({ connectionString: url });
try {
  const { db } = createDb({ url, poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();
  await client.connect();
  let bags = Number((await client.query<{ n: string }>('select count(*) as n from bags')).rows[0]!.n);
  if (bags === 0) {
    const want = Number(args.bags ?? (quick ? 200_000 : 2_000_000));
    log(`Seeding ${want.toLocaleString('en')} bags into ${benchDb}…`);
    const s = await seedDatabase(client, { bags: want, seed: 1, passwordHash: await hashPassword(args.password), timeZone: env.TIME_ZONE });
    log(`  seeded in ${(s.ms / 1000).toFixed(1)} s`);
    bags = s.bags;
  }
  const redisUrl = env.REDIS_URL ?? (await probeRedis('redis://127.0.0.1:6379'));
  const workerConfigs = args.workers.split(',').map(Number).filter((w) => w === 1 || redisUrl);
  log(`Bags: ${bags.toLocaleString('en')}; Redis: ${redisUrl ?? 'none (WORKERS=1 only)'}; worker configs: ${workerConfigs.join(', ')}`);

  execFileSync(process.execPath, ['server/build.mjs'], { cwd: root, stdio: 'inherit' });

  await ensureDatabase(adminUrl.toString(), pgbenchDb);
  log('pgbench (ceiling)…');
  const pgbench = await runPgbench(dbUrl, pgbenchDb, { seconds: T.pgbenchSeconds, clients: 20, scale: 10 });
  for (const p of pgbench) log(`  ${p.mode}: ${p.tps.toFixed(0)} TPS (20 clients)`);

  const users = await fx.seededUsers(client);
  /** Ceilings measured in this run, by name: the bare HTTP stack and each read phase's pgbench script. */
  const ceilings = new Map<string, number>();
  const recorder = await createStatementRecorder(url);
  const recorderCookies = new Map<string, string>();
  const scriptDir = path.join(root, '.data/bench-scripts');
  const admin = await seededAdmin(client);
  const exportRuns: Array<ExportRun & { workers: number }> = [];
  const billNo = await fx.largestBill(client);
  const codes = await fx.sampleBagCodes(client, 4000);
  // Partial code search: 4 characters from the middle of real codes (a contains-search).
  const searches = codes.filter((c) => c.length >= 6).slice(0, 500).map((c) => c.slice(2, 6));
  const phases: PhaseReport[] = [];
  let cookies: Map<string, string> | null = null;
  let group = 0;
  let storm: StormResult | null = null;

  // The HTTP stack's ceilings: a bare Hono route and a bare tRPC query on the same Node, no app;
  // measured in each configuration right before /health and auth.me (the machine's load moves).
  const bare = await startBareServer();
  let isBareWarm = false;
  const measureBare = async (workers: number) => {
    const routes = [['bare Hono route', { path: '/bare' }], ['bare tRPC query', { procedure: 'noop', input: undefined }]] as const;
    if (!isBareWarm) {
      // Warm-up, not recorded: JIT and sockets, as the app gets before its phases.
      group += 1;
      await runPhase(bare.url, Array.from({ length: T.readClients }, (_, i) => ({
        kind: 'read' as const, caller: { localAddress: loopbackAddress(group, i) }, requests: routes.map(([, r]) => r), budget: 1_000_000,
      })), { threads, durationMs: 3_000 });
      isBareWarm = true;
    }
    for (const [phase, request] of routes) {
      group += 1;
      const clients: ClientSpec[] = Array.from({ length: T.readClients }, (_, i) => ({
        kind: 'read', caller: { localAddress: loopbackAddress(group, i) }, requests: [request], budget: 1_000_000,
      }));
      let resources: PhaseReport['resources'] | undefined;
      const run = await runPhase(bare.url, clients, { threads, durationMs: T.readSeconds * 1000 }, () => {
        const s = sampleResources(bare.pid);
        return () => void (resources = s.stop());
      });
      const r = run.result;
      const report: PhaseReport = {
        workers, phase: `${phase} (bare, ceiling) flat out`, ceiling: 'select-only', own: [], clients: clients.length, requests: r.ok + r.errors, errors: r.errors, rejected: r.rejected,
        elapsedS: run.elapsedMs / 1000, reqPerS: r.ok / (run.elapsedMs / 1000), mutationsPerS: null, ...percentiles(r.latencies), resources: resources!, errorSamples: r.errorSamples.slice(0, 5),
      };
      phases.push(report);
      ceilings.set(`${phase}@${workers}`, report.reqPerS);
      log(`  ${phase} (bare, ceiling): ${report.reqPerS.toFixed(0)} req/s, p50 ${report.p50.toFixed(1)} p99 ${report.p99.toFixed(1)} ms, errors ${r.errors}`);
    }
  };

  for (const workers of workerConfigs) {
    log(`\n=== WORKERS=${workers} ===`);
    const server = await startServerProcess({
      // As `npm start` runs it (package.json): the heap cap that keeps a worker under 250 MB.
      NODE_OPTIONS: `--max-old-space-size=160 ${process.env.NODE_OPTIONS ?? ''}`.trim(),
      // The server's own pool idle timeout, not the test servers' 30 s.
      DATABASE_URL: url, WORKERS: String(workers), DB_POOL_IDLE_MS: process.env.DB_POOL_IDLE_MS, ...(redisUrl ? { REDIS_URL: redisUrl } : { REDIS_URL: '' }),
    }, undefined, [...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, '.data/profiles')}`] : []), ...args['node-arg']], { bundle: true });
    const base = new URL(server.url);
    try {
      // Each server start has its own Redis key prefix (startServerProcess), so sessions of the
      // previous configuration are not found: sign in again.
      cookies = await fx.signIn(base, [...users.dispatchers, users.biller, admin], args.password);
      const devices = await fx.registerDevices(base, users.dispatchers, cookies, 200);
      const billerCookie = cookies.get(users.biller.username)!;
      const dispatcher = users.dispatchers[0]!;
      const dispatcherCookie = cookies.get(dispatcher.username)!;
      const runTag = Date.now().toString(36).toUpperCase().slice(-6);

      const measure = async (phase: string, ceiling: PhaseReport['ceiling'], clients: ClientSpec[], seconds: number, isWrite: boolean, own: string[] = []) => {
        if (args.only && !phase.includes(args.only)) return;
        let resources: PhaseReport['resources'] | undefined;
        const run = await runPhase(server.url, clients, { threads, durationMs: seconds * 1000 }, () => {
          const s = sampleResources(server.child.pid!);
          return () => void (resources = s.stop());
        });
        const r = run.result;
        const elapsedS = run.elapsedMs / 1000;
        const report: PhaseReport = {
          workers, phase, ceiling, own, clients: clients.length, requests: r.ok + r.errors, errors: r.errors, rejected: r.rejected, elapsedS,
          reqPerS: r.ok / elapsedS, mutationsPerS: isWrite ? r.applied / elapsedS : null, ...percentiles(r.latencies), resources: resources!,
          errorSamples: r.errorSamples.slice(0, 5),
        };
        phases.push(report);
        if (resources!.serverPeakRssMb.some((mb) => mb >= 250)) log(`  ! ${phase}: a worker reached ${Math.max(...resources!.serverPeakRssMb)} MB RSS (target < 250 MB)`);
        log(`  ${phase}: ${report.reqPerS.toFixed(0)} req/s${isWrite ? `, ${report.mutationsPerS!.toFixed(0)} mutations/s` : ''}, p50 ${report.p50.toFixed(1)} p95 ${report.p95.toFixed(1)} p99 ${report.p99.toFixed(1)} ms, errors ${r.errors}, rejected ${r.rejected}, server CPU ${resources!.serverCpuPct.toFixed(0)}%, RSS ${resources!.serverPeakRssMb.join('/')} MB${r.errorSamples.length ? `\n    e.g. ${r.errorSamples[0]}` : ''}`);
      };

      // Writes: each device scans new parents and fills them with new children.
      let free = await fx.freeParentCodes(client);
      const take = (n: number) => free.splice(0, n);
      const writers = async (phase: string, count: number, spec: (d: fx.BenchDevice, i: number) => ClientSpec, seconds: number, perDevice: number) => {
        free = await fx.freeParentCodes(client);
        if (free.length < count * (Math.ceil(perDevice / 16) + 1)) throw new Error(`Only ${free.length} unused parent codes left: reseed with npm run seed -- --reset --bags N.`);
        await measure(phase, 'simple-update', devices.slice(0, count).map(spec), seconds, true);
      };
      // Warm-up, not recorded: JIT, every pooled connection's prepared statements, caches.
      group += 1;
      free = await fx.freeParentCodes(client);
      const warmUp: ClientSpec[] = devices.slice(0, 20).map((d, i) => {
        const spec: ClientSpec = {
          kind: 'push', caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, deviceId: d.deviceId, parents: take(12),
          childPrefix: `Z${runTag}${i.toString(36).toUpperCase()}W`, batch: 20, seqStart: d.nextSeq, budget: 150,
        };
        d.nextSeq += 150;
        return spec;
      });
      const warmReads: ClientSpec[] = Array.from({ length: 8 }, (_, i) => ({
        kind: 'read', caller: { localAddress: loopbackAddress(group, 100 + i), cookie: billerCookie }, budget: 300,
        requests: [{ procedure: 'bag.get', input: { code: codes[i] ?? codes[0] } }, { procedure: 'bag.list', input: { limit: 50 } }, { procedure: 'stats.dashboard', input: undefined }],
      }));
      await runPhase(server.url, [...warmUp, ...warmReads], { threads, durationMs: 4_000 });

      for (const deviceCount of [1, 20, 200]) {
        for (const batch of [50, 200]) {
          const perDevice = Math.max(batch, Math.ceil(T.pushCap / deviceCount / batch) * batch);
          group += 1;
          await writers(`sync.push ${deviceCount} dev × ${batch}`, deviceCount, (d, i) => {
            const spec: ClientSpec = {
              kind: 'push', caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, deviceId: d.deviceId,
              parents: take(Math.ceil(perDevice / 16) + 1), childPrefix: `Z${runTag}${i.toString(36).toUpperCase()}P${group}X`, batch, seqStart: d.nextSeq, budget: perDevice,
            };
            d.nextSeq += perDevice;
            return spec;
          }, T.pushSeconds, perDevice);
        }
      }
      group += 1;
      await writers('sync.push 1 dev 10k × 200 (issue 3)', 1, (d, i) => {
        const spec: ClientSpec = {
          kind: 'push', caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, deviceId: d.deviceId, parents: take(Math.ceil(T.issue3 / 16) + 1),
          childPrefix: `Z${runTag}I${group}X`, batch: 200, seqStart: d.nextSeq, budget: T.issue3,
        };
        d.nextSeq += T.issue3;
        return spec;
      }, 300, T.issue3);

      // Online scanning: 200 handhelds, one scan a second each (a fast scanner), then flat out.
      const onlinePerDevice = T.onlineSeconds + 2;
      for (const [phase, kind, paceMs] of [
        ['online child.link push ×1, 200 dev @1/s', 'push', 1000],
        ['online bag.linkChild, 200 dev @1/s', 'link', 1000],
        ['online bag.linkChild, 200 dev flat out', 'link', 0],
      ] as const) {
        group += 1;
        const budget = paceMs ? onlinePerDevice : 2_000;
        await writers(phase, 200, (d, i) => {
          const common = { caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, parents: take(Math.ceil(budget / 16) + 1), childPrefix: `Z${runTag}${i.toString(36).toUpperCase()}O${group}X`, budget, ...(paceMs ? { paceMs } : {}) };
          if (kind === 'link') return { kind, ...common };
          const spec: ClientSpec = { kind, ...common, deviceId: d.deviceId, batch: 1, seqStart: d.nextSeq };
          d.nextSeq += budget;
          return spec;
        }, T.onlineSeconds, budget);
      }

      // Reads at the seeded scale, from billers (all areas) and a dispatcher (own area): first at a
      // steady 200 req/s (16 clients × 12.5/s, a busy warehouse office) for latency, then flat out.
      const reads = async (phase: string, user: fx.BenchUser, requests: ReadRequest[], own: string[] = [`pgbench: ${phase}`]) => {
        if (args.only && !phase.includes(args.only)) return;
        const cookie = cookies!.get(user.username)!;
        for (const paced of [true, false]) {
          group += 1;
          const clients: ClientSpec[] = Array.from({ length: T.readClients }, (_, i) => ({
            kind: 'read', caller: { localAddress: loopbackAddress(group, i), cookie }, requests: rotate(requests, i * 37), budget: 1_000_000,
            ...(paced ? { paceMs: 80 } : {}),
          }));
          await measure(`${phase} ${paced ? '@200/s' : 'flat out'}`, 'select-only', clients, T.readSeconds, false, own);
        }
        const key = `pgbench: ${phase}`;
        if (own.includes(key) && !ceilings.has(key)) {
          // The statements this procedure sends for one request (user read included), taken from
          // the app in this process; one script per request (up to 24 of them, parameters at random).
          const calls = requests.filter((r): r is { procedure: string; input: unknown } => 'procedure' in r).slice(0, 24);
          let rc = recorderCookies.get(user.username);
          if (!rc) recorderCookies.set(user.username, (rc = await recorder.signIn(user.username, args.password)));
          const captured = [];
          for (const r of calls) captured.push(await recorder.capture(rc, r.procedure, r.input));
          const files = writeScripts(scriptDir, phase, captured);
          const where = path.relative(root, path.dirname(files[0]!));
          try {
            const pgb = await runPgbenchScripts(dbUrl, benchDb, files, { seconds: T.readSeconds, clients: T.readClients });
            ceilings.set(key, pgb.tps);
            log(`  ${key}: ${pgb.tps.toFixed(0)} TPS (${T.readClients} clients, ${captured[0]?.length ?? 0} statements a request; scripts in ${where})`);
          } catch (e) {
            log(`  ${key}: pgbench failed on the scripts in ${where}: ${String((e as { stderr?: string }).stderr ?? e).split('\n').slice(-3).join(' ')}`);
          }
        }
      };
      const biller = { localAddress: loopbackAddress(197, 1), cookie: billerCookie };
      const childFilter = { type: 'child', linked: true, area: dispatcher.area ?? 'lucknow', limit: 50 };
      const parentFilter = { type: 'parent', billed: false, limit: 50 };
      const childPage100 = await fx.cursorOfPage(base, biller, childFilter, 100);
      const parentPage100 = await fx.cursorOfPage(base, biller, parentFilter, 100);
      if (!args.only || ['/health', 'auth.me', 'bare'].some((p) => p.includes(args.only!))) await measureBare(workers);
      await reads('/health', users.biller, [{ path: '/health' }], [`bare Hono route@${workers}`]);
      await reads('auth.me', users.biller, [{ procedure: 'auth.me', input: undefined }], [`bare tRPC query@${workers}`, 'pgbench: auth.me']);
      await reads('bag.get by code', users.biller, codes.map((code) => ({ procedure: 'bag.get', input: { code } })));
      await reads('bag.list page 1 (child, linked, area)', users.biller, [{ procedure: 'bag.list', input: childFilter }]);
      await reads('bag.list page 100 (child, linked, area)', users.biller, [{ procedure: 'bag.list', input: { ...childFilter, cursor: childPage100 ?? undefined } }]);
      await reads('bag.list page 1 (parent, unbilled)', users.biller, [{ procedure: 'bag.list', input: parentFilter }]);
      await reads('bag.list page 100 (parent, unbilled)', users.biller, [{ procedure: 'bag.list', input: { ...parentFilter, cursor: parentPage100 ?? undefined } }]);
      await reads('bag.list page 1 (dispatcher own area)', dispatcher, [{ procedure: 'bag.list', input: { type: 'parent', limit: 50 } }]);
      await reads(`bill.get (${billNo.parents} parents)`, users.biller, [{ procedure: 'bill.get', input: { billNumber: billNo.billNumber } }]);
      await reads('stats.dashboard (all areas)', users.biller, [{ procedure: 'stats.dashboard', input: undefined }]);
      await reads('stats.dashboard (dispatcher area)', dispatcher, [{ procedure: 'stats.dashboard', input: undefined }]);
      await reads('sync.pull first page (dispatcher)', dispatcher, [{ procedure: 'sync.pull', input: {} }]);

      // Partial code search at a steady 50 req/s (4 clients × 12.5/s): target p95 < 50 ms.
      group += 1;
      await measure('bag.list contains 4 chars @50/s', 'select-only', Array.from({ length: 4 }, (_, i) => ({
        kind: 'read' as const, caller: { localAddress: loopbackAddress(group, i), cookie: billerCookie }, budget: 1_000_000, paceMs: 80,
        requests: rotate(searches, i * 97).map((code) => ({ procedure: 'bag.list', input: { code, codeMatch: 'contains', limit: 50 } })),
      })), T.readSeconds, false);

      // Exports of one area's bags (~200k of 2M), as CSV and XLSX: first byte < 1 s, server RSS
      // growth < 64 MB while the whole file streams.
      if (!args.only || 'export bags'.includes(args.only)) {
        const adminCaller = { localAddress: loopbackAddress(196, 1), cookie: cookies.get(admin.username)! };
        const area = dispatcher.area ?? 'lucknow';
        for (const format of ['csv', 'xlsx'] as const) {
          const run = await measureExport(base, adminCaller, server.child.pid!, `/api/exports/bags.${format}?area=${area}`);
          exportRuns.push({ workers, ...run });
          log(`  export bags.${format} (area ${area}): HTTP ${run.status}, first byte ${run.firstByteMs.toFixed(0)} ms, ${(run.totalMs / 1000).toFixed(1)} s, ${(run.bytes / 2 ** 20).toFixed(1)} MB${run.rows !== null ? `, ${run.rows} rows` : ''}, RSS ${run.rssBeforeMb} → ${run.rssPeakMb} MB (+${run.rssGrowthMb})`);
        }
      }

      // Reconnect storm: 200 handhelds back online at once, each pushing a 1,000-scan backlog in
      // batches of 500, on one server process with Redis: every push must be served (0 refused
      // or failed) and every scan applied exactly once; the drain time is the phase's length.
      if (workers === 1 && redisUrl && (!args.only || 'reconnect storm'.includes(args.only))) {
        group += 1;
        const phase = `reconnect storm ${devices.length} dev × ${T.stormBacklog.toLocaleString('en')} in batches of 500`;
        free = await fx.freeParentCodes(client);
        const perDevice = Math.ceil(T.stormBacklog / 16) + 1;
        if (free.length < devices.length * perDevice) throw new Error(`Only ${free.length} unused parent codes left for the storm.`);
        const ids = devices.map((d) => d.deviceId);
        const countEvents = async () => Number((await client.query<{ n: string }>('select count(*) as n from scan_events where device_id = any($1::uuid[])', [ids])).rows[0]!.n);
        const before = await countEvents();
        const specs: ClientSpec[] = devices.map((d, i) => {
          const spec: ClientSpec = {
            kind: 'push', caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, deviceId: d.deviceId, parents: take(perDevice),
            childPrefix: `Z${runTag}${i.toString(36).toUpperCase()}S${group}X`, batch: 500, seqStart: d.nextSeq, budget: T.stormBacklog,
          };
          d.nextSeq += T.stormBacklog;
          return spec;
        });
        await measure(phase, 'simple-update', specs, 900, true);
        const report = phases.at(-1)!;
        const stored = (await countEvents()) - before;
        const dup = Number((await client.query<{ n: string }>('select count(*) as n from (select 1 from scan_events where device_id = any($1::uuid[]) group by device_id, seq having count(*) > 1) d', [ids])).rows[0]!.n);
        storm = {
          devices: devices.length, backlog: T.stormBacklog, expected: devices.length * T.stormBacklog, applied: Math.round((report.mutationsPerS ?? 0) * report.elapsedS),
          stored, duplicates: dup, pushCalls: report.requests, failedCalls: report.errors, rejected: report.rejected, drainS: report.elapsedS,
        };
        log(`  storm: ${storm.pushCalls} push calls, ${storm.failedCalls} failed, ${storm.stored.toLocaleString('en')} of ${storm.expected.toLocaleString('en')} scans stored, ${dup} stored twice, drained in ${storm.drainS.toFixed(1)} s`);
      }
    } finally {
      await server.kill('SIGTERM');
      if (args['node-arg'].length) writeFileSync(path.join(root, `.data/bench-server-${workers}.log`), server.output());
    }
  }

  // The cost of metrics and access logs: one server with them off, then on (observability.ts).
  let observability: ObservabilityReport | null = null;
  const observabilityRounds = quick ? 1 : 2;
  if (!args.only || 'observability'.includes(args.only)) {
    log('\n=== metrics and access logs: off vs on ===');
    observability = await measureObservabilityCost({
      databaseUrl: url, redisUrl, client, password: args.password, codes, threads, seconds: T.readSeconds + 2, rounds: observabilityRounds, log,
    });
    log(`  access lines written: ${observability.accessLines}; scraped applied+unchanged ${observability.scrapedApplied} vs bench ${observability.benchApplied}`);
  }

  const loadAverage = os.loadavg().map((n) => n.toFixed(1)).join(' / ');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, Postgres ${(await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version}${embedded ? ' (embedded)' : ''}`;
  await recorder.close();
  bare.kill();
  const stormLine = storm ? `\n\nReconnect storm (WORKERS=1, Redis): ${storm.devices} handhelds × ${storm.backlog.toLocaleString('en')} scans in batches of 500: ${storm.pushCalls} push calls, ${storm.failedCalls} refused or failed; ${storm.stored.toLocaleString('en')} of ${storm.expected.toLocaleString('en')} scans stored, ${storm.duplicates} twice; drained in ${storm.drainS.toFixed(1)} s.` : '';
  const table = `${summaryTable(phases, pgbench, ceilings)}${stormLine}${exportRuns.length ? `\n\nExports (one area's bags, streamed):\n\n${exportsTable(exportRuns)}` : ''}${observability ? `\n\n${observabilityTable(observability, observabilityRounds)}` : ''}`;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(path.join(root, 'tests/bench/results'), { recursive: true });
  const file = path.join(root, 'tests/bench/results', `${stamp}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine, loadAverageBefore: loadBefore, loadAverageAtEnd: loadAverage, bags, quick, redis: !!redisUrl, pgbench, ceilings: Object.fromEntries(ceilings), storm, phases, exports: exportRuns, observability }, null, 2));
  console.log(`\n${machine}; ${bags.toLocaleString('en')} bags${quick ? ' (quick run)' : ''}; load average ${loadBefore} before, ${loadAverage} at the end\n\n${table}\n\nResults: ${path.relative(root, file)}`);
  if (args.readme && !quick && !args.only) {
    writeReport(path.join(root, 'tests/bench/README.md'), `Taken ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` on ${machine}, ${bags.toLocaleString('en')} bags ` +
      `(\`npm run seed -- --bags ${bags}\`), Redis ${redisUrl ? 'on' : 'off'}, 1-minute load average ${loadBefore} before the run (the load generator, the server, Postgres and Redis share the two cores). Latencies are per HTTP request over loopback; "vs pgbench" compares ` +
      `mutations/s (writes) or req/s (reads) with pgbench simple-update (-N) or select-only (-S) TPS on the same Postgres in the same run.\n\n${table}`);
    log('tests/bench/README.md report updated.');
  }
} finally {
  await client.end().catch(() => {});
  await dropBenchDatabases().catch((e) => log(`Could not drop the bench databases: ${String(e)}`));
  if (embedded) await embedded.stop();
}

/** Drops the pgbench database always, and the bench's own one unless it is kept. */
async function dropBenchDatabases() {
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    for (const name of isKept ? [pgbenchDb] : [benchDb, pgbenchDb]) await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
    log(isKept ? `Kept ${benchDb}: run again with --database ${benchDb}, drop it with \`dropdb ${benchDb}\`.` : `Dropped ${benchDb}.`);
  } finally {
    await admin.end();
  }
}

interface StormResult {
  devices: number;
  backlog: number;
  expected: number;
  applied: number;
  stored: number;
  duplicates: number;
  pushCalls: number;
  failedCalls: number;
  rejected: number;
  drainS: number;
}

/** tests/bench/bare-server.mjs on a free port, with plain node (as the server bundle runs). */
async function startBareServer(): Promise<{ url: string; pid: number; kill: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'tests/bench/bare-server.mjs')], { cwd: root, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'inherit' });
  // Never left behind, whatever ends the bench.
  process.once('exit', () => child.kill('SIGTERM'));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/bare`).then((r) => r.ok, () => false)) return { url, pid: child.pid!, kill: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  throw new Error('the bare ceiling server did not start');
}

function rotate<T>(items: T[], by: number): T[] {
  const k = items.length ? by % items.length : 0;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function probeRedis(candidate: string): Promise<string | undefined> {
  const redis = new Redis(candidate, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return candidate;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}
