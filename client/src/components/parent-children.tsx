import type { LinkedChild } from '@tracetrack/shared';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { fetchBag } from '../features/bags/bags';
import { describeFailure } from '../features/trpc-client';
import { ChildrenList } from './children-list';

/** A parent's children on a bill page, fetched when first opened and again after each change. */
export function ParentChildren(props: {
  parentCode: string;
  childCount: number | null;
  /** Bumped by the page when something may have changed the children (an unlink's outcome). */
  version: number;
  billStatus: string | null;
  canUnlink: (child: LinkedChild, billStatus: string | null) => boolean;
  isUnlinking: (childCode: string) => boolean;
  onUnlink: (childCode: string, parentCode: string) => void;
}) {
  const [children, setChildren] = createSignal<LinkedChild[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [isOpen, setOpen] = createSignal(false);
  const load = () =>
    fetchBag(props.parentCode).then(
      (d) => (setChildren(d.children), setError(null)),
      (err) => setError(describeFailure(err).code ? describeFailure(err).message : 'No connection: the children list needs the network.'),
    );
  createEffect(on(() => props.version, () => isOpen() && void load(), { defer: true }));
  const onToggle = (e: Event) => {
    setOpen((e.currentTarget as HTMLDetailsElement).open);
    if (isOpen() && !children()) void load();
  };
  return (
    <details onToggle={onToggle}>
      <summary>{props.childCount === null ? 'children' : `${props.childCount} children`}</summary>
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <Show when={children()}>
        {(list) => (
          <ChildrenList
            parentCode={props.parentCode}
            items={list()}
            canUnlink={(c) => props.canUnlink(c, props.billStatus)}
            isUnlinking={props.isUnlinking}
            onUnlink={(code) => props.onUnlink(code, props.parentCode)}
          />
        )}
      </Show>
    </details>
  );
}
