import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
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
});
