import type { SystemHealth } from '@tracetrack/shared';
import { createResource, For, Show } from 'solid-js';
import { bytesText, durationText, eodMailText, errorRateText, fetchSystemHealth, MAINTENANCE_WORDS, REDIS_WORDS, timeText } from '../features/system/health';

const ms = (v: number | null) => (v === null ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-IN')} ms`);

/** Admins: how the server is doing right now (database, Redis, workers, errors, background work). */
export default function SystemHealthScreen() {
  const [health, { refetch }] = createResource(fetchSystemHealth);
  const loaded = () => {
    const h = health();
    return h && !('error' in h) ? h : null;
  };
  return (
    <main class="page">
      <h1>System health</h1>
      <p class="no-print">
        <button type="button" class="button button-quiet" onClick={() => void refetch()} disabled={health.loading}>
          Refresh
        </button>
      </p>
      <Show when={health.loading && !loaded()}>
        <p class="muted">Loading…</p>
      </Show>
      <Show when={(() => { const h = health(); return h && 'error' in h ? h.error : null; })()}>
        {(message) => <p class="error" role="alert">{message()}</p>}
      </Show>
      <Show when={loaded()}>{(h) => <Health health={h()} />}</Show>
    </main>
  );
}

function Health(props: { health: SystemHealth }) {
  const h = () => props.health;
  const db = () => h().database;
  return (
    <section data-testid="system-health">
      <p class="muted">
        Version {h().version}, database migrations {h().migrations.applied} of {h().migrations.known} (latest {h().migrations.latestApplied ?? 'none'}). As of {timeText(h().generatedAt)}.
      </p>
      <div class="tiles">
        <div class="tile"><span class="tile-value" data-testid="health-db-size">{bytesText(db().sizeBytes)}</span><span class="tile-label">database size (Postgres {db().version.split(' ')[0]})</span></div>
        <div class="tile"><span class="tile-value" data-testid="health-pool">{db().pool.total - db().pool.idle} / {db().pool.max}</span><span class="tile-label">connections in use ({db().pool.idle} idle, {db().pool.waiting} waiting)</span></div>
        <div class="tile"><span class="tile-value" data-testid="health-workers">{h().workers.length}</span><span class="tile-label">server processes</span></div>
        <div class="tile"><span class="tile-value" data-testid="health-error-count">{h().errors.errorsLastHour ?? '—'}</span><span class="tile-label">server errors in the last hour</span></div>
      </div>

      <h2 class="section-title">Redis</h2>
      <p data-testid="health-redis">
        {REDIS_WORDS[h().redis.status]}
        {h().redis.version ? ` — version ${h().redis.version}, ${bytesText(h().redis.usedMemoryBytes)} used` : ''}
      </p>

      <h2 class="section-title">Server processes</h2>
      <table class="table" data-testid="health-worker-table">
        <thead><tr><th>Process id</th><th>Up for</th><th class="num">Memory (RSS)</th><th class="num">Heap used</th><th class="num">Heap size</th></tr></thead>
        <tbody>
          <For each={h().workers}>
            {(w) => (
              <tr>
                <td>{w.pid}</td>
                <td>{durationText(w.uptimeSeconds)}</td>
                <td class="num">{bytesText(w.rssBytes)}</td>
                <td class="num">{bytesText(w.heapUsedBytes)}</td>
                <td class="num">{bytesText(w.heapTotalBytes)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <h2 class="section-title">Errors in the last hour</h2>
      <p data-testid="health-error-rate">{errorRateText(h().errors)}</p>
      <Show when={h().errors.recent.length > 0} fallback={<p class="muted">No server errors in the last hour.</p>}>
        <div class="table-scroll">
          <table class="table" data-testid="health-errors">
            <thead><tr><th>When</th><th>Where</th><th>Status</th><th>Message</th><th>Request id</th></tr></thead>
            <tbody>
              <For each={h().errors.recent}>
                {(e) => (
                  <tr>
                    <td>{timeText(e.at)}</td>
                    <td>{e.where}</td>
                    <td>{e.status ?? '—'}</td>
                    <td>{e.message}</td>
                    <td><code>{e.requestId ?? '—'}</code></td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>

      <h2 class="section-title">Slowest {db().slowest.source === 'pg_stat_statements' ? 'database statements' : 'procedures'}</h2>
      <Show when={db().slowest.note}>{(note) => <p class="muted">{note()}</p>}</Show>
      <Show when={db().slowest.entries.length > 0} fallback={<p class="muted">Nothing measured yet.</p>}>
        <div class="table-scroll">
          <table class="table" data-testid="health-slowest">
            <thead>
              <tr>
                <th>{db().slowest.source === 'pg_stat_statements' ? 'Statement' : 'Procedure'}</th>
                <th class="num">Calls</th><th class="num">Mean</th>
                <th class="num">{db().slowest.source === 'pg_stat_statements' ? 'Total' : '95 % under'}</th>
              </tr>
            </thead>
            <tbody>
              <For each={db().slowest.entries}>
                {(s) => (
                  <tr>
                    <td><code>{s.text}</code></td>
                    <td class="num">{s.calls.toLocaleString('en-IN')}</td>
                    <td class="num">{ms(s.meanMs)}</td>
                    <td class="num">{ms(db().slowest.source === 'pg_stat_statements' ? s.totalMs : s.p95Ms)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>

      <h2 class="section-title">Background work</h2>
      <dl class="facts" data-testid="health-background">
        <dt>Hourly maintenance (retention of audit rows, sync tombstones, sign-in failures)</dt>
        <dd data-testid="health-maintenance">
          <Show when={h().background.maintenance.status} fallback="Not run yet.">
            {(status) => `${MAINTENANCE_WORDS[status()]}: last started ${timeText(h().background.maintenance.lastStartedAt)}, next by ${timeText(h().background.maintenance.nextRunAt)}. ${h().background.maintenance.detail ?? ''}`}
          </Show>
          <Show when={h().background.maintenance.lastError}>
            {(error) => <span class="error"> Last error at {timeText(h().background.maintenance.lastErrorAt)}: {error()}</span>}
          </Show>
        </dd>
        <dt>End-of-day summary mail</dt>
        <dd data-testid="health-eod">
          {eodMailText(h().background.endOfDayMail)}
          <Show when={h().background.endOfDayMail.lastError}>
            {(error) => <span class="error"> Last failure at {timeText(h().background.endOfDayMail.lastErrorAt)}: {error()}</span>}
          </Show>
        </dd>
      </dl>
    </section>
  );
}
