import { randomUUID } from 'node:crypto';
import { PARENT_FORMATS, parseBagCode } from '@tracetrack/shared';
import { type Caller, mutate, query, type Reply, send } from './http-client';

/** What one simulated client does during a phase. Every loop is bounded by a budget and the deadline. */
export type ClientSpec =
  | { kind: 'push'; caller: Caller; deviceId: string; parents: string[]; childPrefix: string; batch: number; seqStart: number; budget: number; paceMs?: number }
  | { kind: 'link'; caller: Caller; parents: string[]; childPrefix: string; budget: number; paceMs?: number }
  | { kind: 'read'; caller: Caller; requests: ReadRequest[]; budget: number; paceMs?: number };

/** A tRPC query, or a plain GET of a path (/health, the bare ceilings). */
export type ReadRequest = { procedure: string; input: unknown } | { path: string };

export interface ClientResult {
  latencies: number[];
  ok: number;
  errors: number;
  /** Mutations the server answered `applied` (push) or calls that linked (online). */
  applied: number;
  rejected: number;
  errorSamples: string[];
}

/** Several clients' results as one, keeping the first `samplesEach` error samples of each. */
export function mergeClientResults(results: readonly ClientResult[], samplesEach: number): ClientResult {
  const merged: ClientResult = { latencies: [], ok: 0, errors: 0, applied: 0, rejected: 0, errorSamples: [] };
  for (const r of results) {
    for (const l of r.latencies) merged.latencies.push(l);
    merged.ok += r.ok;
    merged.errors += r.errors;
    merged.applied += r.applied;
    merged.rejected += r.rejected;
    merged.errorSamples.push(...r.errorSamples.slice(0, samplesEach));
  }
  return merged;
}

const capacityOf = (code: string) => {
  const p = parseBagCode(code);
  return p.kind === 'parent' ? p.spec.maxChildren : PARENT_FORMATS[0].maxChildren;
};

/** A dispatcher's stream: scan a new parent, fill it with new children, next parent. */
function scanStream(parents: string[], childPrefix: string) {
  let pi = 0;
  let left = 0;
  let child = 0;
  let parent = '';
  return (): { name: 'parent.scan' | 'child.link'; args: Record<string, string> } | null => {
    if (left === 0) {
      if (pi >= parents.length) return null;
      parent = parents[pi++]!;
      left = capacityOf(parent);
      return { name: 'parent.scan', args: { code: parent } };
    }
    left -= 1;
    return { name: 'child.link', args: { parentCode: parent, childCode: `${childPrefix}${(child++).toString(36).toUpperCase().padStart(4, '0')}` } };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runClient(base: URL, spec: ClientSpec, deadline: number): Promise<ClientResult> {
  const out: ClientResult = { latencies: [], ok: 0, errors: 0, applied: 0, rejected: 0, errorSamples: [] };
  const timed = async (call: () => Promise<Reply>): Promise<Reply | null> => {
    const t = performance.now();
    try {
      const reply = await call();
      out.latencies.push(performance.now() - t);
      if (reply.status === 200) out.ok += 1;
      else {
        out.errors += 1;
        if (out.errorSamples.length < 3) out.errorSamples.push(`${reply.status} ${reply.body.slice(0, 200)}`);
      }
      return reply;
    } catch (e) {
      out.errors += 1;
      if (out.errorSamples.length < 3) out.errorSamples.push(String(e));
      return null;
    }
  };
  // Paced clients start at a random offset so they do not all fire together.
  let nextAt = performance.now() + ('paceMs' in spec && spec.paceMs ? Math.random() * spec.paceMs : 0);
  const pace = async () => {
    if (!('paceMs' in spec) || !spec.paceMs) return;
    const wait = nextAt - performance.now();
    if (wait > 0) await sleep(wait);
    nextAt += spec.paceMs;
  };

  if (spec.kind === 'push') {
    const next = scanStream(spec.parents, spec.childPrefix);
    let seq = spec.seqStart;
    for (let sent = 0; sent < spec.budget && Date.now() < deadline; ) {
      const mutations: Array<{ id: string; seq: number; name: string; args: Record<string, string>; clientTime: string }> = [];
      for (let i = 0; i < spec.batch && sent + i < spec.budget; i++) {
        const m = next();
        if (!m) break;
        mutations.push({ id: randomUUID(), seq: seq++, name: m.name, args: m.args, clientTime: new Date().toISOString() });
      }
      if (mutations.length === 0) break;
      sent += mutations.length;
      await pace();
      const reply = await timed(() => mutate(base, spec.caller, 'sync.push', { deviceId: spec.deviceId, mutations }));
      if (reply?.status === 200) {
        const results = (JSON.parse(reply.body).result.data as { results: Array<{ status: string; code?: string }> }).results;
        for (const r of results) {
          if (r.status === 'rejected') {
            out.rejected += 1;
            if (out.errorSamples.length < 3) out.errorSamples.push(`rejected ${r.code}`);
          } else out.applied += 1;
        }
      }
    }
  } else if (spec.kind === 'link') {
    const next = scanStream(spec.parents, spec.childPrefix);
    for (let sent = 0; sent < spec.budget && Date.now() < deadline; sent++) {
      const m = next();
      if (!m) break;
      await pace();
      const reply = m.name === 'parent.scan'
        ? await timed(() => mutate(base, spec.caller, 'bag.scanParent', m.args))
        : await timed(() => mutate(base, spec.caller, 'bag.linkChild', m.args));
      if (reply?.status === 200) out.applied += 1;
    }
  } else {
    for (let i = 0; i < spec.budget && Date.now() < deadline; i++) {
      const r = spec.requests[i % spec.requests.length]!;
      await pace();
      await timed(() => ('path' in r ? send(base, spec.caller, 'GET', r.path) : query(base, spec.caller, r.procedure, r.input)));
    }
  }
  return out;
}
