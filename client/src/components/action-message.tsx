import { Show } from 'solid-js';

export interface ActionMessageValue {
  isError: boolean;
  text: string;
}

/** What an action on an accounts screen came to: done (a status) or refused (an alert), in a sentence. */
export function ActionMessage(props: { message: ActionMessageValue | null; testId?: string }) {
  return (
    <Show when={props.message}>
      {(m) => (
        <p class={m().isError ? 'error' : 'success-note'} role={m().isError ? 'alert' : 'status'} data-testid={props.testId}>
          {m().text}
        </p>
      )}
    </Show>
  );
}
