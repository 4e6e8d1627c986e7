import { createSignal, Show } from 'solid-js';
import { changePassword } from '../features/accounts/account';
import { currentUser } from '../features/auth/session';
import { PasswordStrength } from './password-strength';
import { ActionMessage, type ActionMessageValue } from './action-message';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@tracetrack/shared/password-rule';

/** Your own password: the current one, the new one twice, with a live strength hint. */
export function ChangePasswordForm(props: { onChanged?: () => void }) {
  const [password, setPassword] = createSignal('');
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const [isBusy, setBusy] = createSignal(false);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    if (String(form.get('confirm') ?? '') !== password()) return setMessage({ isError: true, text: 'The two new passwords are not the same.' });
    setBusy(true);
    setMessage(null);
    const res = await changePassword(String(form.get('currentPassword') ?? ''), password());
    setBusy(false);
    if (!res.ok) return setMessage({ isError: true, text: res.message });
    formEl.reset();
    setPassword('');
    setMessage({ isError: false, text: 'Password changed. Your other sessions are signed out.' });
    props.onChanged?.();
  };

  return (
    <form class="stack" onSubmit={(e) => void onSubmit(e)} aria-label="Change password">
      <label for="current-password">Current password</label>
      <input id="current-password" name="currentPassword" type="password" autocomplete="current-password" required />
      <label for="new-password">New password</label>
      <input id="new-password" name="newPassword" type="password" autocomplete="new-password" required minlength={PASSWORD_MIN_LENGTH} maxlength={PASSWORD_MAX_LENGTH} aria-describedby="new-password-hint" onInput={(e) => setPassword(e.currentTarget.value)} />
      <PasswordStrength id="new-password-hint" password={password()} username={currentUser()?.username ?? null} />
      <label for="confirm-password">New password again</label>
      <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required />
      <ActionMessage message={message()} />
      <button type="submit" class="button" disabled={isBusy()}>
        {isBusy() ? 'Saving…' : 'Change password'}
      </button>
    </form>
  );
}
