import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '@tracetrack/db';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, createUser } from '../factories/users';
import { freePort, type ServerProcess, startServerProcess, waitFor } from '../helpers/server-process';
import { openSse } from '../helpers/sse';
import { createTestDatabase } from '../helpers/test-db';

/**
 * The Caddyfile docker-compose.yml mounts, run by the same Caddy binary Debian ships, with local
 * ports and this machine's app process as the upstream: TLS from Caddy's internal CA, the Secure
 * session cookie, and the client address the app records coming through X-Forwarded-For.
 */
const CADDY = '/usr/bin/caddy';
const root = path.resolve(import.meta.dirname, '../..');
const CADDYFILE = path.join(root, 'server/deploy/Caddyfile');
if (!existsSync(CADDY)) console.warn(`https-proxy.test.ts skipped: ${CADDY} is absent (apt-get install -y caddy; .ci/run installs it)`);

// The client connects from another loopback address than Caddy does, so the address the app
// records tells which one it took: Caddy's socket (127.0.0.1) or the forwarded client (127.0.0.2).
const CLIENT_ADDRESS = '127.0.0.2';

describe.skipIf(!existsSync(CADDY))('HTTPS through the compose Caddyfile', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: ServerProcess;
  let caddy: ChildProcess;
  let caddyLog = '';
  let dir: string;
  let httpPort: number;
  let httpsPort: number;
  let username: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = createDb({ url: database.url, poolSize: 1 });
    username = (await createUser(db, { role: 'biller' })).username;
    await db.destroy();
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    const publicUrl = `https://localhost:${httpsPort}`;
    app = await startServerProcess({
      DATABASE_URL: database.url, NODE_ENV: 'production', TRUST_PROXY: 'true', PUBLIC_URL: publicUrl, ANONYMIZE_IPS: 'false', WORKERS: '1',
    }, undefined, [], { bundle: true });
    dir = await mkdtemp(path.join(os.tmpdir(), 'tt-caddy-'));
    await chmod(dir, 0o755);
    caddy = await startCaddy({ HTTP_PORT: String(httpPort), HTTPS_PORT: String(httpsPort), SITE_ADDRESS: 'localhost', APP_UPSTREAM: new URL(app.url).host });
  });

  /** `caddy run` on the compose Caddyfile with this test's settings; resolves once it serves. */
  async function startCaddy(settings: Record<string, string>): Promise<ChildProcess> {
    const child = spawn(CADDY, ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config'), ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (caddyLog += String(d)));
    child.stderr?.on('data', (d) => (caddyLog += String(d)));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`caddy exited (${child.exitCode}):\n${caddyLog}`);
      return fetch(`http://127.0.0.1:${settings.HTTP_PORT}/tracetrack-root.crt`).then((r) => r.status < 500, () => false);
    }, 30_000, 'caddy to answer');
    return child;
  }

  async function stopCaddy(child: ChildProcess | undefined) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  afterAll(async () => {
    await stopCaddy(caddy);
    await app?.kill();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs in over https with the internal CA: Secure cookie, forwarded client address, security headers', async () => {
    // The handheld's view: download the root over plain http, trust it, then use https only.
    const rootPem = await (await fetch(`http://127.0.0.1:${httpPort}/tracetrack-root.crt`)).text();
    expect(rootPem).toBe(await readFile(path.join(dir, 'data/caddy/pki/authorities/local/root.crt'), 'utf8'));
    const handheld = new Agent({ localAddress: CLIENT_ADDRESS, connect: { ca: rootPem } });
    const base = `https://localhost:${httpsPort}`;
    const origin = { origin: base, 'content-type': 'application/json' };
    try {
      // Anything else on plain http goes to https.
      const plain = await fetch(`http://localhost:${httpPort}/trpc/auth.me`, { redirect: 'manual' });
      expect(plain.status).toBe(308);
      expect(plain.headers.get('location')).toBe(`${base}/trpc/auth.me`);

      // Without the root, the certificate is refused: it really is Caddy's own CA.
      await expect(undiciFetch(`${base}/health`, { dispatcher: new Agent({ localAddress: CLIENT_ADDRESS }) })).rejects.toThrow();

      const login = await undiciFetch(`${base}/trpc/auth.login`, {
        method: 'POST', dispatcher: handheld,
        // A client-written X-Forwarded-For must not become the recorded address.
        headers: { ...origin, 'x-forwarded-for': '203.0.113.9', 'user-agent': 'handheld-test' },
        body: JSON.stringify({ username, password: TEST_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const cookies = login.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith('__Host-tt_session='));
      expect(session).toMatch(/; Secure(;|$)/);
      expect(session).toMatch(/HttpOnly/);
      expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(login.headers.get('x-content-type-options')).toBe('nosniff');
      expect(login.headers.get('server')).toBeNull();

      const cookie = session!.split(';')[0]!;
      const sessions = await undiciFetch(`${base}/trpc/account.sessions`, { dispatcher: handheld, headers: { cookie } });
      expect(sessions.status).toBe(200);
      const listed = ((await sessions.json()) as { result: { data: { ip: string; userAgent: string; isCurrent: boolean }[] } }).result.data;
      expect(listed.find((s) => s.isCurrent)).toMatchObject({ ip: CLIENT_ADDRESS, userAgent: 'handheld-test' });

      // X-Forwarded-Proto makes https://… this request's own origin; an http:// origin is foreign.
      const wrongScheme = await undiciFetch(`${base}/trpc/auth.logout`, {
        method: 'POST', dispatcher: handheld, headers: { ...origin, origin: `http://localhost:${httpsPort}`, cookie }, body: '{}',
      });
      expect(wrongScheme.status).toBe(403);
      const logout = await undiciFetch(`${base}/trpc/auth.logout`, { method: 'POST', dispatcher: handheld, headers: { ...origin, cookie }, body: '{}' });
      expect(logout.status).toBe(200);
    } finally {
      await handheld.close();
    }
  });

  it('passes a live screen\'s event stream through as it happens (Caddy does not buffer it)', async () => {
    const rootPem = await readFile(path.join(dir, 'data/caddy/pki/authorities/local/root.crt'), 'utf8');
    const handheld = new Agent({ localAddress: CLIENT_ADDRESS, connect: { ca: rootPem } });
    const base = `https://localhost:${httpsPort}`;
    const send = (url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: handheld }) as unknown as Promise<Response>;
    const post = (procedure: string, cookie: string, body: unknown) =>
      send(`${base}/trpc/${procedure}`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    try {
      const login = await send(`${base}/trpc/auth.login`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ username, password: TEST_PASSWORD }) });
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-tt_session='))!.split(';')[0]!;
      expect((await post('bill.create', cookie, { billNumber: 'PROXY-LIVE', capacity: 2 })).status).toBe(200);
      expect((await post('bag.scanParent', cookie, { code: 'SB88001' })).status).toBe(200);
      const stream = await openSse(base, 'live.bill', { billNumber: 'PROXY-LIVE' }, cookie, send);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      expect((await stream.next()).bill.parentCount).toBe(0);
      // The next event arrives while the stream stays open: nothing between holds it back.
      expect((await post('bill.addParent', cookie, { billNumber: 'PROXY-LIVE', parentCode: 'SB88001' })).status).toBe(200);
      expect((await stream.until((v) => v.bill.parentCount === 1, 10_000)).parents[0].code).toBe('SB88001');
      await stream.close();
    } finally {
      await handheld.close();
    }
  });

  it('serves the site\'s own certificate with TLS_CERTIFICATE=site', async () => {
    const [crt, key] = [path.join(dir, 'site.crt'), path.join(dir, 'site.key')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', crt], { stdio: 'pipe' });
    const [sitePort, siteHttpPort] = [await freePort(), await freePort()];
    const site = await startCaddy({
      HTTP_PORT: String(siteHttpPort), HTTPS_PORT: String(sitePort), SITE_ADDRESS: 'localhost', APP_UPSTREAM: new URL(app.url).host,
      TLS_CERTIFICATE: 'site', TLS_CERT_FILE: crt, TLS_KEY_FILE: key,
    });
    const trusting = new Agent({ connect: { ca: await readFile(crt, 'utf8') } });
    try {
      const res = await undiciFetch(`https://localhost:${sitePort}/health`, { dispatcher: trusting });
      expect(res.status).toBe(200);
      // Its certificate is the site's, not one from Caddy's internal CA.
      const internalRoot = await readFile(path.join(dir, 'data/caddy/pki/authorities/local/root.crt'), 'utf8');
      const internalOnly = new Agent({ connect: { ca: internalRoot } });
      await expect(undiciFetch(`https://localhost:${sitePort}/health`, { dispatcher: internalOnly })).rejects.toThrow();
      await internalOnly.close();
    } finally {
      await trusting.close();
      await stopCaddy(site);
    }
  });
});
