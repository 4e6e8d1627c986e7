import { A, useParams } from '@solidjs/router';
import type { BillDetail, BillSummary } from '@tracetrack/shared';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { ManualEntry } from '../components/manual-entry';
import { ParentChildren } from '../components/parent-children';
import { canUse, currentUser } from '../features/auth/session';
import { addParentToBill, type BillWriteResult, completeBill, fetchBill, removeParentFromBill, reopenBill } from '../features/bills/bills';
import { describeFailure } from '../features/trpc-client';
import { signal } from '../scanner/feedback';
import { useWedgeScanner } from '../scanner/use-wedge';

const REFRESH_MS = 10_000;

export default function BillDetailPage() {
  const params = useParams<{ number: string }>();
  const billNumber = () => decodeURIComponent(params.number);
  const [detail, setDetail] = createSignal<BillDetail | null>(null);
  const [message, setMessage] = createSignal<{ kind: 'ok' | 'error' | 'pending'; text: string } | null>(null);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [isConfirmingShort, setConfirmingShort] = createSignal(false);
  const canEdit = () => canUse(currentUser()?.role, 'editBills');
  const bill = () => detail()?.bill;
  const isLocked = () => bill()?.status === 'completed';

  const load = async () => {
    try {
      setDetail(await fetchBill(billNumber()));
      setLoadError(null);
    } catch (e) {
      setLoadError(describeFailure(e).message);
    }
  };
  onMount(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });

  const applyResult = async (res: BillWriteResult) => {
    if (res.state === 'done') {
      setMessage({ kind: 'ok', text: res.message });
      const current = detail();
      if (current) setDetail({ ...current, bill: res.bill as BillSummary });
      signal('ok');
      await load();
    } else if (res.state === 'refused') {
      setMessage({ kind: 'error', text: res.message });
      signal('error');
    } else {
      setMessage({ kind: 'pending', text: res.message });
    }
  };

  const addParent = async (code: string) => {
    if (!canEdit() || isLocked()) return;
    setMessage({ kind: 'pending', text: `Adding ${code.toUpperCase()}…` });
    await applyResult(await addParentToBill(billNumber(), code));
  };
  useWedgeScanner((scan) => void addParent(scan.code));

  const complete = async (allowShort: boolean) => {
    const b = bill();
    if (!b) return;
    if (!allowShort && b.parentCount < b.capacity) return setConfirmingShort(true);
    setConfirmingShort(false);
    await applyResult(await completeBill(b.billNumber, allowShort));
  };

  return (
    <main class="page">
      <Show when={loadError()}>
        <p class="error">{loadError()}</p>
      </Show>
      <Show when={bill()}>
        {(b) => (
          <>
            <div class="row spread">
              <h1>
                Bill <span data-testid="bill-number">{b().billNumber}</span>
              </h1>
              <A class="button button-quiet" href={`/bills/${encodeURIComponent(b().billNumber)}/print`}>
                Print view
              </A>
              <Show when={canUse(currentUser()?.role, 'audit')}>
                <A class="button button-quiet" href={`/audit?entityType=bill&entityKey=${encodeURIComponent(b().billNumber)}`}>
                  Audit history
                </A>
              </Show>
            </div>
            <p>
              Status <strong data-testid="bill-status">{b().status}</strong>
              {b().isShort ? ' (completed short)' : ''} · {b().destination ?? 'no destination'} · {b().vehicleNumber ?? 'no vehicle'}
            </p>
            <div class="bill-progress">
              <span class="progress-big" data-testid="bill-progress">
                {b().parentCount}/{b().capacity}
              </span>
              <progress max={b().capacity} value={b().parentCount} aria-label="Parents on this bill" />
            </div>
            <dl class="weights">
              <dt>Actual weight</dt>
              <dd data-testid="bill-actual-weight">{b().actualWeightKg} kg</dd>
              <dt>Expected weight</dt>
              <dd data-testid="bill-expected-weight">{b().expectedWeightKg} kg</dd>
              <dt>Variance</dt>
              <dd data-testid="bill-variance" classList={{ negative: b().varianceKg < 0 }}>
                {b().varianceKg > 0 ? '+' : ''}
                {b().varianceKg} kg
              </dd>
            </dl>

            <Show when={message()}>
              {(m) => (
                <p class={`feedback feedback-${m().kind}`} data-testid="bill-feedback" role="alert">
                  {m().text}
                </p>
              )}
            </Show>

            <Show when={canEdit()}>
              <Show
                when={!isLocked()}
                fallback={
                  <button type="button" class="button" onClick={() => void reopenBill(b().billNumber).then(applyResult)}>
                    Reopen bill
                  </button>
                }
              >
                <ManualEntry id="bill-parent-code" label="Parent code (type or scan)" buttonText="Add parent" onCode={(c) => void addParent(c)} />
                <button type="button" class="button button-big" onClick={() => void complete(false)}>
                  Complete bill
                </button>
                <Show when={isConfirmingShort()}>
                  <div class="dialog" role="alertdialog" aria-labelledby="short-title">
                    <h2 id="short-title">
                      Only {b().parentCount} of {b().capacity} parents are loaded
                    </h2>
                    <p>Completing now records the bill as short.</p>
                    <div class="row">
                      <button type="button" class="button button-warn" onClick={() => void complete(true)}>
                        Complete short
                      </button>
                      <button type="button" class="button button-quiet" onClick={() => setConfirmingShort(false)}>
                        Cancel
                      </button>
                    </div>
                  </div>
                </Show>
              </Show>
            </Show>

            <h2 class="section-title">Parents</h2>
            <table class="table" data-testid="bill-parents">
              <thead>
                <tr>
                  <th>Parent</th>
                  <th>Children</th>
                  <th>Actual / expected kg</th>
                  <th>Added</th>
                  <Show when={canEdit() && !isLocked()}>
                    <th>
                      <span class="visually-hidden">Remove</span>
                    </th>
                  </Show>
                </tr>
              </thead>
              <tbody>
                <For each={detail()?.parents}>
                  {(p) => (
                    <tr>
                      <td>
                        <A href={`/search?code=${encodeURIComponent(p.code)}`}>{p.code}</A>
                      </td>
                      <td>
                        <ParentChildren parentCode={p.code} childCount={p.childCount} /> ({p.childCount}/{p.capacity})
                      </td>
                      <td>
                        {p.actualWeightKg} / {p.expectedWeightKg}
                      </td>
                      <td>{new Date(p.addedAt).toLocaleString()}</td>
                      <Show when={canEdit() && !isLocked()}>
                        <td>
                          <button type="button" class="button button-quiet" onClick={() => void removeParentFromBill(b().billNumber, p.code).then(applyResult)}>
                            Remove {p.code}
                          </button>
                        </td>
                      </Show>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </>
        )}
      </Show>
    </main>
  );
}
