import type { Dashboard as DashboardData } from '@tracetrack/shared';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { fetchDashboard } from '../features/stats/dashboard';
import { describeFailure } from '../api/trpc';

const REFRESH_MS = 10_000;

export default function Dashboard() {
  const [data, setData] = createSignal<DashboardData | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const load = () => fetchDashboard().then((d) => (setData(d), setError(null)), (e) => setError(describeFailure(e).message));
  onMount(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
  const maxScans = () => Math.max(1, ...(data()?.daily.map((d) => d.scans) ?? [1]));

  return (
    <main class="page">
      <h1>Dashboard</h1>
      <Show when={error()}>
        <p class="error">{error()} (showing the last figures)</p>
      </Show>
      <Show when={data()}>
        {(d) => (
          <>
            <p class="muted">Scope: {d().scope} · refreshed every {REFRESH_MS / 1000}s</p>
            <div class="tiles">
              <Tile label="Parents" value={d().parents} />
              <Tile label="Full parents" value={d().parentsFull} />
              <Tile label="Children" value={d().children} />
              <Tile label="Linked children" value={d().linkedChildren} />
              <Tile label="Unlinked children" value={d().unlinkedChildren} />
              <Tile label="Billed parents" value={d().billedParents} />
              <Tile label="Bills open / loading / completed" value={`${d().bills.open} / ${d().bills.loading} / ${d().bills.completed}`} />
              <Tile label="Scans today" value={d().scansToday} />
            </div>
            <h2 class="section-title">Scans, last 14 days</h2>
            <div class="chart" role="img" aria-label="Scans per day for the last 14 days">
              <For each={d().daily}>
                {(day) => (
                  <div class="chart-col" title={`${day.day}: ${day.scans}`}>
                    <span class="chart-value">{day.scans}</span>
                    <div class="chart-bar" style={{ height: `${(day.scans / maxScans()) * 100}%` }} />
                    <span class="chart-label">{day.day.slice(5)}</span>
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

function Tile(props: { label: string; value: number | string }) {
  return (
    <div class="tile">
      <span class="tile-value">{props.value}</span>
      <span class="tile-label">{props.label}</span>
    </div>
  );
}
