import { parentPort, workerData } from 'node:worker_threads';
import { type ClientResult, type ClientSpec, runClient } from './scripts';

/**
 * A load-generator thread: loads, says ready, then on "go" runs its share of the phase's clients
 * and returns their raw latencies (so module loading never counts in a phase's time).
 */
const { base, clients } = workerData as { base: string; clients: ClientSpec[] };
parentPort!.once('message', async ({ deadline }: { deadline: number }) => {
  const results = await Promise.all(clients.map((c) => runClient(new URL(base), c, deadline)));
  const merged: ClientResult = { latencies: [], ok: 0, errors: 0, applied: 0, rejected: 0, errorSamples: [] };
  for (const r of results) {
    for (const l of r.latencies) merged.latencies.push(l);
    merged.ok += r.ok;
    merged.errors += r.errors;
    merged.applied += r.applied;
    merged.rejected += r.rejected;
    merged.errorSamples.push(...r.errorSamples.slice(0, 2));
  }
  parentPort!.postMessage(merged);
});
parentPort!.postMessage('ready');
