import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Mutation, MutationResult } from '@tracetrack/shared';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { mutationQueue } from '../factories/mutations';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { type ServerProcess, startServerProcess, waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('/metrics access', () => {
  it('is a 404 while METRICS_TOKEN is unset, a 401 without the token, text with it', async () => {
    expect((await createApp(t.deps).request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const app = createApp({ ...t.deps, config: { ...t.deps.config, metricsToken: TOKEN } });
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await app.request('/metrics', { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain('tracetrack_');
    }
    const ok = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    const names = parsePrometheusTextFormat(await ok.text()).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining([
      'tracetrack_db_pool_connections', 'tracetrack_active_sessions', 'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'process_cpu_seconds_total',
    ]));
  });
});

/** One request on a new connection each time, so the cluster hands them to its workers in turn. */
function post(base: string, path: string, body: unknown, cookie?: string): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(cookie ? { cookie } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }));
    });
    req.once('error', reject);
    req.end(data);
  });
}

const counter = (families: PrometheusFamily[], name: string, labels: Record<string, string> = {}) =>
  families.find((f) => f.name === name)?.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((n, m) => n + Number(m.value), 0) ?? 0;

describe('with WORKERS=2 (a server process)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_URL: t.databaseUrl, WORKERS: '2', METRICS_TOKEN: TOKEN, LOG_LEVEL: 'info' });
  }, 180_000);
  afterAll(() => server?.kill());

  it.skipIf(!process.env.REDIS_URL)('counts every worker\'s pushes: the scrape equals what was pushed, whichever worker answers; one JSON access line per request', async () => {
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'raipur' });
    const login = await post(server.url, '/trpc/auth.login', { username: user.username, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const deviceId = randomUUID();
    expect((await post(server.url, '/trpc/device.register', { deviceId }, cookie)).status).toBe(200);

    const q = mutationQueue();
    const all: Mutation[] = [q.next('parent.scan', { code: 'SB91001' })];
    for (let i = 0; i < 9; i++) all.push(q.next('child.link', { parentCode: 'SB91001', childCode: `H91A${i}` }));
    all.push(q.next('parent.scan', { code: 'SB91001' })); // unchanged
    all.push(q.next('bill.create', { billNumber: 'METRICS-1', capacity: 2 })); // FORBIDDEN for a dispatcher
    all.push(q.next('child.link', { parentCode: 'SB91404', childCode: 'H91B1' }));
    all.push(q.next('child.link', { parentCode: 'SB91001', childCode: 'H91B2' }));
    // Pushes: 1–6, then 8–14 (seq 7 missing: a gap opened), 7 (filled), and 1–6 again (replays).
    const pushes = [all.slice(0, 6), all.slice(7), [all[6]!], all.slice(0, 6)];
    const results: MutationResult[] = [];
    const pids = new Set<string>();
    for (const mutations of pushes) {
      const res = await post(server.url, '/trpc/sync.push', { deviceId, mutations }, cookie);
      expect(res.status).toBe(200);
      results.push(...res.body.result.data.results);
    }
    const fresh = results.filter((r) => !r.replay);
    const expected = {
      applied: fresh.filter((r) => r.status === 'applied').length,
      unchanged: fresh.filter((r) => r.status === 'unchanged').length,
      forbidden: fresh.filter((r) => r.code === 'FORBIDDEN').length,
      rejected: fresh.filter((r) => r.status === 'rejected').length,
      replays: results.filter((r) => r.replay).length,
    };
    expect(expected).toMatchObject({ unchanged: 1, forbidden: 1, replays: 6 });
    expect(expected.applied + expected.unchanged + expected.rejected).toBe(all.length);

    // Several scrapes, each answered by whichever worker takes the connection: the same figures.
    for (let i = 0; i < 4; i++) {
      const text = await new Promise<string>((resolve, reject) => {
        request(`${server.url}/metrics`, { agent: false, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += String(d)));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
        }).once('error', reject).end();
      });
      const families = parsePrometheusTextFormat(text);
      expect(counter(families, 'tracetrack_sync_mutations_total', { outcome: 'applied' })).toBe(expected.applied);
      expect(counter(families, 'tracetrack_sync_mutations_total', { outcome: 'unchanged' })).toBe(expected.unchanged);
      expect(counter(families, 'tracetrack_sync_mutations_total', { outcome: 'rejected' })).toBe(expected.rejected);
      expect(counter(families, 'tracetrack_sync_mutations_total', { outcome: 'rejected', code: 'FORBIDDEN' })).toBe(1);
      expect(counter(families, 'tracetrack_sync_replays_total')).toBe(expected.replays);
      expect(counter(families, 'tracetrack_sync_seq_gaps_total', { event: 'opened' })).toBe(1);
      expect(counter(families, 'tracetrack_sync_seq_gaps_total', { event: 'filled' })).toBe(1);
      expect(counter(families, 'tracetrack_procedure_calls_total', { procedure: 'sync.push', status: '200' })).toBe(pushes.length);
      const histogram = families.find((f) => f.name === 'tracetrack_procedure_duration_seconds')!;
      expect(histogram.type).toBe('HISTOGRAM');
      // The parser folds a histogram's label sets into one (prom2json's shape), so its count line is read as text.
      expect(text).toContain(`tracetrack_procedure_duration_seconds_count{procedure="sync.push",status="200"} ${pushes.length}\n`);
      expect(counter(families, 'tracetrack_db_pool_connections', { state: 'max' })).toBe(2 * 20);
      expect(counter(families, 'tracetrack_redis_up')).toBe(1);
      expect(counter(families, 'tracetrack_active_sessions')).toBeGreaterThanOrEqual(1);
      expect(counter(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    }

    // The access lines of the pushes: JSON with the procedure, status, duration, request id, user
    // and device; handled by both workers.
    // Access lines are written in blocks, at least once a second (infra/logger.ts).
    const pushLinesNow = () => server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request' && Array.isArray(l.procedures) && (l.procedures as string[])[0] === 'sync.push');
    await waitFor(async () => pushLinesNow().length >= pushes.length, 5_000, 'the pushes\' access lines');
    const pushLines = pushLinesNow();
    expect(pushLines).toHaveLength(pushes.length);
    for (const l of pushLines) {
      expect(l).toMatchObject({ level: 'info', method: 'POST', procedures: ['sync.push'], status: 200, userId: user.id, deviceId });
      expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof l.durationMs).toBe('number');
      expect(typeof l.time).toBe('string');
      pids.add(String(l.pid));
    }
    expect(pids.size).toBe(2);
  });
});
