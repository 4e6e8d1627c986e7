import { A } from '@solidjs/router';
import { Match, Show, Switch } from 'solid-js';
import { formatAge, syncNow, useSyncCounters } from '../features/sync/status';
import { IconClock, IconInbox, IconOffline, IconOnline, IconSyncing } from './icons';

/**
 * Always visible, one line of fixed height whatever it says (scanning must not move the screen):
 * connection and sync state (tap to send now), the user's waiting scans and the oldest one's age,
 * other users' waiting scans, and refused scans.
 */
export function StatusBar() {
  const counters = useSyncCounters();
  const isOnline = () => counters.status().isOnline && counters.status().isServerReachable;
  const isPushing = () => counters.status().isPushing;
  return (
    <>
      <div class="status-bar">
        <button type="button" class="sync-state" classList={{ 'is-offline': !isOnline() }} onClick={() => void syncNow()}>
          <span class="icon-slot">
            <Switch>
              <Match when={isPushing()}>
                <IconSyncing />
              </Match>
              <Match when={isOnline()}>
                <IconOnline />
              </Match>
              <Match when={true}>
                <IconOffline />
              </Match>
            </Switch>
          </span>
          <span data-testid="connection">{isOnline() ? 'Online' : 'Offline'}</span>
          <span class="visually-hidden">{isPushing() ? ', sending now' : ', send waiting scans now'}</span>
        </button>
        <span class="status-pending" title="Scans waiting to be sent">
          <IconClock /> <span class="status-word">Waiting</span> <strong data-testid="pending-count">{counters.pendingCount()}</strong>
          <Show when={counters.oldestAgeMs() !== null}>
            <span class="muted" data-testid="oldest-pending"> · <span class="status-word">oldest </span>{formatAge(counters.oldestAgeMs() ?? 0)}</span>
          </Show>
          <Show when={counters.othersPendingCount() > 0}>
            <span class="muted" title="Other users’ scans, sent when they sign in again">
              {' '}+ <span data-testid="others-pending">{counters.othersPendingCount()}</span> others
            </span>
          </Show>
        </span>
        <A href="/inbox" class="inbox-link" activeClass="is-active">
          <IconInbox />
          <span>Inbox</span>
          <span class={counters.inboxCount() > 0 ? 'badge badge-alert' : 'badge'} data-testid="inbox-count">{counters.inboxCount()}</span>
          <span class="visually-hidden"> refused</span>
        </A>
      </div>
      <Show when={counters.status().needsSignIn}>
        <p class="status-warning">
          <A href="/login">Sign in again to send waiting scans</A>
        </p>
      </Show>
    </>
  );
}
