import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PGBENCH = ['/usr/bin/pgbench', '/usr/lib/postgresql/15/bin/pgbench'].find((p) => existsSync(p)) ?? 'pgbench';

export interface PgbenchResult {
  mode: 'select-only' | 'simple-update';
  clients: number;
  tps: number;
  latencyMsAvg: number;
}

/**
 * The ceiling: what this Postgres does on this machine with no application in front of it.
 * pgbench gets its own database (the caller creates and drops it; initialised each run, scale 10: 1M accounts).
 */
export async function runPgbench(url: URL, database: string, opts: { seconds: number; clients: number; scale: number }): Promise<PgbenchResult[]> {
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username)];
  await run(PGBENCH, [...conn, '-i', '-q', '-s', String(opts.scale), database], { env });
  const out: PgbenchResult[] = [];
  for (const [mode, flag] of [['select-only', '-S'], ['simple-update', '-N']] as const) {
    const { stdout } = await run(PGBENCH, [...conn, flag, '-n', '-M', 'prepared', '-c', String(opts.clients), '-j', '2', '-T', String(opts.seconds), database], { env });
    const tps = Number(stdout.match(/tps = ([\d.]+)/)?.[1] ?? 0);
    const latency = Number(stdout.match(/latency average = ([\d.]+) ms/)?.[1] ?? 0);
    out.push({ mode, clients: opts.clients, tps, latencyMsAvg: latency });
  }
  return out;
}

/**
 * pgbench running custom scripts (-f, equal weights: one script per captured request, so the
 * parameters are drawn at random among them) on the bench's database: a read phase's ceiling.
 */
export async function runPgbenchScripts(url: URL, database: string, files: string[], opts: { seconds: number; clients: number }): Promise<{ tps: number; latencyMsAvg: number }> {
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username)];
  const { stdout } = await run(PGBENCH, [...conn, '-n', '-M', 'prepared', '-c', String(opts.clients), '-j', '2', '-T', String(opts.seconds), ...files.flatMap((f) => ['-f', f]), database], { env, maxBuffer: 16 * 2 ** 20 });
  return { tps: Number(stdout.match(/tps = ([\d.]+)/)?.[1] ?? 0), latencyMsAvg: Number(stdout.match(/latency average = ([\d.]+) ms/)?.[1] ?? 0) };
}
