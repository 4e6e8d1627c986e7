import { MAX_BATCH_CALLS } from '@tracetrack/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import type { Deps } from '../../server/src/deps';
import { createUser } from '../factories/users';
import { sessionCookieFor } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

let ipCounter = 0;
/** An app whose client address is a fresh one, so its rate-limit counter starts at zero. */
function appFrom(config: Partial<Deps['config']> = {}) {
  const ip = `198.51.100.${++ipCounter}`;
  const app = createApp({ ...t.deps, config: { ...t.deps.config, ...config } }, { remoteAddress: () => ip });
  return { app, ip, hits: async () => Number(await t.deps.kv.get(`rl:global-ip:${ip}`)) };
}
const batchPath = (n: number) => `/trpc/${Array.from({ length: n }, () => 'auth.me').join(',')}?batch=1&input=${encodeURIComponent('{}')}`;
const json = { 'content-type': 'application/json' };

describe('batched calls (finding 5)', () => {
  it(`answers a batch of more than ${MAX_BATCH_CALLS} calls with a 400 JSON refusal, running none of them`, async () => {
    const { app, hits } = appFrom();
    const res = await app.request(batchPath(900));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: `A batch may hold at most ${MAX_BATCH_CALLS} calls; this one holds 900. Send them in smaller batches.`,
        data: { appCode: 'VALIDATION', httpStatus: 400, details: null },
      },
    });
    expect(await hits()).toBe(0);
    const post = await app.request(`/trpc/${Array.from({ length: 11 }, () => 'auth.logout').join(',')}?batch=1`, { method: 'POST', headers: json, body: '{}' });
    expect(post.status).toBe(400);
    // Encoded commas are still separate calls.
    const encoded = await app.request(`/trpc/${Array.from({ length: 11 }, () => 'auth.me').join('%2C')}?batch=1&input=%7B%7D`);
    expect(encoded.status).toBe(400);
  });

  it(`runs a batch of ${MAX_BATCH_CALLS}, and every call counts against the rate limit`, async () => {
    const { app, hits } = appFrom();
    const res = await app.request(batchPath(MAX_BATCH_CALLS));
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(MAX_BATCH_CALLS);
    expect(await hits()).toBe(MAX_BATCH_CALLS);
    await app.request('/trpc/auth.me');
    expect(await hits()).toBe(MAX_BATCH_CALLS + 1);
  });

  it('refuses a batch that would pass the per-IP limit with 429, though one request would not', async () => {
    const { app, ip } = appFrom();
    await t.deps.kv.set(`rl:global-ip:${ip}`, String(20_000 - 5), 60_000);
    const res = await app.request(batchPath(MAX_BATCH_CALLS));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('caching of API answers (finding 6)', () => {
  it('marks every /trpc answer no-store: results, refusals and the middleware\'s own errors', async () => {
    const { app } = appFrom();
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const cookie = await sessionCookieFor(t.deps, admin.id);
    const answers = [
      await app.request(`/trpc/user.list?input=${encodeURIComponent('{}')}`, { headers: { cookie } }),
      await app.request('/trpc/auth.me'),
      await app.request(`/trpc/bag.list?input=${encodeURIComponent('{}')}`),
      await app.request('/trpc/auth.logout', { method: 'POST', body: 'a=1', headers: { 'content-type': 'text/plain' } }),
      await app.request('http://localhost/trpc/auth.logout', { method: 'POST', body: '{}', headers: { ...json, origin: 'https://evil.example' } }),
      await app.request(batchPath(11)),
      await app.request('/trpc/bag.explode'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 415, 403, 400, 404]);
    for (const res of answers) expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await app.request('/health')).headers.get('cache-control')).toBeNull();
  });
});

