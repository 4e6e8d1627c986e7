import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { signOut } from '../features/auth/session';
import { syncNow, useSyncCounters } from '../features/sync/status';

/** Signing out with scans still waiting warns first and offers to send them (DOMAIN §7). */
export function SignOutButton() {
  const counters = useSyncCounters();
  const navigate = useNavigate();
  const [isAsking, setAsking] = createSignal(false);
  const [note, setNote] = createSignal<string | null>(null);

  const leave = async () => {
    await signOut();
    navigate('/login', { replace: true });
  };
  const onSignOut = () => (counters.pendingCount() > 0 ? setAsking(true) : void leave());
  const syncFirst = async () => {
    setNote('Sending…');
    const isEmpty = await syncNow();
    if (isEmpty) await leave();
    else setNote('Some scans could not be sent yet (no connection?). They stay on this device.');
  };

  return (
    <>
      <button type="button" class="button button-quiet" onClick={onSignOut}>
        Sign out
      </button>
      <Show when={isAsking()}>
        <div class="dialog" role="alertdialog" aria-labelledby="signout-title">
          <h2 id="signout-title">{counters.pendingCount()} scans are not synced yet</h2>
          <p>They are kept on this device and sent when you sign in again, but nobody else sees them until then.</p>
          <Show when={note()}>
            <p class="muted">{note()}</p>
          </Show>
          <div class="row">
            <button type="button" class="button" onClick={() => void syncFirst()}>
              Sync now, then sign out
            </button>
            <button type="button" class="button button-danger" onClick={() => void leave()}>
              Sign out anyway
            </button>
            <button type="button" class="button button-quiet" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      </Show>
    </>
  );
}
