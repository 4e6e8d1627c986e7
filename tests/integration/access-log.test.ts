import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createLogger } from '../../server/src/infra/logger';
import { createMailer } from '../../server/src/infra/mailer';
import { createUser } from '../factories/users';
import { sessionCookieFor } from '../helpers/http';
import { waitFor } from '../helpers/server-process';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** The app with pino writing into an array: the lines exactly as they would reach stdout. */
function appLoggingTo(lines: Array<Record<string, any>>, level: 'info' | 'warn' = 'info') {
  const logger = createLogger(level, { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const deps = { ...t.deps, logger, config: { ...t.deps.config, accessLog: true }, mailer: createMailer({ smtpUrl: undefined, from: 'TraceTrack <tt@example.test>', logger }) };
  return createApp(deps, { remoteAddress: () => '10.1.2.3' });
}

describe('access log', () => {
  it('writes one JSON line per request: method, procedures (each of a batch), status, duration, request id, user', async () => {
    const lines: Array<Record<string, any>> = [];
    const app = appLoggingTo(lines);
    const user = await createUser(t.deps.db, { role: 'biller' });
    const cookie = await sessionCookieFor(t.deps, user.id);
    const batch = await app.request(`/trpc/auth.me,bag.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: null, 1: { code: 'SB60404' } }))}`, { headers: { cookie, 'x-request-id': 'req-access-1' } });
    expect(batch.status).toBe(207);
    const ready = await app.request('/ready');
    // The liveness probe is answered before the middleware chain: a balancer polling it every few
    // seconds would otherwise fill the log (and it costs a tenth of a request).
    await app.request('/health');

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'request', requestId: 'req-access-1', method: 'GET', procedures: ['auth.me', 'bag.get'], status: 207, userId: user.id, pid: process.pid });
    expect(lines[0]!.durationMs).toBeGreaterThan(0);
    expect(Date.parse(lines[0]!.time)).not.toBeNaN();
    expect(lines[1]).toMatchObject({ msg: 'request', method: 'GET', path: '/ready', status: 200, userId: null, requestId: ready.headers.get('x-request-id') });
  });

  it('writes none below LOG_LEVEL=warn or with ACCESS_LOG off', async () => {
    const lines: Array<Record<string, any>> = [];
    await appLoggingTo(lines, 'warn').request('/ready');
    const logger = createLogger('info', { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    await createApp({ ...t.deps, logger, config: { ...t.deps.config, accessLog: false } }).request('/ready');
    expect(lines).toEqual([]);
  });

  it('carries the request id into lines logged deep inside the request (the reset mail, logged without SMTP_URL)', async () => {
    const lines: Array<Record<string, any>> = [];
    const app = appLoggingTo(lines);
    const user = await createUser(t.deps.db, { role: 'dispatcher' });
    const res = await app.request('/trpc/auth.requestPasswordReset', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-reset-7' }, body: JSON.stringify({ login: user.username }),
    });
    expect(res.status).toBe(200);
    await waitFor(async () => lines.some((l) => l.msg === 'mail not sent (SMTP_URL is unset)'), 10_000, 'the reset mail line');
    const mail = lines.find((l) => l.msg === 'mail not sent (SMTP_URL is unset)')!;
    expect(mail).toMatchObject({ requestId: 'req-reset-7', level: 'info' });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'req-reset-7', procedures: ['auth.requestPasswordReset'], status: 200 });
  });
});