describe('the Origin check (finding 7)', () => {
  const logout = (app: ReturnType<typeof createApp>, url: string, headers: Record<string, string>) =>
    app.request(url, { method: 'POST', body: '{}', headers: { ...json, ...headers } });

  it('compares the scheme too: https://host is not http://host, nor another port', async () => {
    const { app } = appFrom();
    expect((await logout(app, 'http://localhost/trpc/auth.logout', { origin: 'https://localhost', host: 'localhost' })).status).toBe(403);
    expect((await logout(app, 'http://localhost/trpc/auth.logout', { origin: 'http://localhost:8080', host: 'localhost' })).status).toBe(403);
    expect((await logout(app, 'http://localhost/trpc/auth.logout', { origin: 'http://localhost', host: 'localhost' })).status).toBe(200);
    expect((await logout(app, 'http://localhost:3000/trpc/auth.logout', { origin: 'http://localhost:3000', host: 'localhost:3000' })).status).toBe(200);
    expect((await logout(app, 'http://localhost/trpc/auth.logout', { origin: 'http://localhost:80', host: 'localhost' })).status).toBe(200);
    // Calls without an Origin (curl, the handhelds' own fetches of same-origin GETs) are not browsers' cross-site posts.
    expect((await logout(app, 'http://localhost/trpc/auth.logout', {})).status).toBe(200);
  });

  it('behind a trusted TLS proxy takes the scheme from X-Forwarded-Proto (the entry the proxy appended), and only then', async () => {
    const proxied = appFrom({ trustProxy: true }).app;
    const headers = { origin: 'https://tt.example.com', host: 'tt.example.com', 'x-forwarded-proto': 'https' };
    expect((await logout(proxied, 'http://tt.example.com/trpc/auth.logout', headers)).status).toBe(200);
    expect((await logout(proxied, 'http://tt.example.com/trpc/auth.logout', { ...headers, 'x-forwarded-proto': 'https, http' })).status).toBe(403);
    expect((await logout(proxied, 'http://tt.example.com/trpc/auth.logout', { ...headers, origin: 'http://tt.example.com' })).status).toBe(403);
    const direct = appFrom({ trustProxy: false }).app;
    expect((await logout(direct, 'http://tt.example.com/trpc/auth.logout', headers)).status).toBe(403);
  });

  it('with PUBLIC_URL set, also accepts exactly that origin (a proxy that rewrites Host)', async () => {
    const { app } = appFrom({ publicUrl: 'https://tt.example.com/app/' });
    const inside = { host: '10.0.0.5:3000' };
    expect((await logout(app, 'http://10.0.0.5:3000/trpc/auth.logout', { ...inside, origin: 'https://tt.example.com' })).status).toBe(200);
    expect((await logout(app, 'http://10.0.0.5:3000/trpc/auth.logout', { ...inside, origin: 'https://tt.example.com:443' })).status).toBe(200);
    expect((await logout(app, 'http://10.0.0.5:3000/trpc/auth.logout', { ...inside, origin: 'http://tt.example.com' })).status).toBe(403);
    expect((await logout(app, 'http://10.0.0.5:3000/trpc/auth.logout', { ...inside, origin: 'https://tt.example.com.evil.example' })).status).toBe(403);
    expect((await logout(app, 'http://10.0.0.5:3000/trpc/auth.logout', { ...inside, origin: 'http://10.0.0.5:3000' })).status).toBe(200);
  });
});

describe('Permissions-Policy', () => {
  it('allows the camera for this origin only and turns the rest off, on every answer', async () => {
    const { app } = appFrom();
    for (const res of [await app.request('/health'), await app.request('/trpc/auth.me'), await app.request('/ready')]) {
      const policy = res.headers.get('permissions-policy') ?? '';
      const rules = policy.split(',').map((r) => r.trim());
      expect(rules).toContain('camera=(self)');
      for (const feature of ['microphone', 'geolocation', 'payment', 'usb']) expect(rules).toContain(`${feature}=()`);
      expect(rules.filter((r) => !r.endsWith('=()'))).toEqual(['camera=(self)']);
    }
  });
});
