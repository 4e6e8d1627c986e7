import type { Promotion, Role } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { fetchMyPromotion, requestPromotion } from '../features/accounts/promotions';
import { areaName } from '../features/areas/areas';
import { currentUser } from '../features/auth/session';
import { ROLE_WORDS } from '../features/words';
import { formatDateTime } from '../locale/format';
import { ActionMessage, type ActionMessageValue } from './action-message';
import { AreaOptions } from './area-options';

const STATUS_WORDS = { pending: 'waiting for an admin', approved: 'approved', declined: 'declined' } as const;

/** Billers and dispatchers ask an admin for another role, with a reason, and see how it stands. */
export function PromotionAsk() {
  const [mine, setMine] = createSignal<Promotion | null>(null);
  const [role, setRole] = createSignal<Role>('biller');
  const [area, setArea] = createSignal('');
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const roles = () => (['admin', 'biller', 'dispatcher'] as const).filter((r) => r !== currentUser()?.role);

  onMount(async () => {
    const res = await fetchMyPromotion();
    if (res.ok) setMine(res.value);
    setRole(roles()[0] ?? 'admin');
  });

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const res = await requestPromotion({ role: role(), reason: String(form.get('reason') ?? ''), ...(role() === 'dispatcher' && area() ? { area: area() } : {}) });
    if (!res.ok) return setMessage({ isError: true, text: res.message });
    setMine(res.value);
    setMessage({ isError: false, text: 'Sent. An admin will decide.' });
  };

  return (
    <div class="stack">
      <Show when={mine()}>
        {(p) => (
          <p data-testid="promotion-state">
            Your request to be {ROLE_WORDS[p().role].toLowerCase()}
            <Show when={p().area}> in {areaName(p().area)}</Show> ({formatDateTime(p().createdAt)}) is <strong>{STATUS_WORDS[p().status]}</strong>
            <Show when={p().decidedBy}> by {p().decidedBy}</Show>.
          </p>
        )}
      </Show>
      <Show when={mine()?.status !== 'pending'}>
        <form class="stack" onSubmit={(e) => void onSubmit(e)} aria-label="Ask for another role">
          <label for="promotion-role">Role you need</label>
          <select id="promotion-role" onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <For each={roles()}>{(r) => <option value={r} selected={r === role()}>{ROLE_WORDS[r]}</option>}</For>
          </select>
          <Show when={role() === 'dispatcher'}>
            <label for="promotion-area">Dispatch area</label>
            <select id="promotion-area" name="area" onChange={(e) => setArea(e.currentTarget.value)}>
              <option value="">Let the admin choose</option>
              <AreaOptions selected={area()} />
            </select>
          </Show>
          <label for="promotion-reason">Why you need it</label>
          <textarea id="promotion-reason" name="reason" required maxlength={500} rows={3} />
          <button type="submit" class="button">Ask an admin</button>
        </form>
      </Show>
      <ActionMessage message={message()} />
    </div>
  );
}
