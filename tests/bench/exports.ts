import http from 'node:http';
import type pg from 'pg';
import type { Caller } from './http-client';
import { sampleResources } from './proc-stats';

export interface ExportRun {
  path: string;
  status: number;
  /** From sending the request to the first byte of the body. */
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  /** CSV: records (lines) after the header; XLSX: not counted (zipped). */
  rows: number | null;
  /** Server RSS (largest process) when the request left, and the highest seen while it ran. */
  rssBeforeMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
}

/** The seeded admin the exports run as (exports are admins' only). */
export async function seededAdmin(client: pg.Client): Promise<{ username: string; role: string; area: string | null }> {
  const row = (await client.query<{ username: string }>(`select username from users where role = 'admin' and email like '%@seed.tracetrack.test' order by id limit 1`)).rows[0];
  if (!row) throw new Error('No seeded admin: seed with `npm run seed -- --bags N` first.');
  return { username: row.username, role: 'admin', area: null };
}

/**
 * Downloads one export over loopback as a browser would (reading as fast as it arrives), timing
 * the first byte and the whole file, while the server's memory is sampled every 250 ms.
 */
export async function measureExport(base: URL, caller: Caller, serverPid: number, path: string): Promise<ExportRun> {
  const before = sampleResources(serverPid).stop();
  const rssBeforeMb = Math.max(...before.serverPeakRssMb);
  const sampler = sampleResources(serverPid);
  const t0 = performance.now();
  const reply = await new Promise<Omit<ExportRun, 'path' | 'rssBeforeMb' | 'rssPeakMb' | 'rssGrowthMb'>>((resolve, reject) => {
    const req = http.get({ host: base.hostname, port: base.port, path, localAddress: caller.localAddress, headers: caller.cookie ? { cookie: caller.cookie } : {} }, (res) => {
      let firstByteMs = -1;
      let bytes = 0;
      let newlines = 0;
      res.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - t0;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, firstByteMs, totalMs: performance.now() - t0, bytes, rows: path.includes('.csv') ? Math.max(0, newlines - 1) : null,
      }));
      res.on('error', reject);
    });
    req.setTimeout(600_000, () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', reject);
  });
  const peak = sampler.stop();
  const rssPeakMb = Math.max(...peak.serverPeakRssMb);
  return { path, ...reply, rssBeforeMb, rssPeakMb, rssGrowthMb: rssPeakMb - rssBeforeMb };
}

export function exportsTable(runs: Array<ExportRun & { workers: number }>): string {
  const lines = [
    '| workers | export | status | first byte ms | total s | MB | rows | server RSS before → peak MB | growth MB |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    lines.push(`| ${r.workers} | \`${r.path}\` | ${r.status} | ${r.firstByteMs.toFixed(0)} | ${(r.totalMs / 1000).toFixed(1)} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.rssBeforeMb} → ${r.rssPeakMb} | ${r.rssGrowthMb} |`);
  }
  return lines.join('\n');
}
