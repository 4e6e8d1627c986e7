import { randomUUID } from 'node:crypto';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');
/** What `npm run build` produces and `npm start` runs. */
export const SERVER_BUNDLE = path.join(root, 'server/dist/main.js');

let isBundleBuilt = false;
/**
 * Builds server/dist/main.js from the current sources once per test process (under a second), so
 * a test file run alone never runs a stale bundle.
 */
export function ensureServerBundle(): void {
  if (isBundleBuilt && existsSync(SERVER_BUNDLE)) return;
  execFileSync(process.execPath, ['server/build.mjs'], { cwd: root, stdio: 'pipe' });
  isBundleBuilt = true;
}

/**
 * Runs the real server as its own process: the TypeScript entry point (`server/src/main.ts`
 * through tsx) or, with `bundle`, the built `server/dist/main.js` that `npm start` runs.
 * `nodeArgs` go before the entry point (e.g. the bench's --cpu-prof, which NODE_OPTIONS refuses).
 */
export async function startServerProcess(
  /** Added to this process's environment; an undefined value leaves the variable out. */
  env: Record<string, string | undefined>,
  port?: number,
  nodeArgs: string[] = [],
  opts: { bundle?: boolean } = {},
): Promise<ServerProcess> {
  const listenPort = port ?? (await freePort());
  if (opts.bundle) ensureServerBundle();
  const entry = opts.bundle ? ['--enable-source-maps', SERVER_BUNDLE] : ['--import', 'tsx', 'server/src/main.ts'];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: root,
    // A key prefix of its own: user ids repeat across test databases, and sessions of an earlier
    // run's server must not be found by this one in a shared Redis. Admins sign in without a
    // second factor unless a test sets ADMIN_TWO_FACTOR=required. Idle connections close after
    // 30 s, not 10 minutes: several test servers share the machine's 100 Postgres connections.
    env: {
      ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(listenPort), CLIENT_DIST: 'none', DB_POOL_IDLE_MS: '30000',
      REDIS_PREFIX: `tt-test:${randomUUID()}:`, ADMIN_TWO_FACTOR: 'optional', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const url = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls a condition (no fixed sleeps): resolves as soon as it holds, fails after the timeout. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
