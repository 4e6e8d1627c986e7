/**
 * The cost of metrics and access logs: push and bag.get throughput of one server process with
 * instrumentation off (METRICS=off, ACCESS_LOG=off, no METRICS_TOKEN) and on (METRICS_TOKEN set,
 * access lines at info written to a file), both getting a /metrics request every 5 s (a scrape, or
 * a 404 when off), in alternating rounds so drift in the machine's load falls on both.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { ensureServerBundle, freePort, SERVER_BUNDLE } from '../helpers/server-process';
import * as fx from './fixtures';
import { loopbackAddress } from './http-client';
import { runPhase } from './load-pool';
import { sampleResources } from './proc-stats';
import { percentiles } from './report';
import type { ClientSpec } from './scripts';

export interface ObservabilityRun {
  mode: 'off' | 'on';
  round: number;
  workload: 'sync.push 20 dev × 50' | 'bag.get flat out';
  reqPerS: number;
  /** Mutations applied per second (push) or requests answered (bag.get). */
  workPerS: number;
  p50: number;
  p95: number;
  /** Server CPU time per 1,000 requests: steadier than throughput on a shared machine. */
  cpuMsPer1k: number;
  errors: number;
}

export interface ObservabilityReport {
  runs: ObservabilityRun[];
  /** Per workload: mean work/s off and on, and the cost of "on" in %. */
  summary: Array<{ workload: string; offPerS: number; onPerS: number; costPct: number; cpuOffMsPer1k: number; cpuOnMsPer1k: number; cpuCostPct: number }>;
  accessLines: number;
  /** The last "on" server's applied + unchanged mutations (scraped) against what the bench saw accepted there. */
  scrapedApplied: number | null;
  benchApplied: number | null;
}

interface Options {
  databaseUrl: string;
  redisUrl: string | undefined;
  client: pg.Client;
  password: string;
  codes: string[];
  threads: number;
  seconds: number;
  rounds: number;
  log: (m: string) => void;
}

const TOKEN = 'bench-metrics-token-0123456789';

