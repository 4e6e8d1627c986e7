import type { Role, User } from '@tracetrack/shared';
import { createSignal, For, Show } from 'solid-js';
import { createUser, suggestTemporaryPassword } from '../features/accounts/users';
import { ROLE_WORDS } from '../features/words';
import { AreaOptions } from './area-options';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@tracetrack/shared/password-rule';

/**
 * Creates an account with a temporary password the admin hands over; the user must change it at
 * first sign-in. The password stays on screen after creating so it can be read out or copied.
 */
export function UserCreateForm(props: { onCreated: (user: User) => void }) {
  const [role, setRole] = createSignal<Role>('dispatcher');
  const [area, setArea] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [created, setCreated] = createSignal<{ username: string; password: string } | null>(null);
  const [isBusy, setBusy] = createSignal(false);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    setError(null);
    setBusy(true);
    const res = await createUser({
      username: text('username'),
      email: text('email') || null,
      password: password(),
      role: role(),
      area: role() === 'dispatcher' ? area() || null : null,
    });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setCreated({ username: res.value.username, password: password() });
    formEl.reset();
    setPassword('');
    setArea('');
    props.onCreated(res.value);
  };

  return (
    <details class="card" data-testid="user-create">
      <summary>New user</summary>
      <form class="grid-form" onSubmit={(e) => void onSubmit(e)}>
        <label for="new-username">Username</label>
        <input id="new-username" name="username" required minlength={3} maxlength={20} pattern="[A-Za-z0-9_]+" autocomplete="off" autocapitalize="off" />
        <label for="new-email">Email (optional)</label>
        <input id="new-email" name="email" type="email" maxlength={254} autocomplete="off" />
        <label for="new-role">Role</label>
        <select id="new-role" name="role" onChange={(e) => setRole(e.currentTarget.value as Role)}>
          <For each={Object.entries(ROLE_WORDS)}>{([value, name]) => <option value={value} selected={value === role()}>{name}</option>}</For>
        </select>
        <Show when={role() === 'dispatcher'}>
          <label for="new-area">Dispatch area</label>
          <select id="new-area" name="area" required onChange={(e) => setArea(e.currentTarget.value)}>
            <option value="">Choose an area</option>
            <AreaOptions selected={area()} />
          </select>
        </Show>
        <label for="new-password">Temporary password</label>
        <div class="row">
          <input
            id="new-password"
            name="password"
            required
            minlength={PASSWORD_MIN_LENGTH}
            maxlength={PASSWORD_MAX_LENGTH}
            autocomplete="off"
            aria-describedby="new-password-hint"
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="button" class="button button-quiet" onClick={() => setPassword(suggestTemporaryPassword())}>
            Suggest a password
          </button>
        </div>
        <p id="new-password-hint" class="muted span-2">
          {PASSWORD_MIN_LENGTH} or more characters. Hand it to the user; they must choose their own at first sign-in.
        </p>
        <button type="submit" class="button" disabled={isBusy()}>
          {isBusy() ? 'Creating…' : 'Create user'}
        </button>
        <Show when={error()}>
          <p class="error span-2" role="alert">{error()}</p>
        </Show>
      </form>
      <Show when={created()}>
        {(c) => (
          <p class="success-note" role="status" data-testid="user-created">
            Created <strong>{c().username}</strong>. Temporary password: <code class="secret">{c().password}</code>. They must change it at first sign-in.
          </p>
        )}
      </Show>
    </details>
  );
}
