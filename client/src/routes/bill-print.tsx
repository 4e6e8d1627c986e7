import { useParams } from '@solidjs/router';
import type { BillDetail } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { fetchBill } from '../features/bills/bills';
import { describeFailure } from '../features/trpc-client';

/** A plain page for the printer: the bill, its totals and every parent. */
export default function BillPrint() {
  const params = useParams<{ number: string }>();
  const [detail, setDetail] = createSignal<BillDetail | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  onMount(() => void fetchBill(decodeURIComponent(params.number)).then(setDetail, (e) => setError(describeFailure(e).message)));
  return (
    <main class="page print-page">
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <Show when={detail()}>
        {(d) => (
          <>
            <h1>Bill {d().bill.billNumber}</h1>
            <p>
              {d().bill.destination ?? ''} · vehicle {d().bill.vehicleNumber ?? '—'} · status {d().bill.status}
              {d().bill.isShort ? ' (short)' : ''}
            </p>
            <p>
              Parents {d().bill.parentCount}/{d().bill.capacity} · actual {d().bill.actualWeightKg} kg · expected {d().bill.expectedWeightKg} kg · variance{' '}
              {d().bill.varianceKg} kg
            </p>
            <table class="table" tabindex="0" aria-label="Parents on this bill">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Parent</th>
                  <th>Format</th>
                  <th>Children</th>
                  <th>Actual kg</th>
                  <th>Expected kg</th>
                </tr>
              </thead>
              <tbody>
                <For each={d().parents}>
                  {(p, i) => (
                    <tr>
                      <td>{i() + 1}</td>
                      <td>{p.code}</td>
                      <td>{p.format}</td>
                      <td>{p.childCount}</td>
                      <td>{p.actualWeightKg}</td>
                      <td>{p.expectedWeightKg}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <button type="button" class="button no-print" onClick={() => window.print()}>
              Print
            </button>
          </>
        )}
      </Show>
    </main>
  );
}
