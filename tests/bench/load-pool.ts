import { Worker } from 'node:worker_threads';
import { type ClientResult, type ClientSpec, mergeClientResults } from './scripts';

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
    return { result: mergeClientResults(results, 3), elapsedMs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
