import { A } from '@solidjs/router';
import type { LinkedChild } from '@tracetrack/shared';
import { createEffect, For, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { BillViewParent } from '../features/bills/bill-view';
import { formatDateTime, formatNumber } from '../locale/format';
import { ParentChildren } from './parent-children';

const kg = (n: number | null) => (n === null ? '—' : formatNumber(n));

const WAITING_NOTE: Record<NonNullable<BillViewParent['waiting']>, string> = {
  add: 'adding, waiting for the server',
  remove: 'removing, waiting for the server',
  return: 'returning, waiting for the server',
};

/** A bill's parents: counts and weights, their children (opened on demand), and removal. */
export function BillParentsTable(props: {
  parents: BillViewParent[];
  billStatus: string;
  canRemove: boolean;
  onRemove: (code: string) => void;
  version: number;
  canUnlink: (child: LinkedChild, billStatus: string | null) => boolean;
  isUnlinking: (childCode: string) => boolean;
  onUnlink: (childCode: string, parentCode: string) => void;
}) {
  // Rows keep their identity by parent code across refreshes, so an opened children list stays open.
  const [rows, setRows] = createStore<BillViewParent[]>([]);
  createEffect(() => setRows(reconcile(props.parents, { key: 'code' })));
  return (
    <table class="table" data-testid="bill-parents">
      <thead>
        <tr>
          <th>Parent</th>
          <th>Children</th>
          <th>Actual / expected kg</th>
          <th>Added</th>
          <Show when={props.canRemove}>
            <th>
              <span class="visually-hidden">Remove</span>
            </th>
          </Show>
        </tr>
      </thead>
      <tbody>
        <For each={rows}>
          {(p) => (
            <tr classList={{ 'row-waiting': p.waiting !== null }} data-testid="bill-parent-row">
              <td>
                <A href={`/search?code=${encodeURIComponent(p.code)}`}>{p.code}</A>
                <Show when={p.waiting}>
                  {(w) => <span class="pending-note"> {WAITING_NOTE[w()]}</span>}
                </Show>
              </td>
              <td>
                <ParentChildren
                  parentCode={p.code}
                  childCount={p.childCount}
                  version={props.version}
                  billStatus={props.billStatus}
                  canUnlink={props.canUnlink}
                  isUnlinking={props.isUnlinking}
                  onUnlink={props.onUnlink}
                />
                <Show when={p.childCount !== null && p.capacity !== null}>
                  <span class="muted"> ({p.childCount}/{p.capacity})</span>
                </Show>
              </td>
              <td>
                {kg(p.actualWeightKg)} / {kg(p.expectedWeightKg)}
              </td>
              <td>{p.addedAt ? formatDateTime(p.addedAt) : '—'}</td>
              <Show when={props.canRemove}>
                <td>
                  <Show when={p.waiting === null}>
                    <button type="button" class="button button-quiet" onClick={() => props.onRemove(p.code)}>
                      Remove {p.code}
                    </button>
                  </Show>
                </td>
              </Show>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
