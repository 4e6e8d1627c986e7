import { createEffect, createSignal, on, Show } from 'solid-js';
import { fullHint, type PasswordHint, quickHint, STRENGTH_WORDS } from '../features/accounts/password-strength';
import { PASSWORD_MIN_LENGTH } from '@tracetrack/shared/password-rule';

/**
 * A live hint under a new-password field: what the rule refuses (too short, contains the
 * username, a common password) and how hard the password is to guess. Advice only: the server
 * checks the rule again when the password is set.
 */
export function PasswordStrength(props: { id: string; password: string; username: string | null }) {
  const [hint, setHint] = createSignal<PasswordHint | null>(null);
  let latest = 0;
  createEffect(
    on(
      () => [props.password, props.username] as const,
      ([password, username]) => {
        const ticket = ++latest;
        if (!password) return setHint(null);
        setHint(quickHint(password, username));
        fullHint(password, username).then(
          (full) => ticket === latest && setHint(full),
          () => undefined,
        );
      },
    ),
  );
  const level = () => hint()?.score ?? null;
  return (
    <div id={props.id} class="strength" aria-live="polite" data-testid="password-strength">
      <Show when={hint()} fallback={<span class="muted">{PASSWORD_MIN_LENGTH} or more characters; a few unrelated words make a good password.</span>}>
        {(h) => (
          <>
            <Show when={level() !== null}>
              <meter min={0} max={4} low={2} high={3} optimum={4} value={level()!} aria-label="Password strength" />{' '}
              <strong>{STRENGTH_WORDS[level()!]}</strong>.{' '}
            </Show>
            <Show when={h().problem} fallback={<Show when={h().advice}>{(a) => <span>{a()}</span>}</Show>}>
              {(p) => <span class="error">{p()}</span>}
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
