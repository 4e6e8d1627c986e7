import type { DeviceHealth } from '@tracetrack/shared';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { LiveBadge } from '../components/live-badge';
import { type DevicePage, fetchDevices, followDevices, formatAge } from '../features/devices/devices';
import { describeFailure } from '../api/trpc';
import { formatDateTime, formatNumber } from '../locale/format';

const when = (iso: string | null) => (iso ? formatDateTime(iso) : 'never');

/**
 * Device sync health (admins): every handheld with its user, last push and pull, last seq, open
 * seq gaps, refusals in the last day, and the scans still waiting on it by its own report, so
 * scans stuck on a device show before they reach the server. Live; polled while the stream is down.
 */
export default function Devices() {
  const [first, setFirst] = createSignal<DevicePage | null>(null);
  const [more, setMore] = createSignal<DeviceHealth[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 15_000);
  const live = followDevices((page) => {
    setFirst(page);
    setNow(Date.now());
    setError(null);
    if (more().length === 0) setCursor(page.nextCursor);
  }, setError);
  onCleanup(() => {
    clearInterval(clock);
    live.stop();
  });
  const loadMore = async () => {
    const c = cursor();
    if (!c) return;
    try {
      const page = await fetchDevices(c);
      setMore([...more(), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeFailure(e).message);
    }
  };
  const rows = () => [...(first()?.items ?? []), ...more()];
  const overdue = () => rows().filter((d) => d.isSyncOverdue);

  return (
    <main class="page">
      <h1>Devices</h1>
      <p class="muted">
        Sync health of every handheld. <LiveBadge mode={live.mode()} />
      </p>
      <Show when={error()}>
        <p class="error" role="alert">{error()}</p>
      </Show>
      <Show when={overdue().length > 0}>
        <p class="notice" data-testid="devices-overdue" role="alert">
          {formatNumber(overdue().length)} {overdue().length === 1 ? 'device has' : 'devices have'} not synced for over {first()?.syncWarnMinutes} minutes
          while {overdue().length === 1 ? 'its user is' : 'their users are'} scanning: {overdue().map((d) => d.label ?? d.deviceId.slice(0, 8)).join(', ')}.
        </p>
      </Show>
      <Show when={first()}>
        <table class="table" data-testid="devices-table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">User</th>
              <th scope="col">Waiting on device</th>
              <th scope="col">Last push</th>
              <th scope="col">Last pull</th>
              <th scope="col">Last seq</th>
              <th scope="col">Open seq gaps</th>
              <th scope="col">Refusals (24 h)</th>
            </tr>
          </thead>
          <tbody>
            <For each={rows()}>
              {(d) => (
                <tr data-testid="device-row" data-device-id={d.deviceId} classList={{ 'row-warn': d.isSyncOverdue }}>
                  <td>
                    {d.label ?? 'Unnamed'} <span class="muted">{d.deviceId.slice(0, 8)}</span>
                    <Show when={d.isSyncOverdue}>
                      <strong class="warn-text" data-testid="device-overdue"> Not syncing</strong>
                    </Show>
                  </td>
                  <td>{d.username}</td>
                  <td data-testid="device-waiting">
                    <Show when={d.waitingScans !== null} fallback={<span class="muted">not reported</span>}>
                      <span data-testid="device-waiting-count">{formatNumber(d.waitingScans ?? 0)}</span> scans
                      <Show when={(d.waitingScans ?? 0) > 0 && d.oldestWaitingAt}>
                        , oldest <span data-testid="device-oldest-age">{formatAge(d.oldestWaitingAt!, now())}</span> old
                      </Show>
                      <span class="muted"> (reported {d.reportedAt ? `${formatAge(d.reportedAt, now())} ago` : 'never'})</span>
                    </Show>
                  </td>
                  <td>{when(d.lastPushAt)}</td>
                  <td>{when(d.lastPullAt)}</td>
                  <td>{formatNumber(d.lastSeq)}</td>
                  <td classList={{ negative: d.gapCount > 0 }}>{formatNumber(d.gapCount)}</td>
                  <td>{formatNumber(d.refusalsLastDay)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={rows().length === 0}>
          <p class="muted">No handheld has registered yet.</p>
        </Show>
        <Show when={cursor()}>
          <button type="button" class="button" onClick={() => void loadMore()}>
            Show more devices
          </button>
        </Show>
      </Show>
    </main>
  );
}
