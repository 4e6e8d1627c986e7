import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { currentUser, signIn } from '../features/auth/session';
import { homeFor } from './home';

export default function Login() {
  const navigate = useNavigate();
  const [error, setError] = createSignal<string | null>(null);
  const [isBusy, setBusy] = createSignal(false);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    const res = await signIn(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
    setBusy(false);
    if (!res.ok) return setError(res.message);
    navigate(homeFor(currentUser()?.role), { replace: true });
  };

  return (
    <main class="page narrow">
      <h1>Sign in to TraceTrack</h1>
      <form class="stack" onSubmit={(e) => void onSubmit(e)}>
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
    </main>
  );
}
