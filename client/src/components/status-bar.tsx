import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { formatAge, syncNow, useSyncCounters } from '../features/sync/status';

/** Always visible: connection, the user's scans waiting (and the oldest one's age), other users' waiting, refused scans. */
export function StatusBar() {
  const counters = useSyncCounters();
  const isOnline = () => counters.status().isOnline && counters.status().isServerReachable;
  return (
    <div class="status-bar" role="status" aria-live="polite">
      <span class={isOnline() ? 'pill pill-online' : 'pill pill-offline'} data-testid="connection">
        {isOnline() ? 'Online' : 'Offline'}
      </span>
      <span class="status-item" title="Scans waiting to be sent">
        Waiting <strong data-testid="pending-count">{counters.pendingCount()}</strong>
        <Show when={counters.oldestAgeMs() !== null}>
          <span class="muted" data-testid="oldest-pending"> · oldest {formatAge(counters.oldestAgeMs() ?? 0)}</span>
        </Show>
      </span>
      <Show when={counters.othersPendingCount() > 0}>
        <span class="status-item muted">
          + <span data-testid="others-pending">{counters.othersPendingCount()}</span> of other users, sent when they sign in
        </span>
      </Show>
      <Show when={counters.status().isPushing}>
        <span class="muted">syncing…</span>
      </Show>
      <Show when={counters.pendingCount() > 0 && !counters.status().isPushing}>
        <button type="button" class="link-button" onClick={() => void syncNow()}>
          Sync now
        </button>
      </Show>
      <A href="/inbox" class="status-item inbox-link">
        Inbox <span class={counters.inboxCount() > 0 ? 'badge badge-alert' : 'badge'} data-testid="inbox-count">{counters.inboxCount()}</span>
      </A>
      <Show when={counters.status().needsSignIn}>
        <A href="/login" class="status-warning">Sign in again to send waiting scans</A>
      </Show>
    </div>
  );
}
