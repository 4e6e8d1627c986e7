import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { refusalSentence } from '../features/accounts/refusals';
import { areaName } from '../features/areas/areas';
import { canUse, currentUser } from '../features/auth/session';
import { moveParentToArea } from '../features/bags/bags';
import { describeFailure } from '../api/trpc';
import { ActionMessage, type ActionMessageValue } from './action-message';
import { AreaOptions } from './area-options';
import { ConfirmAction, type ConfirmRequest } from './confirm-action';

/** On a bag's search result, for admins: its audit history, and moving a parent to another area. */
export function BagAdminTools(props: { code: string; type: 'parent' | 'child'; area: string | null; childCount: number; onMoved: () => void }) {
  const [target, setTarget] = createSignal('');
  const [message, setMessage] = createSignal<ActionMessageValue | null>(null);
  const [confirming, setConfirming] = createSignal<ConfirmRequest | null>(null);
  const role = () => currentUser()?.role;

  const onMove = (e: SubmitEvent) => {
    e.preventDefault();
    const area = target();
    if (!area) return setMessage({ isError: true, text: 'Choose the area to move it to.' });
    setConfirming({
      title: `Move ${props.code} to ${areaName(area)}?`,
      body: `Its ${props.childCount} children move with it. Dispatchers of ${areaName(props.area)} stop seeing it; those of ${areaName(area)} can scan into it.`,
      confirmLabel: `Move to ${areaName(area)}`,
      onConfirm: async () => {
        try {
          const res = await moveParentToArea(props.code, area);
          setMessage({ isError: false, text: res.message });
          props.onMoved();
        } catch (err) {
          setMessage({ isError: true, text: refusalSentence(describeFailure(err)) });
        }
      },
    });
  };

  return (
    <Show when={canUse(role(), 'audit') || canUse(role(), 'moveParent')}>
      <div class="card" data-testid="bag-admin-tools">
        <Show when={canUse(role(), 'audit')}>
          <p>
            <A href={`/audit?entityType=bag&entityKey=${encodeURIComponent(props.code)}`}>Audit history of {props.code}</A>
          </p>
        </Show>
        <Show when={props.type === 'parent' && canUse(role(), 'moveParent')}>
          <form class="row" onSubmit={onMove} aria-label={`Move ${props.code} to another area`}>
            <label for="move-area">Move to area</label>
            <select id="move-area" name="area" onChange={(e) => setTarget(e.currentTarget.value)}>
              <option value="">Choose an area</option>
              <AreaOptions selected={target()} exclude={props.area} />
            </select>
            <button type="submit" class="button">Move parent</button>
          </form>
        </Show>
        <ActionMessage message={message()} />
        <ConfirmAction request={confirming()} onClose={() => setConfirming(null)} />
      </div>
    </Show>
  );
}
