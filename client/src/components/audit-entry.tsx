import { For, Show } from 'solid-js';
import { actionWords, type AuditLogEntry, diffSnapshots } from '../features/accounts/audit';
import { formatDateTime } from '../locale/format';

/** One audit row: when, who, what, on which entity, and the change as field: old → new. */
export function AuditEntry(props: { entry: AuditLogEntry }) {
  const changes = () => diffSnapshots(props.entry.before, props.entry.after);
  const entity = () => props.entry.entityLabel ?? (props.entry.entityId ? `#${props.entry.entityId}` : '');
  return (
    <li class="audit-entry" data-testid="audit-entry" data-action={props.entry.action}>
      <div class="audit-head">
        <strong>{actionWords(props.entry.action)}</strong>
        <span>
          {props.entry.entityType} {entity()}
        </span>
        <span class="muted">
          {formatDateTime(props.entry.at)} · by {props.entry.actor ?? 'nobody signed in'}
          <Show when={props.entry.ip}> · IP {props.entry.ip}</Show>
          <Show when={props.entry.deviceId}> · handheld {props.entry.deviceId?.slice(0, 8)}, scan {props.entry.seq}</Show>
        </span>
      </div>
      <Show when={changes().length > 0}>
        <dl class="audit-diff">
          <For each={changes()}>
            {(c) => (
              <>
                <dt>{c.field}</dt>
                <dd>
                  <Show when={c.before !== null} fallback={<span class="muted">(added) </span>}>
                    <del>{c.before}</del> →{' '}
                  </Show>
                  <Show when={c.after !== null} fallback={<span class="muted">(removed)</span>}>
                    <ins>{c.after}</ins>
                  </Show>
                </dd>
              </>
            )}
          </For>
        </dl>
      </Show>
    </li>
  );
}
