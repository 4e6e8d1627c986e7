import type { Dashboard as DashboardData } from '@tracetrack/shared';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { areaName } from '../features/areas/areas';
import { followDashboard } from '../features/stats/dashboard';
import { LiveBadge } from '../components/live-badge';
import { APP_LOCALE, formatNumber } from '../locale/format';

const dayLabel = new Intl.DateTimeFormat(APP_LOCALE, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export default function Dashboard() {
  const [data, setData] = createSignal<DashboardData | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const live = followDashboard((d) => (setData(d), setError(null)), setError);
  onCleanup(live.stop);
  const maxScans = () => Math.max(1, ...(data()?.daily.map((d) => d.scans) ?? []));

  return (
    <main class="page">
      <h1>Dashboard</h1>
      <Show when={error()}>
        <p class="error">{error()} (showing the last figures)</p>
      </Show>
      <Show when={data()}>
        {(d) => (
          <>
            <p class="muted">
              <span data-testid="dashboard-scope">{d().scope === 'all' ? 'All areas' : areaName(d().scope)}</span> · <LiveBadge mode={live.mode()} />
            </p>
            <div class="tiles">
              <Tile label="Parents" value={formatNumber(d().parents)} />
              <Tile label="Full parents" value={formatNumber(d().parentsFull)} />
              <Tile label="Children" value={formatNumber(d().children)} />
              <Tile label="Linked children" value={formatNumber(d().linkedChildren)} />
              <Tile label="Unlinked children" value={formatNumber(d().unlinkedChildren)} />
              <Tile label="Billed parents" value={formatNumber(d().billedParents)} />
              <Tile
                label="Bills open / loading / completed"
                value={`${formatNumber(d().bills.open)} / ${formatNumber(d().bills.loading)} / ${formatNumber(d().bills.completed)}`}
              />
              <Tile label="Scans today" value={formatNumber(d().scansToday)} />
            </div>
            <h2 class="section-title">Scans, last 14 days</h2>
            {/* Each bar sits in a track of its own: a bar sized against the whole column (value and
                label included) overflows it, and flex then shrinks every tall bar to one height. */}
            <div class="chart" role="img" aria-label={`Scans per day for the last 14 days, at most ${formatNumber(maxScans())} a day`} data-testid="scan-chart">
              <For each={d().daily}>
                {(day) => (
                  <div class="chart-col" title={`${day.day}: ${formatNumber(day.scans)}`}>
                    <span class="chart-value">{formatNumber(day.scans)}</span>
                    <div class="chart-track">
                      <div class="chart-bar" data-scans={day.scans} style={{ height: `${(day.scans / maxScans()) * 100}%` }} />
                    </div>
                    <span class="chart-label">{dayLabel.format(new Date(`${day.day}T00:00:00Z`))}</span>
                  </div>
                )}
              </For>
            </div>
          </>
        )}
      </Show>
    </main>
  );
}

function Tile(props: { label: string; value: string }) {
  return (
    <div class="tile">
      <span class="tile-value">{props.value}</span>
      <span class="tile-label">{props.label}</span>
    </div>
  );
}
