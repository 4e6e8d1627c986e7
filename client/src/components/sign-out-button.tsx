import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { signOut } from '../features/auth/session';
import { syncNow, useSyncCounters } from '../features/sync/status';

/** Signing out with scans still waiting warns first and offers to send them. */
export function SignOutButton() {
  const counters = useSyncCounters();
  const navigate = useNavigate();
  const [isAsking, setAsking] = createSignal(false);
  const [note, setNote] = createSignal<string | null>(null);
  let opener: HTMLButtonElement | undefined;

  const leave = async () => {
    await signOut();
    navigate('/login', { replace: true });
  };
  const onSignOut = () => (counters.pendingCount() > 0 ? setAsking(true) : void leave());
  const close = () => {
    setAsking(false);
    setNote(null);
    opener?.focus();
  };
  const syncFirst = async () => {
    setNote('Sending…');
    const isEmpty = await syncNow();
    if (isEmpty) await leave();
    else setNote('Some scans could not be sent yet (no connection?). They stay on this device.');
  };

  return (
    <>
      <button ref={opener} type="button" class="button button-quiet sign-out" onClick={onSignOut}>
        Sign out
      </button>
      <Show when={isAsking()}>
        <div class="backdrop" onClick={close} />
        <div
          class="dialog"
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="signout-title"
          aria-describedby="signout-text"
          onKeyDown={(e) => e.key === 'Escape' && close()}
          ref={(el) => queueMicrotask(() => el.querySelector('button')?.focus())}
        >
          <h2 id="signout-title">{counters.pendingCount() === 1 ? '1 scan is not synced yet' : `${counters.pendingCount()} scans are not synced yet`}</h2>
          <p id="signout-text">They are kept on this device and sent when you sign in again, but nobody else sees them until then.</p>
          <Show when={note()}>
            <p class="muted" role="status">{note()}</p>
          </Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => void syncFirst()}>
              Sync now, then sign out
            </button>
            <button type="button" class="button button-danger" onClick={() => void leave()}>
              Sign out anyway
            </button>
            <button type="button" class="button button-quiet" onClick={close}>
              Cancel
            </button>
          </div>
        </div>
      </Show>
    </>
  );
}
