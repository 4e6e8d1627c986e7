/**
 * The Postgres statements one request sends, taken from the real app: the bench builds the app
 * in this process (same code, same bench database), records every statement a pg client sends
 * while one request runs (the session's user read included), and turns them into a pgbench
 * custom script (-f) with the values inlined. pgbench running that script at the bench's client
 * count is the phase's database ceiling: what Postgres alone does for the same work.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../../server/src/app';
import { buildDeps } from '../../server/src/build-deps';
import { createLogger } from '../../server/src/infra/logger';

export interface Statement {
  text: string;
  values: unknown[];
  ms: number;
}

let recording: Statement[] | null = null;
let patched = false;

/** Records statements sent while `recording` is set (patched once, before any pool connects). */
function patchPg() {
  if (patched) return;
  patched = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
    const sink = recording;
    if (sink && config !== null && config !== undefined) {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      const vals = typeof config === 'string' ? values : ((config as { values?: unknown[] }).values ?? values);
      if (typeof text === 'string') {
        const entry: Statement = { text, values: Array.isArray(vals) ? vals : [], ms: 0 };
        sink.push(entry);
        const t = performance.now();
        const out = original.call(this, config, values, callback);
        if (out && typeof (out as Promise<unknown>).then === 'function') {
          (out as Promise<unknown>).then(() => (entry.ms = performance.now() - t), () => {});
        }
        return out;
      }
    }
    return original.call(this, config, values, callback);
  };
}

export interface StatementRecorder {
  /** Signs in (in this process's own session store) and returns the cookie. */
  signIn(username: string, password: string): Promise<string>;
  /** Runs one GET /trpc/<procedure> request and returns the statements it sent. */
  capture(cookie: string, procedure: string, input: unknown): Promise<Statement[]>;
  close(): Promise<void>;
}

export async function createStatementRecorder(databaseUrl: string): Promise<StatementRecorder> {
  patchPg();
  const deps = await buildDeps({
    databaseUrl,
    poolSize: 2,
    logger: createLogger('silent'),
    config: {
      isProduction: false, anonymizeIps: true, trustProxy: false, sessionIdleMs: 3_600_000, sessionAbsoluteMs: 12 * 3_600_000,
      clientDist: null, timeZone: process.env.TIME_ZONE ?? 'Asia/Kolkata', publicUrl: null, uploadDir: path.join(tmpdir(), 'tracetrack-bench-uploads'),
      eodSendAt: null, adminTwoFactor: 'optional', twoFactorKey: null, deviceSyncWarnMs: 30 * 60_000, accessLog: false, metricsToken: null,
    },
  });
  let ip = 0;
  const app = createApp(deps, { remoteAddress: () => `127.201.0.${(ip++ % 250) + 1}` });
  const request = (pathAndQuery: string, init: RequestInit = {}) => app.request(`http://127.0.0.1${pathAndQuery}`, init);
  return {
    async signIn(username, password) {
      const res = await request('/trpc/auth.login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('tt_session='));
      if (!res.ok || !cookie) throw new Error(`statement recorder: sign-in of ${username} failed (${res.status} ${await res.text()})`);
      return cookie;
    },
    async capture(cookie, procedure, input) {
      const sink: Statement[] = [];
      recording = sink;
      try {
        const res = await request(`/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie } });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`statement recorder: ${procedure} answered ${res.status}`);
      } finally {
        recording = null;
      }
      return sink;
    },
    close: () => deps.close(),
  };
}

/** A JS value as pg sends it, as an SQL literal (text; Postgres infers its type as for a parameter). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `'${prepare(value).replaceAll("'", "''")}'`;
}

function prepare(value: unknown): string {
  // pg's own conversion (dates, arrays, buffers, objects), so the literal is what the server sent.
  const out = (pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }).utils.prepareValue(value);
  return Buffer.isBuffer(out) ? `\\x${out.toString('hex')}` : String(out);
}

/**
 * pgbench takes `:name` anywhere in a command, string literals included, for a variable: a literal
 * holding one (a to_char format's `HH24:MI:SS`) is rebuilt with chr(58) for those colons, which
 * Postgres folds back into the same constant when it plans the statement.
 */
function shieldColons(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, (lit) => (/:[A-Za-z_]/.test(lit) ? `(${lit.replace(/:(?=[A-Za-z_])/g, "' || chr(58) || '")})` : lit));
}

/** One request's statements as a pgbench script: $n replaced by literals, one statement per command. */
export function pgbenchScript(statements: Statement[]): string {
  return statements.map((s) => {
    const sql = s.text.replace(/\$(\d+)/g, (_, n: string) => literal(s.values[Number(n) - 1])).replace(/;\s*$/, '').replace(/\s*\n\s*/g, ' ');
    return `${shieldColons(sql)};`;
  }).join('\n') + '\n';
}

/**
 * Writes one script per captured request into a fresh directory; pgbench runs them with equal
 * weights (`-f a -f b …`), so parameters are drawn at random among the captured requests'.
 */
export function writeScripts(dir: string, phase: string, requests: Statement[][]): string[] {
  const out = path.join(dir, `${phase.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${randomUUID().slice(0, 8)}`);
  mkdirSync(out, { recursive: true });
  return requests.map((statements, i) => {
    const file = path.join(out, `${i}.sql`);
    writeFileSync(file, pgbenchScript(statements));
    return file;
  });
}
