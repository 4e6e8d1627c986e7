import cluster from 'node:cluster';
import { type Metrics, type MetricsJson, type PoolStats, processSnapshot, type WorkerSnapshot } from './metrics';

/** One worker's registry (empty with instrumentation off) and its memory and call counts. */
export interface WorkerPart {
  metrics: MetricsJson;
  snapshot: WorkerSnapshot;
  pool: PoolStats;
}

const REQUEST = 'tt:gather:request';
const COLLECT = 'tt:gather:collect';
const PART = 'tt:gather:part';
const RESULT = 'tt:gather:result';
/** A worker that does not answer in time (busy, stopping) is left out rather than failing the scrape. */
const GATHER_TIMEOUT_MS = 3_000;

interface GatherMessage {
  type: string;
  id: number;
  part?: WorkerPart;
  parts?: WorkerPart[];
}
const isGatherMessage = (m: unknown): m is GatherMessage => typeof m === 'object' && m !== null && typeof (m as GatherMessage).type === 'string' && (m as GatherMessage).type.startsWith('tt:gather:');

async function ownPart(metrics: Metrics | null, poolStats: () => PoolStats): Promise<WorkerPart> {
  return metrics
    ? { metrics: (await metrics.registry.getMetricsAsJSON()) as MetricsJson, snapshot: metrics.snapshot(), pool: poolStats() }
    : { metrics: [], snapshot: processSnapshot(), pool: poolStats() };
}

/**
 * Every worker's part, whichever worker asks: with node:cluster a worker asks the primary over
 * IPC, the primary asks every worker (the asker included) and hands back what came; a single
 * process answers with its own. Each worker calls this once with its registry.
 */
export function createGatherer(metrics: Metrics | null, poolStats: () => PoolStats): () => Promise<WorkerPart[]> {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) return async () => [await ownPart(metrics, poolStats)];
  let next = 0;
  const waiting = new Map<number, (parts: WorkerPart[]) => void>();
  process.on('message', (m: unknown) => {
    if (!isGatherMessage(m)) return;
    if (m.type === COLLECT) void ownPart(metrics, poolStats).then((part) => send({ type: PART, id: m.id, part }));
    else if (m.type === RESULT) {
      waiting.get(m.id)?.(m.parts ?? []);
      waiting.delete(m.id);
    }
  });
  return () => new Promise<WorkerPart[]>((resolve) => {
    const id = next++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      // The primary did not answer: this worker's own part is better than nothing.
      void ownPart(metrics, poolStats).then((p) => resolve([p]));
    }, GATHER_TIMEOUT_MS + 1_000);
    waiting.set(id, (parts) => {
      clearTimeout(timer);
      resolve(parts);
    });
    send({ type: REQUEST, id });
  });
}

/** The primary's side: relays a worker's request to every live worker and answers with their parts. */
export function serveGatherRequests(): void {
  let next = 0;
  const open = new Map<number, { parts: WorkerPart[]; pending: number; done: () => void }>();
  cluster.on('message', (worker, m: unknown) => {
    if (!isGatherMessage(m)) return;
    if (m.type === PART) {
      const g = open.get(m.id);
      if (!g) return;
      if (m.part) g.parts.push(m.part);
      if (--g.pending === 0) g.done();
      return;
    }
    if (m.type !== REQUEST) return;
    const id = next++;
    const live = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
    const answer = (parts: WorkerPart[]) => {
      if (worker.isConnected()) worker.send({ type: RESULT, id: m.id, parts });
    };
    if (live.length === 0) return answer([]);
    const gathering = { parts: [] as WorkerPart[], pending: live.length, done: () => {} };
    const timer = setTimeout(() => gathering.done(), GATHER_TIMEOUT_MS);
    gathering.done = () => {
      clearTimeout(timer);
      open.delete(id);
      answer(gathering.parts);
    };
    open.set(id, gathering);
    for (const w of live) w!.send({ type: COLLECT, id });
  });
}
