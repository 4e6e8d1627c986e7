import type { Role, User } from '@tracetrack/shared';
import { createSignal, For, Show } from 'solid-js';
import { useAreas } from '../features/accounts/areas';
import { formatTime } from '../features/accounts/format';
import { type Outcome, updateUser } from '../features/accounts/users';
import { ROLE_NAMES } from '../features/accounts/words';
import { currentUser } from '../features/auth/session';
import { type ConfirmRequest, ConfirmDialog } from './confirm-dialog';

/**
 * One user's edit form and actions. Every refusal (last admin, own role, a full area) comes back
 * from the server as a sentence and is shown here; destructive actions ask first.
 */
export function UserManage(props: { user: User; onChanged: (user: User) => void; onClose: () => void }) {
  const areas = useAreas();
  const [role, setRole] = createSignal<Role>(props.user.role);
  const [message, setMessage] = createSignal<{ isError: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = createSignal<ConfirmRequest | null>(null);
  const isSelf = () => currentUser()?.id === props.user.id;

  const report = <T,>(res: Outcome<T>, done: string) => {
    setMessage(res.ok ? { isError: false, text: done } : { isError: true, text: res.message });
    return res;
  };

  const onSave = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const email = String(form.get('email') ?? '').trim();
    const area = String(form.get('area') ?? '');
    const res = report(
      await updateUser({
        id: props.user.id,
        ...(email !== (props.user.email ?? '') ? { email: email || null } : {}),
        ...(role() !== props.user.role ? { role: role() } : {}),
        area: role() === 'dispatcher' ? area || null : null,
      }),
      `Saved ${props.user.username}.`,
    );
    if (res.ok) props.onChanged(res.value);
  };

  const setLocked = (isLocked: boolean) => async () => {
    const res = report(await updateUser({ id: props.user.id, isLocked }), isLocked ? `${props.user.username} is locked.` : `${props.user.username} is unlocked.`);
    if (res.ok) props.onChanged(res.value);
  };

  const isLockedOut = () => props.user.lockedUntil !== null && Date.parse(props.user.lockedUntil) > Date.now();

  return (
    <section class="card" aria-labelledby="manage-title" data-testid="user-manage">
      <div class="row spread">
        <h2 id="manage-title">{props.user.username}</h2>
        <button type="button" class="button button-quiet" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <p data-testid="user-lock-state">
        <Show when={props.user.isLocked} fallback={<Show when={isLockedOut()} fallback="Active.">Locked out after failed sign-ins until {formatTime(props.user.lockedUntil)}.</Show>}>
          Locked by an admin: cannot sign in.
        </Show>
      </p>
      <form class="grid-form" onSubmit={(e) => void onSave(e)}>
        <label for="edit-email">Email</label>
        <input id="edit-email" name="email" type="email" value={props.user.email ?? ''} aria-describedby="edit-email-hint" />
        <p id="edit-email-hint" class="muted span-2">Optional; without one, password reset links can only come from an admin.</p>
        <label for="edit-role">Role</label>
        <select id="edit-role" name="role" disabled={isSelf()} aria-describedby={isSelf() ? 'edit-role-note' : undefined} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          <For each={Object.entries(ROLE_NAMES)}>{([value, name]) => <option value={value} selected={value === props.user.role}>{name}</option>}</For>
        </select>
        <Show when={isSelf()}>
          <p id="edit-role-note" class="muted span-2">Nobody changes their own role; another admin can.</p>
        </Show>
        <Show when={role() === 'dispatcher'}>
          <label for="edit-area">Dispatch area</label>
          <select id="edit-area" name="area" required>
            <option value="">Choose an area</option>
            <For each={areas()}>{(a) => <option value={a.code} selected={a.code === props.user.area}>{a.name}</option>}</For>
          </select>
        </Show>
        <button type="submit" class="button">Save changes</button>
      </form>

      <div class="row actions">
        <Show
          when={props.user.isLocked || isLockedOut()}
          fallback={
            <button
              type="button"
              class="button button-warn"
              disabled={isSelf()}
              onClick={() =>
                setConfirming({
                  title: `Lock ${props.user.username}?`,
                  body: 'They are signed out everywhere and cannot sign in until an admin unlocks the account.',
                  confirmLabel: `Lock ${props.user.username}`,
                  isDanger: true,
                  onConfirm: setLocked(true),
                })
              }
            >
              Lock account
            </button>
          }
        >
          <button type="button" class="button" onClick={() => void setLocked(false)()}>
            Unlock account
          </button>
        </Show>
      </div>
      <Show when={message()}>
        {(m) => (
          <p class={m().isError ? 'error' : 'notice'} role={m().isError ? 'alert' : 'status'} data-testid="user-manage-message">
            {m().text}
          </p>
        )}
      </Show>
      <ConfirmDialog request={confirming()} onClose={() => setConfirming(null)} />
    </section>
  );
}
