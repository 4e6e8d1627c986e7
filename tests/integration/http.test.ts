import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MAX_REQUEST_BODY_BYTES } from '@tracetrack/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { sessionCookieFor } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
const eventCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from scan_events`.execute(t.deps.db)).rows[0]?.n);
afterAll(() => t.close());

describe('HTTP surface', () => {
  it('answers /health and /ready', async () => {
    const app = createApp(t.deps);
    const health = await app.request('/health');
    expect(health.status).toBe(200);
    const ready = await app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
    expect(ready.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses non-JSON and cross-origin mutations', async () => {
    const app = createApp(t.deps);
    const form = await app.request('/trpc/auth.logout', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const cross = await app.request('http://localhost/trpc/auth.logout', {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'https://evil.example', host: 'localhost' },
    });
    expect(cross.status).toBe(403);
  });

  it('refuses a body over 1 MB with 413 and a JSON error, whether or not it says its length', async () => {
    const app = createApp(t.deps);
    const user = await createUser(t.deps.db, { role: 'dispatcher' });
    const cookie = await sessionCookieFor(t.deps, user.id);
    const deviceId = randomUUID();
    const json = { 'content-type': 'application/json', cookie };
    expect((await app.request('/trpc/device.register', { method: 'POST', headers: json, body: JSON.stringify({ deviceId }) })).status).toBe(200);
    const mutation = (seq: number) => ({ id: randomUUID(), seq, name: 'parent.scan', args: { code: `SB7${String(seq).padStart(4, '0')}`, pad: 'x'.repeat(3_000) }, clientTime: new Date().toISOString() });
    const body = (n: number) => JSON.stringify({ deviceId, mutations: Array.from({ length: n }, (_, i) => mutation(i + 1)) });
    const tooBig = body(400);
    expect(Buffer.byteLength(tooBig)).toBeGreaterThan(MAX_REQUEST_BODY_BYTES);
    const before = await eventCount();
    for (const headers of [json, { ...json, 'content-length': String(Buffer.byteLength(tooBig)) }]) {
      const res = await app.request('/trpc/sync.push', { method: 'POST', headers, body: tooBig });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { data: { appCode: 'VALIDATION' } } });
    }
    expect(await eventCount()).toBe(before);
    const fits = await app.request('/trpc/sync.push', { method: 'POST', headers: json, body: body(300) });
    expect(fits.status).toBe(200);
  });

  it('refuses an opaque or unparseable Origin with 403, not a 500', async () => {
    const app = createApp(t.deps);
    for (const origin of ['null', 'not a url', 'http://[::1', 'https://evil.example']) {
      const res = await app.request('http://localhost/trpc/auth.logout', {
        method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin, host: 'localhost' },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { data: { appCode: 'FORBIDDEN' } } });
    }
    const same = await app.request('http://localhost/trpc/auth.logout', {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'http://localhost', host: 'localhost' },
    });
    expect(same.status).toBe(200);
  });

  it('treats a session cookie with broken percent-encoding as no session', async () => {
    const app = createApp(t.deps);
    for (const cookie of ['tt_session=%E0%A4%A', 'other=1; tt_session=%', 'tt_session=%ZZ; theme=dark']) {
      const me = await app.request('/trpc/auth.me', { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ result: { data: null } });
      const list = await app.request(`/trpc/bag.list?input=${encodeURIComponent('{}')}`, { headers: { cookie } });
      expect(list.status).toBe(401);
      expect(await list.json()).toMatchObject({ error: { data: { code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' } } });
    }
  });

  it('behind a trusted proxy takes the address the proxy appended (rightmost X-Forwarded-For), not one the client wrote', async () => {
    const app = createApp({ ...t.deps, config: { ...t.deps.config, trustProxy: true, anonymizeIps: false } });
    const requestId = randomUUID();
    await app.request('/trpc/auth.login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-forwarded-for': '203.0.113.9, 198.51.100.23' },
      body: JSON.stringify({ username: 'nobody_xff', password: 'Wrong!Pass1' }),
    });
    const rows = await sql<{ ip: string }>`select ip from audit_log where request_id = ${requestId}`.execute(t.deps.db);
    expect(rows.rows.map((r) => r.ip)).toEqual(['198.51.100.23']);
  });

  it('gzips client assets and large JSON for clients that accept it; small answers and other clients get them plain', async () => {
    const dist = path.resolve('client/dist');
    const app = createApp({ ...t.deps, config: { ...t.deps.config, clientDist: dist } });
    const gzip = { 'accept-encoding': 'gzip, deflate, br' };
    const script = readdirSync(path.join(dist, 'assets')).find((f) => f.startsWith('index-') && f.endsWith('.js'))!;
    const asset = await app.request(`/assets/${script}`, { headers: gzip });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('vary')).toMatch(/accept-encoding/i);
    const raw = readFileSync(path.join(dist, 'assets', script));
    const zipped = Buffer.from(await asset.arrayBuffer());
    expect(zipped.length).toBeLessThan(raw.length / 2);
    expect(gunzipSync(zipped).equals(raw)).toBe(true);
    const plain = await app.request(`/assets/${script}`);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer()).equals(raw)).toBe(true);

    const user = await createUser(t.deps.db, { role: 'admin' });
    const cookie = await sessionCookieFor(t.deps, user.id);
    for (let i = 0; i < 30; i++) await t.as(user).bag.scanParent({ code: `SB8${String(i).padStart(4, '0')}` });
    const list = await app.request(`/trpc/bag.list?input=${encodeURIComponent('{"limit":30}')}`, { headers: { ...gzip, cookie } });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await list.arrayBuffer())).toString()).result.data.items).toHaveLength(30);
    const me = await app.request('/trpc/auth.me', { headers: { ...gzip, cookie } });
    expect(me.headers.get('content-encoding')).toBeNull();
    expect(await me.json()).toMatchObject({ result: { data: { username: user.username } } });
  });

  it('over a real socket, a tRPC answer carries every header once: security, request id, no-store, its length, each cookie, gzip when large', async () => {
    const app = createApp(t.deps);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const user = await createUser(t.deps.db, { role: 'biller' });
      const admin = await createUser(t.deps.db, { role: 'admin' });
      const login = await fetch(`${base}/trpc/auth.login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-socket-1' }, body: JSON.stringify({ username: user.username, password: TEST_PASSWORD }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('x-request-id')).toBe('req-socket-1');
      expect(login.headers.get('cache-control')).toBe('no-store');
      expect(login.headers.get('x-content-type-options')).toBe('nosniff');
      expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(login.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await login.text();
      expect(Number(login.headers.get('content-length'))).toBe(Buffer.byteLength(body));
      const cookies = login.headers.getSetCookie().map((c) => c.split('=')[0]);
      expect(cookies.sort()).toEqual(['tt_client', 'tt_session']);
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

      for (let i = 0; i < 30; i++) await t.as(admin).bag.scanParent({ code: `SB9${String(i).padStart(4, '0')}` });
      const list = await fetch(`${base}/trpc/bag.list?input=${encodeURIComponent('{"limit":30}')}`, { headers: { cookie, 'accept-encoding': 'gzip' } });
      expect(list.headers.get('content-encoding')).toBe('gzip');
      expect(list.headers.get('x-frame-options')).toBe('DENY');
      expect((await list.json()).result.data.items).toHaveLength(30);
      const refused = await fetch(`${base}/trpc/bag.get?input=${encodeURIComponent('{"code":"SB9999999"}')}`, { headers: { cookie } });
      expect(refused.status).toBe(404);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
