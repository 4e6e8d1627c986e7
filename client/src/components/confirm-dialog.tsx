import { createUniqueId, type JSX, onMount } from 'solid-js';

/**
 * Asks before a change that is hard to undo. The safe choice has the focus, so an Enter from a
 * scanner or a stray tap does not confirm; Escape cancels.
 */
export function ConfirmDialog(props: {
  title: string;
  children?: JSX.Element;
  confirmText: string;
  tone?: 'danger' | 'warn';
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = createUniqueId();
  let cancel: HTMLButtonElement | undefined;
  onMount(() => cancel?.focus());
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') props.onCancel();
  };
  return (
    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} onKeyDown={onKeyDown}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div id={`${id}-body`}>{props.children}</div>
      <div class="row">
        <button type="button" class={`button ${props.tone === 'warn' ? 'button-warn' : 'button-danger'}`} onClick={() => props.onConfirm()}>
          {props.confirmText}
        </button>
        <button type="button" class="button button-quiet" ref={cancel} onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
