import { A, useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { currentUser, pendingSetup, signIn } from '../features/auth/session';
import { homeFor } from './home';

/**
 * Username and password; for an account with two-factor sign-in, a second step asks for a code
 * from the authenticator app or a recovery code (the password is kept in memory for that call only).
 */
export default function Login() {
  const navigate = useNavigate();
  const [error, setError] = createSignal<string | null>(null);
  const [isBusy, setBusy] = createSignal(false);
  const [pending, setPending] = createSignal<{ username: string; password: string } | null>(null);

  const finish = async (username: string, password: string, code?: string) => {
    setBusy(true);
    setError(null);
    const res = await signIn(username, password, code);
    setBusy(false);
    if (res.ok) {
      setPending(null);
      // A pending setup opens first (the shell would redirect there anyway).
      return navigate(pendingSetup(currentUser()) ? '/setup' : homeFor(currentUser()?.role), { replace: true });
    }
    if (res.needsCode && !code) return setPending({ username, password });
    setError(res.message);
  };

  const onPassword = (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    void finish(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
  };

  const onCode = (e: SubmitEvent) => {
    e.preventDefault();
    const p = pending();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    if (p) void finish(p.username, p.password, code);
  };

  return (
    <main class="page narrow">
      <Show
        when={pending()}
        fallback={
          <>
            <h1>Sign in to TraceTrack</h1>
            <form class="stack" onSubmit={onPassword}>
              <label for="username">Username</label>
              <input id="username" name="username" autocomplete="username" autocapitalize="off" required />
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required />
              <Show when={error()}>
                <p class="error" role="alert">{error()}</p>
              </Show>
              <button type="submit" class="button button-big" disabled={isBusy()}>
                {isBusy() ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            <p>
              <A href="/forgot-password">Forgot password?</A>
            </p>
          </>
        }
      >
        <h1>Two-step sign-in</h1>
        <form class="stack" onSubmit={onCode}>
          <label for="code">Code from your authenticator app, or a recovery code</label>
          <input id="code" name="code" autocomplete="one-time-code" inputmode="text" autocapitalize="off" required maxlength={64} aria-describedby="code-hint" />
          <p id="code-hint" class="muted">A recovery code works once; cross it off after using it.</p>
          <Show when={error()}>
            <p class="error" role="alert">{error()}</p>
          </Show>
          <button type="submit" class="button button-big" disabled={isBusy()}>
            {isBusy() ? 'Checking…' : 'Verify and sign in'}
          </button>
          <button type="button" class="button button-quiet" onClick={() => (setPending(null), setError(null))}>
            Back
          </button>
        </form>
      </Show>
    </main>
  );
}
