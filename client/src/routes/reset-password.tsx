import { A, useLocation } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { PasswordStrength } from '../components/password-strength';
import { resetPassword } from '../features/accounts/account';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@tracetrack/shared/password-rule';

/**
 * The page a reset link opens. The token rides in the fragment (`#token=…`), which browsers never
 * send to a server or put in a Referer; `?token=` is read too, for links typed by hand.
 */
function tokenOf(hash: string, search: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? new URLSearchParams(search).get('token') ?? '';
}

export default function ResetPassword() {
  const location = useLocation();
  const token = () => tokenOf(location.hash, location.search);
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [isDone, setDone] = createSignal(false);
  const [isBusy, setBusy] = createSignal(false);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    if (String(form.get('confirm') ?? '') !== password()) return setError('The two passwords are not the same.');
    setBusy(true);
    setError(null);
    const res = await resetPassword(token(), password());
    setBusy(false);
    if (res.ok) setDone(true);
    else setError(res.message);
  };

  return (
    <main class="page narrow">
      <h1>Set a new password</h1>
      <Show when={!isDone()} fallback={<p class="success-note" role="status" data-testid="reset-done">Your password is changed and every session signed out. <A href="/login">Sign in</A> with the new one.</p>}>
        <Show when={token()} fallback={<p class="error" role="alert">This link has no reset token. Open the link from the email again, or ask for a new one.</p>}>
          <form class="stack" onSubmit={(e) => void onSubmit(e)}>
            <label for="reset-new">New password</label>
            <input id="reset-new" name="newPassword" type="password" autocomplete="new-password" required minlength={PASSWORD_MIN_LENGTH} maxlength={PASSWORD_MAX_LENGTH} aria-describedby="reset-new-hint" onInput={(e) => setPassword(e.currentTarget.value)} />
            <PasswordStrength id="reset-new-hint" password={password()} username={null} />
            <label for="reset-confirm">New password again</label>
            <input id="reset-confirm" name="confirm" type="password" autocomplete="new-password" required />
            <Show when={error()}>
              <p class="error" role="alert">{error()}</p>
            </Show>
            <button type="submit" class="button button-big" disabled={isBusy()}>
              {isBusy() ? 'Saving…' : 'Set password'}
            </button>
          </form>
        </Show>
      </Show>
      <p>
        <A href="/forgot-password">Ask for a new link</A>
      </p>
    </main>
  );
}
