import { createSignal, Show } from 'solid-js';
import { disableTwoFactor } from '../features/accounts/account';
import { formatNumber } from '../locale/format';
import { currentUser } from '../features/auth/session';
import { TwoFactorEnrol } from './two-factor-enrol';
import { ActionMessage, type ActionMessageValue } from './action-message';

/** Two-step sign-in on your account: set it up, or see the recovery codes left and turn it off. */
export function TwoFactorStatus() {
  const [isRemoving, setRemoving] = createSignal(false);
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const me = () => currentUser();

  const onDisable = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const res = await disableTwoFactor(String(form.get('password') ?? ''), String(form.get('code') ?? '').trim());
    if (!res.ok) return setMessage({ isError: true, text: res.message });
    setRemoving(false);
    setMessage({ isError: false, text: 'Two-step sign-in is off.' });
  };

  return (
    <div class="stack">
      <Show
        when={me()?.twoFactorEnabled}
        fallback={
          <>
            <p>Two-step sign-in is <strong>off</strong>. With it on, signing in also needs a code from an app on your phone.</p>
            <TwoFactorEnrol onDone={() => setMessage({ isError: false, text: 'Two-step sign-in is on.' })} />
          </>
        }
      >
        <p data-testid="two-factor-state">
          Two-step sign-in is <strong>on</strong>. Recovery codes left: <strong>{formatNumber(me()?.recoveryCodesLeft ?? 0)}</strong> of 10.
        </p>
        <Show when={(me()?.recoveryCodesLeft ?? 0) <= 3}>
          <p class="error">Few recovery codes left: turn two-step sign-in off and on again for a new set.</p>
        </Show>
        <Show
          when={isRemoving()}
          fallback={
            <button type="button" class="button button-quiet" onClick={() => setRemoving(true)}>
              Turn off two-step sign-in
            </button>
          }
        >
          <form class="stack" onSubmit={(e) => void onDisable(e)} aria-label="Turn off two-step sign-in">
            <label for="disable-password">Your password</label>
            <input id="disable-password" name="password" type="password" autocomplete="current-password" required />
            <label for="disable-code">Code from your app, or a recovery code</label>
            <input id="disable-code" name="code" autocomplete="one-time-code" required maxlength={64} />
            <div class="row">
              <button type="submit" class="button button-danger">Turn it off</button>
              <button type="button" class="button button-quiet" onClick={() => setRemoving(false)}>Cancel</button>
            </div>
          </form>
        </Show>
      </Show>
      <ActionMessage message={message()} />
    </div>
  );
}
