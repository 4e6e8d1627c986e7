import { migrations } from '@tracetrack/db/migrations/index';
import type { SystemHealth } from '@tracetrack/shared';
import rootPackage from '../../../../package.json' with { type: 'json' };
import type { Deps } from '../../deps';
import { slowestProcedures, within } from '../../infra/metrics';
import { timeZoneDay } from '../counters/time-zone-day';
import { MAINTENANCE_EVERY_MS, MAINTENANCE_JOB } from '../../maintenance';
import { findBackgroundRun } from './background-runs';
import { findDatabaseFacts, findEodRunFacts, findMigrationLevel, findSlowStatements } from './queries';
import { nextLocalTime } from './schedule';

const SLOWEST_SHOWN = 10;
const HOUR_MS = 3_600_000;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

async function redisFacts(deps: Pick<Deps, 'redis'>): Promise<SystemHealth['redis']> {
  if (!deps.redis) return { status: 'not-configured', version: null, usedMemoryBytes: null };
  const redis = deps.redis;
  try {
    const text = await within(1_000, Promise.all([redis.info('server'), redis.info('memory')]).then((parts) => parts.join('\r\n')), null);
    if (text === null) return { status: 'down', version: null, usedMemoryBytes: null };
    const info = parseInfo(text);
    const used = info.get('used_memory');
    return { status: 'ok', version: info.get('redis_version') ?? null, usedMemoryBytes: used ? Number(used) : null };
  } catch {
    return { status: 'down', version: null, usedMemoryBytes: null };
  }
}

function describePurge(detail: unknown): string | null {
  if (!detail || typeof detail !== 'object') return null;
  const d = detail as Record<string, number>;
  return `Purged ${d.auditRows ?? 0} audit rows, ${d.tombstones ?? 0} sync tombstones, ${d.signInFailures ?? 0} sign-in failure rows.`;
}

/**
 * What the system-health screen shows. Figures about processes (memory, pool, calls, errors) are
 * gathered from every worker of this server; errors come from the shared ring (Redis) when there
 * is one; database and background facts from Postgres.
 */
export async function getSystemHealth(deps: Deps): Promise<SystemHealth> {
  const now = deps.clock();
  const [parts, database, statements, level, redis, recent, maintenance, eod] = await Promise.all([
    deps.gatherWorkers(),
    findDatabaseFacts(deps.db),
    findSlowStatements(deps.db, SLOWEST_SHOWN),
    findMigrationLevel(deps.db),
    redisFacts(deps),
    within(1_000, deps.recentErrors.list(), []),
    findBackgroundRun(deps.db, MAINTENANCE_JOB),
    findEodRunFacts(deps.db),
  ]);

  const pool = parts.reduce((sum, p) => ({ total: sum.total + p.pool.total, idle: sum.idle + p.pool.idle, waiting: sum.waiting + p.pool.waiting, max: sum.max + p.pool.max }), { total: 0, idle: 0, waiting: 0, max: 0 });
  let slowest: SystemHealth['database']['slowest'];
  if ('rows' in statements) {
    slowest = { source: 'pg_stat_statements', note: null, entries: statements.rows.map((s) => ({ text: s.query, calls: Number(s.calls), meanMs: s.mean_ms, totalMs: s.total_ms, p95Ms: null })) };
  } else {
    const why = statements.missing === 'not-installed'
      ? 'The pg_stat_statements extension is not created in this database'
      : 'pg_stat_statements is created but not loaded (add it to shared_preload_libraries and restart Postgres)';
    slowest = deps.metrics
      ? {
          source: 'procedures',
          note: `${why}, so these are the app's own slowest procedures since the server processes started.`,
          entries: slowestProcedures(parts.flatMap((p) => p.metrics), SLOWEST_SHOWN).map((p) => ({ text: p.procedure, calls: p.calls, meanMs: p.meanMs, totalMs: null, p95Ms: p.p95Ms })),
        }
      : { source: 'none', note: `${why}, and instrumentation is off (METRICS=off).`, entries: [] };
  }

  const since = now.getTime() - HOUR_MS;
  const lastHour = recent.filter((e) => Date.parse(e.at) >= since);
  const isCounted = deps.metrics !== null;

  const sendAt = deps.config.eodSendAt;
  const isEodConfigured = !!sendAt && deps.mailer.isConfigured;
  const today = timeZoneDay(now, deps.config.timeZone);
  const isTodayDone = eod.last?.day === today && eod.last.status !== 'failed';

  return {
    generatedAt: now.toISOString(),
    version: rootPackage.version,
    migrations: { latestApplied: level.latest, applied: level.applied, known: Object.keys(migrations).length },
    database: { ...database, pool, slowest },
    redis,
    workers: parts.map((p) => ({ pid: p.snapshot.pid, uptimeSeconds: p.snapshot.uptimeSeconds, rssBytes: p.snapshot.rssBytes, heapUsedBytes: p.snapshot.heapUsedBytes, heapTotalBytes: p.snapshot.heapTotalBytes })).sort((a, b) => a.pid - b.pid),
    errors: {
      callsLastHour: isCounted ? parts.reduce((n, p) => n + p.snapshot.callsLastHour, 0) : null,
      errorsLastHour: isCounted ? parts.reduce((n, p) => n + p.snapshot.errorsLastHour, 0) : null,
      recent: lastHour.map((e) => ({ at: e.at, where: e.where, message: e.message, requestId: e.requestId, status: e.status })),
    },
    background: {
      maintenance: {
        status: maintenance?.last_status ?? null,
        lastStartedAt: iso(maintenance?.last_started_at),
        lastFinishedAt: iso(maintenance?.last_finished_at),
        // Every worker runs it hourly from its start (one at a time): at most an hour after the last.
        nextRunAt: maintenance ? new Date(maintenance.last_started_at.getTime() + MAINTENANCE_EVERY_MS).toISOString() : null,
        lastError: maintenance?.last_error ?? null,
        lastErrorAt: iso(maintenance?.last_error_at),
        detail: describePurge(maintenance?.last_detail),
      },
      endOfDayMail: {
        isConfigured: isEodConfigured,
        sendAt: sendAt ?? null,
        lastDay: eod.last?.day ?? null,
        lastStatus: eod.last?.status ?? null,
        lastRunAt: iso(eod.last?.finished_at ?? eod.last?.started_at),
        nextRunAt: isEodConfigured ? nextLocalTime(now, deps.config.timeZone, sendAt, { isTodayDone }).toISOString() : null,
        lastError: eod.failed?.detail ?? null,
        lastErrorAt: iso(eod.failed?.finished_at ?? eod.failed?.started_at),
      },
    },
  };
}
