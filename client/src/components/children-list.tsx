import { A } from '@solidjs/router';
import type { LinkedChild } from '@tracetrack/shared';
import { For, Show } from 'solid-js';
import { formatDateTime } from '../locale/format';

/**
 * A parent's children, each with who linked it and when, and "Unlink" where the signed-in user
 * may unlink it (the screen decides, the server judges). A child with a queued unlink says so.
 */
export function ChildrenList(props: {
  parentCode: string;
  items: LinkedChild[];
  canUnlink: (child: LinkedChild) => boolean;
  isUnlinking: (childCode: string) => boolean;
  onUnlink: (childCode: string) => void;
}) {
  return (
    <ul class="children-list" data-testid={`children-${props.parentCode}`}>
      <For each={props.items}>
        {(c) => (
          <li>
            <A href={`/search?code=${encodeURIComponent(c.code)}`}>{c.code}</A>
            <span class="muted">
              {' '}
              linked by {c.linkedBy ?? 'a removed user'}, {formatDateTime(c.linkedAt)}
            </span>
            <Show when={props.isUnlinking(c.code)} fallback={
              <Show when={props.canUnlink(c)}>
                <button type="button" class="button button-quiet button-small" onClick={() => props.onUnlink(c.code)}>
                  Unlink {c.code}
                </button>
              </Show>
            }>
              <span class="pending-note"> unlinking, waiting for the server</span>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
