import type { SessionInfo } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { describeDevice, endOtherSessions, endSession, fetchSessions } from '../features/accounts/account';
import { formatDateTime } from '../locale/format';
import { ConfirmAction, type ConfirmRequest } from './confirm-action';
import { ActionMessage, type ActionMessageValue } from './action-message';

/** Where you are signed in: device, IP, last active; end one, or every other. */
export function AccountSessions() {
  const [sessions, setSessions] = createSignal<SessionInfo[]>([]);
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const [confirming, setConfirming] = createSignal<ConfirmRequest | null>(null);

  const load = async () => {
    const res = await fetchSessions();
    if (res.ok) setSessions(res.value);
    else setMessage({ isError: true, text: res.message });
  };
  onMount(() => void load());

  const endOne = (s: SessionInfo) =>
    setConfirming({
      title: `Sign out ${describeDevice(s.userAgent)}?`,
      body: 'That device is signed out at once. Scans it has not sent stay on it until someone signs in there again.',
      confirmLabel: 'Sign it out',
      isDanger: true,
      onConfirm: async () => {
        const res = await endSession(s.id);
        setMessage(res.ok ? { isError: false, text: 'Signed out.' } : { isError: true, text: res.message });
        await load();
      },
    });

  const endOthers = () =>
    setConfirming({
      title: 'Sign out everywhere else?',
      body: 'Every other device signed in as you is signed out at once. This one stays signed in.',
      confirmLabel: 'Sign out other devices',
      isDanger: true,
      onConfirm: async () => {
        const res = await endOtherSessions();
        setMessage(res.ok ? { isError: false, text: 'Your other devices are signed out.' } : { isError: true, text: res.message });
        await load();
      },
    });

  return (
    <div class="stack">
      <ul class="session-list" data-testid="sessions">
        <For each={sessions()}>
          {(s) => (
            <li class="session">
              <div>
                <strong>{describeDevice(s.userAgent)}</strong>
                <Show when={s.isCurrent}> (this device)</Show>
                <div class="muted">
                  IP {s.ip ?? 'unknown'} · signed in {formatDateTime(s.createdAt)} · last active {formatDateTime(s.lastActiveAt)}
                </div>
              </div>
              <Show when={!s.isCurrent}>
                <button type="button" class="button button-quiet link-button" onClick={() => endOne(s)}>
                  Sign out {describeDevice(s.userAgent)}
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={sessions().some((s) => !s.isCurrent)}>
        <button type="button" class="button button-warn" onClick={endOthers}>
          Sign out all other devices
        </button>
      </Show>
      <ActionMessage message={message()} />
      <ConfirmAction request={confirming()} onClose={() => setConfirming(null)} />
    </div>
  );
}
