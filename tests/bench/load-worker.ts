import { parentPort, workerData } from 'node:worker_threads';
import { type ClientSpec, mergeClientResults, runClient } from './scripts';

/**
 * A load-generator thread: loads, says ready, then on "go" runs its share of the phase's clients
 * and returns their raw latencies (so module loading never counts in a phase's time).
 */
const { base, clients } = workerData as { base: string; clients: ClientSpec[] };
parentPort!.once('message', async ({ deadline }: { deadline: number }) => {
  const results = await Promise.all(clients.map((c) => runClient(new URL(base), c, deadline)));
  parentPort!.postMessage(mergeClientResults(results, 2));
});
parentPort!.postMessage('ready');
