import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { requestPasswordReset } from '../features/accounts/account';

/** Asks for a reset link by username or email. The answer is the same whether or not it exists. */
export default function ForgotPassword() {
  const [error, setError] = createSignal<string | null>(null);
  const [isSent, setSent] = createSignal(false);
  const [isBusy, setBusy] = createSignal(false);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const login = String(new FormData(e.currentTarget as HTMLFormElement).get('login') ?? '').trim();
    setBusy(true);
    setError(null);
    const res = await requestPasswordReset(login);
    setBusy(false);
    if (res.ok) setSent(true);
    else setError(res.message);
  };

  return (
    <main class="page narrow">
      <h1>Forgot your password?</h1>
      <Show
        when={isSent()}
        fallback={
          <form class="stack" onSubmit={(e) => void onSubmit(e)}>
            <label for="reset-login">Username or email</label>
            <input id="reset-login" name="login" required maxlength={254} autocomplete="username" autocapitalize="off" />
            <Show when={error()}>
              <p class="error" role="alert">{error()}</p>
            </Show>
            <button type="submit" class="button button-big" disabled={isBusy()}>
              {isBusy() ? 'Sending…' : 'Send me a reset link'}
            </button>
          </form>
        }
      >
        <p class="success-note" role="status" data-testid="reset-requested">
          If an account matches, a link to set a new password is on its way to the account’s email. It works once, for one hour. No email? Ask an admin for a reset link.
        </p>
      </Show>
      <p>
        <A href="/login">Back to sign in</A>
      </p>
    </main>
  );
}
