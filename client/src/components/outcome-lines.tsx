import { For, Show } from 'solid-js';
import type { TrackedState, TrackedWrite } from '../features/sync/outcome-tracker';

const KIND: Record<TrackedState, 'pending' | 'ok' | 'error'> = { saved: 'pending', applied: 'ok', unchanged: 'ok', rejected: 'error' };
const LABEL: Record<TrackedState, string> = { saved: 'Waiting', applied: 'Done', unchanged: 'No change', rejected: 'Refused' };

/**
 * The writes a screen queued: the newest one large (saved, then the server's answer), and the
 * earlier ones below it so a refusal is not hidden by the next scan.
 */
export function OutcomeLines(props: { items: TrackedWrite[]; testId: string; title: string }) {
  const latest = () => props.items[0];
  const earlier = () => props.items.slice(1);
  return (
    <>
      <Show when={latest()}>
        {(t) => (
          <p class={`feedback feedback-${KIND[t().state]}`} data-testid={props.testId} data-state={t().state} role="alert">
            {t().message}
          </p>
        )}
      </Show>
      <Show when={earlier().length > 0}>
        <details class="outcome-lines" open={earlier().some((t) => t.state === 'rejected')}>
          <summary>{props.title}</summary>
          <ol class="scan-lines" data-testid={`${props.testId}-earlier`}>
            <For each={earlier()}>
              {(t) => (
                <li class={`line line-${t.state === 'saved' ? 'pending' : t.state}`}>
                  <span class="line-state">{LABEL[t.state]}</span>
                  <span class="line-code">{t.subject}</span>
                  <span class="line-message">{t.message}</span>
                </li>
              )}
            </For>
          </ol>
        </details>
      </Show>
    </>
  );
}
