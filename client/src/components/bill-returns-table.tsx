import { A } from '@solidjs/router';
import type { BillReturnEvent } from '@tracetrack/shared';
import { For } from 'solid-js';
import { formatDateTime, formatKg } from '../locale/format';

/** A bill's return events: what left, when, on which ticket, and the bill's totals before and after. */
export function BillReturnsTable(props: { returns: BillReturnEvent[]; isPrint?: boolean; canOpenTickets?: boolean }) {
  const table = () => (
    <table class={props.isPrint ? 'print-table' : 'table'} data-testid="bill-returns">
      <thead>
        <tr>
          <th>Parent</th>
          <th>Return ticket</th>
          <th>Parents before → after</th>
          <th>Children before → after</th>
          <th>Weight before → after</th>
          <th>Returned</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.returns}>
          {(r) => (
            <tr>
              <td>{r.parentCode}</td>
              <td>{props.canOpenTickets && !props.isPrint ? <A href={`/returns/${r.ticketId}`}>{r.ticketNumber}</A> : r.ticketNumber}</td>
              <td>
                {r.parentsBefore} → {r.parentsAfter}
              </td>
              <td>
                {r.childrenBefore} → {r.childrenAfter}
              </td>
              <td>
                {formatKg(r.weightBeforeKg)} → {formatKg(r.weightAfterKg)}
              </td>
              <td>
                {formatDateTime(r.returnedAt)} by {r.returnedBy ?? 'a removed user'}
              </td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
  // On a phone the six columns scroll sideways: the region takes the keyboard focus for that.
  return props.isPrint ? table() : (
    <div class="table-scroll" tabindex="0" role="region" aria-label="Returned parents">
      {table()}
    </div>
  );
}
