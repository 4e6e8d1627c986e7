import { createSignal, For, Show } from 'solid-js';

/**
 * The 10 recovery codes, shown once: each signs in once instead of an app code. Copy puts them on
 * the clipboard; Print prints this list only (the rest of the page is hidden in print).
 */
export function RecoveryCodes(props: { codes: string[]; onDone: () => void }) {
  const [note, setNote] = createSignal<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.codes.join('\n'));
      setNote('Copied.');
    } catch {
      setNote('This browser did not allow copying. Write the codes down or print them.');
    }
  };
  return (
    <section class="card recovery-codes print-only-this" aria-labelledby="recovery-title" data-testid="recovery-codes">
      <h2 id="recovery-title">Your recovery codes</h2>
      <p>
        Keep these somewhere safe, away from your phone. Each one signs you in once if your phone is lost. They are shown only now.
      </p>
      <ol class="code-list">
        <For each={props.codes}>{(c) => <li><code class="secret">{c}</code></li>}</For>
      </ol>
      <div class="row no-print">
        <button type="button" class="button button-quiet" onClick={() => void copy()}>
          Copy codes
        </button>
        <button type="button" class="button button-quiet" onClick={() => window.print()}>
          Print codes
        </button>
        <button type="button" class="button" onClick={() => props.onDone()}>
          I have saved them
        </button>
      </div>
      <Show when={note()}>
        <p role="status">{note()}</p>
      </Show>
    </section>
  );
}
