import type { Role, User } from '@tracetrack/shared';
import { createSignal, For, Show } from 'solid-js';
import { deactivateUser, endUserSessions, issuePasswordReset, type Outcome, resetUserTwoFactor, updateUser } from '../features/accounts/users';
import { currentUser } from '../features/auth/session';
import { ROLE_WORDS } from '../features/words';
import { formatDateTime, formatNumber } from '../locale/format';
import { ActionMessage, type ActionMessageValue } from './action-message';
import { AreaOptions } from './area-options';
import { ConfirmAction, type ConfirmRequest } from './confirm-action';

/**
 * One user's edit form and actions. Every refusal (last admin, own role, a full area) comes back
 * from the server as a sentence and is shown here; destructive actions ask first.
 */
export function UserManage(props: { user: User; onChanged: (user?: User) => void; onClose: () => void }) {
  const [role, setRole] = createSignal<Role>(props.user.role);
  const [area, setArea] = createSignal(props.user.area ?? '');
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
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
    const res = report(
      await updateUser({
        id: props.user.id,
        ...(email !== (props.user.email ?? '') ? { email: email || null } : {}),
        ...(role() !== props.user.role ? { role: role() } : {}),
        area: role() === 'dispatcher' ? area() || null : null,
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
  const hasAnyLock = () => props.user.isLocked || isLockedOut() || props.user.lockedClients > 0;
  const [reset, setReset] = createSignal<{ resetUrl: string; expiresAt: string } | null>(null);
  const name = () => props.user.username;

  /** An action whose answer is not the user: the screen reads the list again to show what changed. */
  const act = async <T,>(call: () => Promise<Outcome<T>>, done: string): Promise<void> => {
    if (report(await call(), done).ok) props.onChanged();
  };

  const ask = (request: ConfirmRequest) => setConfirming({ isDanger: true, ...request });

  const onIssueReset = async () => {
    const res = await issuePasswordReset(props.user.id);
    report(res, `A reset link for ${name()} is ready below.`);
    if (res.ok) setReset(res.value);
  };

  return (
    <section class="card" aria-labelledby="manage-title" data-testid="user-manage">
      <div class="row spread">
        <h2 id="manage-title">{props.user.username}</h2>
        <button type="button" class="button button-quiet" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <ul class="facts" data-testid="user-lock-state">
        <Show when={props.user.deactivatedAt}>
          {(at) => <li>Deactivated on {formatDateTime(at())}: cannot sign in; history kept.</li>}
        </Show>
        <Show when={props.user.isLocked}>
          <li>Locked by an admin: cannot sign in until unlocked.</li>
        </Show>
        <Show when={isLockedOut() && props.user.lockedUntil}>
          {(until) => <li>Account locked after too many failed sign-ins, until {formatDateTime(until())}.</li>}
        </Show>
        <Show when={props.user.lockedClients > 0}>
          <li>
            {formatNumber(props.user.lockedClients)} {props.user.lockedClients === 1 ? 'device is' : 'devices are'} locked out after failed sign-ins (for 15 minutes each); other devices can still sign in.
          </li>
        </Show>
        <Show when={!hasAnyLock() && !props.user.deactivatedAt}>
          <li>Can sign in.</li>
        </Show>
        <li>Two-step sign-in {props.user.twoFactorEnabled ? 'on' : 'off'}; last sign-in {props.user.lastSignInAt ? formatDateTime(props.user.lastSignInAt) : 'never'}.</li>
        <Show when={props.user.mustChangePassword}>
          <li>Must choose a new password at the next sign-in.</li>
        </Show>
      </ul>
      <form class="grid-form" onSubmit={(e) => void onSave(e)}>
        <label for="edit-email">Email</label>
        <input id="edit-email" name="email" type="email" value={props.user.email ?? ''} aria-describedby="edit-email-hint" />
        <p id="edit-email-hint" class="muted span-2">Optional; without one, password reset links can only come from an admin.</p>
        <label for="edit-role">Role</label>
        <select id="edit-role" name="role" disabled={isSelf()} aria-describedby={isSelf() ? 'edit-role-note' : undefined} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          <For each={Object.entries(ROLE_WORDS)}>{([value, name]) => <option value={value} selected={value === props.user.role}>{name}</option>}</For>
        </select>
        <Show when={isSelf()}>
          <p id="edit-role-note" class="muted span-2">Nobody changes their own role; another admin can.</p>
        </Show>
        <Show when={role() === 'dispatcher'}>
          <label for="edit-area">Dispatch area</label>
          <select id="edit-area" name="area" required onChange={(e) => setArea(e.currentTarget.value)}>
            <option value="">Choose an area</option>
            <AreaOptions selected={area()} />
          </select>
        </Show>
        <button type="submit" class="button">Save changes</button>
      </form>

      <div class="row actions">
        <Show
          when={hasAnyLock()}
          fallback={
            <button
              type="button"
              class="button button-warn"
              disabled={isSelf()}
              onClick={() =>
                ask({
                  title: `Lock ${name()}?`,
                  body: 'They are signed out everywhere and cannot sign in until an admin unlocks the account.',
                  confirmLabel: `Lock ${name()}`,
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
        <button
          type="button"
          class="button button-quiet"
          onClick={() =>
            ask({
              title: `Sign ${name()} out everywhere?`,
              body: 'Every session of this user ends at once. Scans their handhelds hold stay there until they sign in again.',
              confirmLabel: 'End all sessions',
              onConfirm: () => act(() => endUserSessions(props.user.id), `${name()} is signed out everywhere.`),
            })
          }
        >
          End sessions
        </button>
        <Show when={props.user.twoFactorEnabled}>
          <button
            type="button"
            class="button button-quiet"
            onClick={() =>
              ask({
                title: `Reset ${name()}'s two-step sign-in?`,
                body: 'Their authenticator app and recovery codes stop working; they sign in with the password alone and set it up again.',
                confirmLabel: 'Reset two-step sign-in',
                onConfirm: () => act(() => resetUserTwoFactor(props.user.id), `${name()}'s two-step sign-in is reset.`),
              })
            }
          >
            Reset two-step sign-in
          </button>
        </Show>
        <button type="button" class="button button-quiet" onClick={() => void onIssueReset()}>
          Issue a password reset link
        </button>
        <Show when={!props.user.deactivatedAt}>
          <button
            type="button"
            class="button button-danger"
            disabled={isSelf()}
            onClick={() =>
              ask({
                title: `Deactivate ${name()}?`,
                body: 'They are signed out and can never sign in again. Their history stays, and the username is never given to anyone else.',
                confirmLabel: `Deactivate ${name()}`,
                onConfirm: () => act(() => deactivateUser(props.user.id), `${name()} is deactivated.`),
              })
            }
          >
            Deactivate
          </button>
        </Show>
      </div>
      <Show when={reset()}>
        {(r) => (
          <div class="success-note" data-testid="issued-reset">
            <p>
              Hand this link to {name()} (it works once, until {formatDateTime(r().expiresAt)}):
            </p>
            <p>
              <code class="secret" data-testid="issued-reset-url">{r().resetUrl}</code>
            </p>
          </div>
        )}
      </Show>
      <ActionMessage message={message()} testId="user-manage-message" />
      <ConfirmAction request={confirming()} onClose={() => setConfirming(null)} />
    </section>
  );
}
