import type { Promotion } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { decidePromotion, fetchPendingPromotions } from '../features/accounts/promotions';
import { areaName } from '../features/areas/areas';
import { ROLE_WORDS } from '../features/words';
import { formatDateTime } from '../locale/format';
import { ActionMessage, type ActionMessageValue } from './action-message';
import { AreaOptions } from './area-options';
import { ConfirmAction, type ConfirmRequest } from './confirm-action';

/** Pending role requests on the users screen: approve (through the same rules as a role change) or decline. */
export function PromotionRequests(props: { onDecided: () => void }) {
  const [items, setItems] = createSignal<Promotion[]>([]);
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const [confirming, setConfirming] = createSignal<ConfirmRequest | null>(null);
  const [areaChoice, setAreaChoice] = createSignal<Record<number, string>>({});

  const load = async () => {
    const res = await fetchPendingPromotions();
    if (res.ok) setItems(res.value.items);
    else setMessage({ isError: true, text: res.message });
  };
  onMount(() => void load());

  const decide = async (p: Promotion, approve: boolean) => {
    const res = await decidePromotion(p.id, approve, areaChoice()[p.id]);
    const verdict = approve ? `${p.username} is now ${ROLE_WORDS[p.role].toLowerCase()}.` : `${p.username}'s request is declined.`;
    setMessage(res.ok ? { isError: false, text: verdict } : { isError: true, text: res.message });
    await load();
    if (res.ok) props.onDecided();
  };

  return (
    <Show when={items().length > 0 || message()}>
      <section class="card" aria-labelledby="promotions-title" data-testid="promotion-requests">
        <h2 id="promotions-title">Role requests waiting</h2>
        <ul class="session-list">
          <For each={items()}>
            {(p) => (
              <li class="session">
                <div>
                  <strong>{p.username}</strong> ({ROLE_WORDS[p.currentRole]}
                  <Show when={p.currentArea}>, {areaName(p.currentArea)}</Show>) asks to be <strong>{ROLE_WORDS[p.role]}</strong>
                  <Show when={p.area}> in {areaName(p.area)}</Show>
                  <div class="muted">
                    “{p.reason}” · {formatDateTime(p.createdAt)}
                  </div>
                </div>
                <div class="row">
                  <Show when={p.role === 'dispatcher' && !p.area}>
                    <label for={`promotion-area-${p.id}`}>Area for {p.username}</label>
                    <select id={`promotion-area-${p.id}`} onChange={(e) => setAreaChoice({ ...areaChoice(), [p.id]: e.currentTarget.value })}>
                      <option value="">Choose an area</option>
                      <AreaOptions selected={areaChoice()[p.id]} />
                    </select>
                  </Show>
                  <button type="button" class="button link-button" onClick={() => void decide(p, true)}>
                    Approve {p.username}
                  </button>
                  <button
                    type="button"
                    class="button button-quiet link-button"
                    onClick={() =>
                      setConfirming({
                        title: `Decline ${p.username}'s request?`,
                        body: `They stay ${ROLE_WORDS[p.currentRole].toLowerCase()} and can ask again.`,
                        confirmLabel: 'Decline',
                        isDanger: true,
                        onConfirm: () => decide(p, false),
                      })
                    }
                  >
                    Decline {p.username}
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
        <ActionMessage message={message()} />
        <ConfirmAction request={confirming()} onClose={() => setConfirming(null)} />
      </section>
    </Show>
  );
}