async function startServer(env: Record<string, string>, logFile: string) {
  ensureServerBundle();
  const port = await freePort();
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--enable-source-maps', SERVER_BUNDLE], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), CLIENT_DIST: 'none', WORKERS: '1', ADMIN_TWO_FACTOR: 'optional', REDIS_PREFIX: `tt-bench-obs:${port}:`, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function measureObservabilityCost(o: Options): Promise<ObservabilityReport> {
  const users = await fx.seededUsers(o.client);
  const runs: ObservabilityRun[] = [];
  let accessLines = 0;
  let scrapedApplied: number | null = null;
  let benchApplied: number | null = null;
  const tag = Date.now().toString(36).toUpperCase().slice(-5);
  let group = 150;

  for (let round = 0; round < o.rounds; round++) {
    // off, on; then on, off: each mode runs first in half the rounds.
    const order: Array<'off' | 'on'> = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) {
      const logFile = path.join(os.tmpdir(), `tt-bench-obs-${process.pid}-${mode}-${round}.log`);
      const env: Record<string, string> = mode === 'on'
        ? { METRICS: 'on', METRICS_TOKEN: TOKEN, ACCESS_LOG: 'on', LOG_LEVEL: 'info' }
        : { METRICS: 'off', METRICS_TOKEN: '', ACCESS_LOG: 'off', LOG_LEVEL: 'info' };
      const server = await startServer({ DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl ?? '', ...env }, logFile);
      const base = new URL(server.url);
      let scraper: NodeJS.Timeout | null = null;
      try {
        const dispatchers = users.dispatchers.slice(0, 20);
        const cookies = await fx.signIn(base, [...dispatchers, users.biller], o.password);
        const devices = await fx.registerDevices(base, dispatchers, cookies, 20);
        const billerCookie = cookies.get(users.biller.username)!;
        // Prometheus' usual interval is 15–60 s; every 5 s over-counts the scrape's share. Both
        // modes send the same requests (with metrics off, /metrics answers 404 through the same
        // middleware): a server that has only ever answered tRPC calls runs them ~55 µs faster
        // (V8 keeps the shared HTTP code specialised to one kind of answer) until its first other
        // request, which every real server gets (probes, pages, downloads); only the scrape's own
        // work may differ between the modes.
        const scrape = () => void fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text()).catch(() => {});
        scrape();
        scraper = setInterval(scrape, 5_000);

        const measure = async (workload: ObservabilityRun['workload'], clients: ClientSpec[], isWrite: boolean) => {
          let cpu: ReturnType<ReturnType<typeof sampleResources>['stop']> | undefined;
          const run = await runPhase(server.url, clients, { threads: o.threads, durationMs: o.seconds * 1000 }, () => {
            const s = sampleResources(server.pid);
            return () => void (cpu = s.stop());
          });
          const elapsedS = run.elapsedMs / 1000;
          const r = run.result;
          const cpuMs = (cpu!.serverCpuPct / 100) * run.elapsedMs;
          runs.push({
            mode, round, workload, reqPerS: r.ok / elapsedS, workPerS: (isWrite ? r.applied : r.ok) / elapsedS,
            ...percentiles(r.latencies), cpuMsPer1k: r.ok ? (cpuMs / r.ok) * 1000 : 0, errors: r.errors,
          });
          const last = runs.at(-1)!;
          o.log(`  observability ${mode} (round ${round + 1}) ${workload}: ${last.reqPerS.toFixed(0)} req/s, ${last.workPerS.toFixed(0)} ${isWrite ? 'mutations' : 'answers'}/s, p50 ${last.p50.toFixed(1)} p95 ${last.p95.toFixed(1)} ms, server CPU ${last.cpuMsPer1k.toFixed(0)} ms per 1k requests, errors ${r.errors}`);
          return r;
        };

        // Warm-up (not recorded): JIT, pooled connections, prepared statements.
        group += 1;
        let free = await fx.freeParentCodes(o.client);
        const pushSpecs = (label: string, budget: number): ClientSpec[] => devices.map((d, i) => {
          const spec: ClientSpec = {
            kind: 'push', caller: { localAddress: loopbackAddress(group, i), cookie: d.cookie }, deviceId: d.deviceId, parents: free.splice(0, Math.ceil(budget / 16) + 1),
            childPrefix: `Z${tag}${label}${i.toString(36).toUpperCase()}X`, batch: 50, seqStart: d.nextSeq, budget,
          };
          d.nextSeq += budget;
          return spec;
        });
        const reads = (n: number): ClientSpec[] => Array.from({ length: n }, (_, i) => ({
          kind: 'read', caller: { localAddress: loopbackAddress(group, 100 + i), cookie: billerCookie }, budget: 1_000_000,
          requests: o.codes.slice((i * 37) % o.codes.length).concat(o.codes.slice(0, (i * 37) % o.codes.length)).map((code) => ({ procedure: 'bag.get', input: { code } })),
        }));
        const warm = await runPhase(server.url, [...pushSpecs(`W${mode}${round}`, 200), ...reads(4)], { threads: o.threads, durationMs: 3_000 });

        group += 1;
        free = await fx.freeParentCodes(o.client);
        const pushed = await measure('sync.push 20 dev × 50', pushSpecs(`P${mode}${round}`, 4_000), true);
        group += 1;
        await measure('bag.get flat out', reads(16), false);

        if (mode === 'on') {
          const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
          const outcome = (name: string) => Number(new RegExp(`^tracetrack_sync_mutations_total\\{outcome="${name}",code=""\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
          // The bench counts every accepted mutation as applied (applied or unchanged), warm-up included.
          scrapedApplied = outcome('applied') + outcome('unchanged');
          benchApplied = warm.result.applied + pushed.applied;
        }
      } finally {
        if (scraper) clearInterval(scraper);
        await server.stop();
        if (mode === 'on') accessLines += readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
        rmSync(logFile, { force: true });
      }
    }
  }

  const workloads = [...new Set(runs.map((r) => r.workload))];
  const summary = workloads.map((workload) => {
    const of = (mode: 'off' | 'on') => runs.filter((r) => r.workload === workload && r.mode === mode);
    const offPerS = mean(of('off').map((r) => r.workPerS));
    const onPerS = mean(of('on').map((r) => r.workPerS));
    const cpuOffMsPer1k = mean(of('off').map((r) => r.cpuMsPer1k));
    const cpuOnMsPer1k = mean(of('on').map((r) => r.cpuMsPer1k));
    return {
      workload, offPerS, onPerS, costPct: offPerS ? ((offPerS - onPerS) / offPerS) * 100 : 0,
      cpuOffMsPer1k, cpuOnMsPer1k, cpuCostPct: cpuOffMsPer1k ? ((cpuOnMsPer1k - cpuOffMsPer1k) / cpuOffMsPer1k) * 100 : 0,
    };
  });
  return { runs, summary, accessLines, scrapedApplied, benchApplied };
}

const f = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function observabilityTable(r: ObservabilityReport, rounds: number): string {
  return [
    `Metrics and access logs (one server process, ${rounds} alternating round${rounds === 1 ? '' : 's'} each; "on" = METRICS_TOKEN set, access lines at info to a file; both modes get a /metrics request every 5 s, a 404 when off):`,
    '',
    '| workload | off /s | on /s | throughput cost | server CPU ms / 1k req off | on | CPU cost |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.summary.map((s) => `| ${s.workload} | ${f(s.offPerS)} | ${f(s.onPerS)} | ${f(s.costPct, 1)}% | ${f(s.cpuOffMsPer1k)} | ${f(s.cpuOnMsPer1k)} | ${f(s.cpuCostPct, 1)}% |`),
  ].join('\n');
}
