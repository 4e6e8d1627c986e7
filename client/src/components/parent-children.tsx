import { A } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { fetchBag } from '../features/bags/bags';
import { describeFailure } from '../api/trpc';

/** A parent's children, fetched when first opened. */
export function ParentChildren(props: { parentCode: string; childCount: number }) {
  const [children, setChildren] = createSignal<string[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const onToggle = (e: Event) => {
    if (!(e.currentTarget as HTMLDetailsElement).open || children()) return;
    fetchBag(props.parentCode).then((d) => setChildren(d.children.map((c) => c.code)), (err) => setError(describeFailure(err).message));
  };
  return (
    <details onToggle={onToggle}>
      <summary>{props.childCount} children</summary>
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <ul class="chips">
        <For each={children() ?? []}>{(code) => <li><A href={`/search?code=${code}`}>{code}</A></li>}</For>
      </ul>
    </details>
  );
}
