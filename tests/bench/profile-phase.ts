/**
 * `tsx tests/bench/profile-phase.ts --database tt_bench_… --procedure bag.get [--seconds 15] [--env K=V] [--no-profile]
 *   [--scrape-every S [--scrape-encoding E]] [--touch PATH] [--node-arg=F] [--server-output FILE]`
 * One read procedure flat out (16 clients) against a kept bench database, for profiling: the
 * server's CPU µs per request (from /proc) and, unless --no-profile, a profile of the load alone
 * (started after a warm-up through the inspector, stopped before shutdown).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startServerProcess } from '../helpers/server-process';
import * as fx from './fixtures';
import { loopbackAddress } from './http-client';
import { runPhase } from './load-pool';
import { sampleResources } from './proc-stats';
import type { ClientSpec, ReadRequest } from './scripts';

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    database: { type: 'string' },
    procedure: { type: 'string', default: 'auth.me' },
    seconds: { type: 'string', default: '10' },
    password: { type: 'string', default: 'Seed-Passw0rd!' },
    env: { type: 'string', multiple: true, default: [] },
    workers: { type: 'string', default: '1' },
    label: { type: 'string', default: '' },
    profile: { type: 'boolean', default: true },
    /** Scrape /metrics every this many seconds during the load (needs --env METRICS_TOKEN=…). */
    'scrape-every': { type: 'string' },
    /** A path requested once before the load (e.g. /ready: the server's first answer that is not tRPC). */
    touch: { type: 'string' },
    /** The accept-encoding of the first scrape (--scrape-every). */
    'scrape-encoding': { type: 'string' },
    /** Write the server's output here at the end (e.g. with --node-arg=--trace-deopt). */
    'server-output': { type: 'string' },
    /** Extra node flags for the server, e.g. --node-arg=--trace-deopt */
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = new URL(base);
url.pathname = `/${args.database}`;
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
const users = await fx.seededUsers(client);
const codes = await fx.sampleBagCodes(client, 2000);
const bill = await fx.largestBill(client);
const extra = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const server = await startServerProcess({
  NODE_OPTIONS: '--max-old-space-size=160', DATABASE_URL: url.toString(), WORKERS: args.workers, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DB_POOL_IDLE_MS: process.env.DB_POOL_IDLE_MS, ...extra,
}, undefined, [...(args.profile ? ['--inspect=127.0.0.1:0'] : []), ...args['node-arg']], { bundle: true });
const root = new URL(server.url);
const dispatcher = users.dispatchers[0]!;
const cookies = await fx.signIn(root, [users.biller, dispatcher], args.password);
const requestsOf = (p: string): ReadRequest[] => {
  switch (p) {
    case 'bag.get': return codes.map((code) => ({ procedure: 'bag.get', input: { code } }));
    case 'bag.list': return [{ procedure: 'bag.list', input: { type: 'parent', billed: false, limit: 50 } }];
    case 'bill.get': return [{ procedure: 'bill.get', input: { billNumber: bill.billNumber } }];
    case 'sync.pull': return [{ procedure: 'sync.pull', input: {} }];
    case '/health': return [{ path: '/health' }];
    default: return [{ procedure: p, input: undefined }];
  }
};
const user = args.procedure === 'sync.pull' ? dispatcher : users.biller;
const cookie = cookies.get(user.username)!;
const clients = (g: number): ClientSpec[] => Array.from({ length: 16 }, (_, i) => ({
  kind: 'read', caller: { localAddress: loopbackAddress(g, i), cookie }, requests: requestsOf(args.procedure).slice(i * 7).concat(requestsOf(args.procedure).slice(0, i * 7)), budget: 10_000_000,
}));
await runPhase(server.url, clients(150), { threads: 2, durationMs: 3000 });
// Profile the measured load only: through the inspector of the (first) server process.
const inspectorUrl = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(server.output())?.[0];
let ws: WebSocket | null = null;
let id = 0;
const call = (method: string, params: object = {}) => new Promise<any>((resolve) => {
  const my = ++id;
  const onMsg = (ev: MessageEvent) => {
    const m = JSON.parse(String(ev.data));
    if (m.id === my) { ws!.removeEventListener('message', onMsg); resolve(m.result); }
  };
  ws!.addEventListener('message', onMsg);
  ws!.send(JSON.stringify({ id: my, method, params }));
});
if (inspectorUrl && args.workers === '1') {
  ws = new WebSocket(inspectorUrl);
  await new Promise((r) => ws!.addEventListener('open', r));
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
}
let resources: ReturnType<ReturnType<typeof sampleResources>['stop']> | undefined;
const scrapeToken = extra.METRICS_TOKEN;
if (args.touch) await fetch(`${server.url}${args.touch}`).then((r) => r.text());
const scrape = (acceptEncoding?: string) =>
  fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${scrapeToken}`, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } }).then((r) => r.text());
if (args['scrape-every'] && scrapeToken) await scrape(args['scrape-encoding']);
const scraper = args['scrape-every'] && scrapeToken ? setInterval(() => void scrape().catch(() => {}), Number(args['scrape-every']) * 1000) : null;
const run = await runPhase(server.url, clients(151), { threads: 2, durationMs: Number(args.seconds) * 1000 }, () => {
  const s = sampleResources(server.child.pid!);
  return () => void (resources = s.stop());
});
if (scraper) clearInterval(scraper);
if (ws) {
  const { profile } = await call('Profiler.stop');
  const dir = path.resolve(import.meta.dirname, '../../.data/profiles');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${args.procedure.replace(/\W/g, '_')}${args.label ? `-${args.label}` : ''}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`profile: ${file}`);
  ws.close();
}
const s = run.elapsedMs / 1000;
const rps = run.result.ok / s;
const cpuMs = (resources!.serverCpuPct / 100) * s * 1000;
console.log(`${args.procedure} ${args.label}: ${rps.toFixed(0)} req/s, errors ${run.result.errors}, server CPU ${resources!.serverCpuPct.toFixed(0)}%, ${(cpuMs / run.result.ok * 1000).toFixed(0)} µs CPU/request, Postgres CPU ${resources!.postgresCpuPct?.toFixed?.(0)}%${run.result.errorSamples.length ? `\n e.g. ${run.result.errorSamples[0]}` : ''}`);
const msgs = new Map<string, number>();
for (const line of server.output().split('\n')) {
  const m = /"level":"(\w+)".*?"msg":"([^"]*)"/.exec(line);
  if (m) msgs.set(`${m[1]} ${m[2]}`, (msgs.get(`${m[1]} ${m[2]}`) ?? 0) + 1);
}
console.log('server log lines:', JSON.stringify(Object.fromEntries(msgs)));
if (args['server-output']) writeFileSync(args['server-output'], server.output());
await server.kill();
await client.end();
process.exit(0);
