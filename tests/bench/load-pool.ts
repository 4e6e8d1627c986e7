import { Worker } from 'node:worker_threads';
import type { ClientResult, ClientSpec } from './scripts';

export interface PhaseRun {
  result: ClientResult;
  elapsedMs: number;
}

/**
 * Runs a phase's clients on `threads` worker threads (the load generator must not be the
 * bottleneck of a single event loop); `during` runs while they do (the resource sampler).
 */
export async function runPhase(base: string, clients: ClientSpec[], opts: { threads: number; durationMs: number }, during?: () => () => void): Promise<PhaseRun> {
  const threads = Math.max(1, Math.min(opts.threads, clients.length));
  const shares: ClientSpec[][] = Array.from({ length: threads }, () => []);
  clients.forEach((c, i) => shares[i % threads]!.push(c));
  const workers = shares.map((share) => new Worker(new URL('./load-worker-boot.mjs', import.meta.url), { workerData: { base, clients: share } }));
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    })));
    const stopSampling = during?.();
    const t0 = performance.now();
    const deadline = Date.now() + opts.durationMs;
    const results = await Promise.all(workers.map((w) => new Promise<ClientResult>((resolve, reject) => {
      w.once('message', (m: ClientResult) => resolve(m));
      w.once('error', reject);
      w.postMessage({ deadline });
    })));
    const elapsedMs = performance.now() - t0;
    stopSampling?.();
    const result: ClientResult = { latencies: [], ok: 0, errors: 0, applied: 0, rejected: 0, errorSamples: [] };
    for (const r of results) {
      for (const l of r.latencies) result.latencies.push(l);
      result.ok += r.ok;
      result.errors += r.errors;
      result.applied += r.applied;
      result.rejected += r.rejected;
      result.errorSamples.push(...r.errorSamples.slice(0, 3));
    }
    return { result, elapsedMs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
