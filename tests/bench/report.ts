import { readFileSync, writeFileSync } from 'node:fs';
import type { ResourceUse } from './proc-stats';
import type { PgbenchResult } from './pgbench';

export interface PhaseReport {
  workers: number;
  phase: string;
  /** What the ratio column compares with: pgbench simple-update (writes) or select-only (reads). */
  ceiling: PgbenchResult['mode'];
  /**
   * The phase's own ceilings measured in the same run (names in the run's ceiling map): the bare
   * Hono route or tRPC query, and the pgbench script of exactly the statements it sends.
   */
  own: string[];
  clients: number;
  requests: number;
  errors: number;
  rejected: number;
  elapsedS: number;
  reqPerS: number;
  /** Mutations (or links) applied per second; null for reads. */
  mutationsPerS: number | null;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  resources: ResourceUse;
  errorSamples: string[];
}

export function percentiles(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1]! : 0 };
}

const f = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A markdown table: every figure with the pgbench ceiling beside it. */
export function summaryTable(phases: PhaseReport[], pgbench: PgbenchResult[], own: Map<string, number> = new Map()): string {
  const ceiling = (mode: string) => pgbench.find((p) => p.mode === mode)?.tps ?? 0;
  const lines = [
    '| workers | phase | clients | req/s | mutations/s | p50 ms | p95 ms | p99 ms | vs pgbench | vs own ceiling | server CPU % | peak RSS MB / worker | Postgres CPU % | errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const p of phases) {
    const rate = p.mutationsPerS ?? p.reqPerS;
    const c = ceiling(p.ceiling);
    const ratio = p.phase.includes('(bare, ceiling)') ? '–' : c ? `${f((rate / c) * 100, 0)}% of ${p.ceiling === 'simple-update' ? 'upd' : 'sel'} ${f(c, 0)}` : '–';
    // Flat-out phases only: a paced phase's rate is the pace.
    const mine = p.phase.endsWith('flat out') && (p.own ?? []).length
      ? p.own.filter((k) => own.get(k)).map((k) => `${f((p.reqPerS / own.get(k)!) * 100, 0)}% of ${k.startsWith('pgbench') ? 'pgbench' : k.replace(/@\d+$/, '')} ${f(own.get(k)!, 0)}`).join('; ') || '–'
      : '–';
    lines.push(
      `| ${p.workers} | ${p.phase} | ${p.clients} | ${f(p.reqPerS, 0)} | ${p.mutationsPerS === null ? '–' : f(p.mutationsPerS, 0)} | ${f(p.p50)} | ${f(p.p95)} | ${f(p.p99)} | ${ratio} | ${mine} | ${f(p.resources.serverCpuPct, 0)} | ${p.resources.serverPeakRssMb.join(' / ')} | ${f(p.resources.postgresCpuPct, 0)} | ${p.errors + p.rejected} |`,
    );
  }
  lines.push('', '| pgbench | clients | TPS | avg latency ms |', '|---|---:|---:|---:|');
  for (const p of pgbench) lines.push(`| ${p.mode} | ${p.clients} | ${f(p.tps, 0)} | ${f(p.latencyMsAvg, 2)} |`);
  return lines.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/**
 * Replaces the report between the markers in tests/bench/README.md, or appends a "Latest report"
 * section holding them when the file has none.
 */
export function writeReport(path: string, block: string): void {
  const text = readFileSync(path, 'utf8');
  const body = `${START}\n${block}\n${END}`;
  const next = text.includes(START) && text.includes(END)
    ? text.slice(0, text.indexOf(START)) + body + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n## Latest report\n\n${body}\n`;
  writeFileSync(path, next);
}
