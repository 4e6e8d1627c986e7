import { createSignal, type JSX, onMount, Show } from 'solid-js';

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  isDanger?: boolean;
  onConfirm: () => void | Promise<void>;
}

/**
 * Asks before a destructive action (lock, end sessions, deactivate…). The confirm button names the
 * action, so a person never answers a bare "OK". Escape and Cancel close it without acting.
 */
export function ConfirmDialog(props: { request: ConfirmRequest | null; onClose: () => void }): JSX.Element {
  const [isBusy, setBusy] = createSignal(false);
  const confirm = async (request: ConfirmRequest) => {
    setBusy(true);
    try {
      await request.onConfirm();
    } finally {
      setBusy(false);
      props.onClose();
    }
  };
  return (
    <Show when={props.request}>
      {(request) => {
        let cancel: HTMLButtonElement | undefined;
        onMount(() => cancel?.focus());
        return (
          <div
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="confirm-title"
            aria-describedby="confirm-body"
            onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
          >
            <h2 id="confirm-title">{request().title}</h2>
            <p id="confirm-body">{request().body}</p>
            <div class="row">
              <button
                type="button"
                class={request().isDanger ? 'button button-danger' : 'button'}
                disabled={isBusy()}
                onClick={() => void confirm(request())}
              >
                {request().confirmLabel}
              </button>
              <button type="button" class="button button-quiet" ref={cancel} onClick={() => props.onClose()}>
                Cancel
              </button>
            </div>
          </div>
        );
      }}
    </Show>
  );
}
