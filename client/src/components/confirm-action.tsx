import { Show } from 'solid-js';
import { ConfirmDialog } from './confirm-dialog';

/** An action waiting for a yes: what the dialog says and what runs on yes. */
export interface ConfirmRequest {
  title: string;
  body: string;
  /** Names the action ("Deactivate ravi"), so nobody answers a bare "OK". */
  confirmLabel: string;
  isDanger?: boolean;
  onConfirm: () => void | Promise<void>;
}

/**
 * The app's confirm dialog for a request held in a signal: shown while there is one, closed on
 * either answer; a yes then runs the action (its outcome is shown by the screen that asked).
 */
export function ConfirmAction(props: { request: ConfirmRequest | null; onClose: () => void }) {
  return (
    <Show when={props.request}>
      {(request) => (
        <ConfirmDialog
          title={request().title}
          confirmText={request().confirmLabel}
          tone={request().isDanger ? 'danger' : 'warn'}
          onConfirm={() => {
            const run = request().onConfirm;
            props.onClose();
            void run();
          }}
          onCancel={() => props.onClose()}
        >
          <p>{request().body}</p>
        </ConfirmDialog>
      )}
    </Show>
  );
}
