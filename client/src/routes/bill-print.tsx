import { A, useParams } from '@solidjs/router';
import type { BillDetail, BillParent } from '@tracetrack/shared';
import { createSignal, For, type JSX, onCleanup, onMount, Show } from 'solid-js';
import { fetchBill } from '../features/bills/bills';
import { BillReturnsTable } from '../components/bill-returns-table';
import { describeFailure } from '../api/trpc';
import { formatDateTime, formatKg, formatNumber, formatSignedKg } from '../locale/format';

/** Parents per A4 sheet: two columns of 30 rows leave room for the header, totals and signatures. */
const PER_SHEET = 60;
const PER_COLUMN = PER_SHEET / 2;

const chunk = <T,>(list: T[], size: number): T[][] =>
  list.length === 0 ? [[]] : Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/**
 * The load sheet that goes with the truck: who made and completed the bill, where it goes and on
 * what, every parent with its children and weights, the totals and three signature lines. One A4
 * sheet per 60 parents; everything comes from the server (bill.get), nothing from the device.
 */
export default function BillPrint() {
  const params = useParams<{ number: string }>();
  const [detail, setDetail] = createSignal<BillDetail | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [printedAt, setPrintedAt] = createSignal(new Date());
  onMount(() => {
    void fetchBill(decodeURIComponent(params.number)).then(setDetail, (e) => {
      const f = describeFailure(e);
      setError(f.code ? f.message : 'No connection: the print view needs the network, so the sheet shows what the server holds.');
    });
    const stamp = () => setPrintedAt(new Date());
    window.addEventListener('beforeprint', stamp);
    onCleanup(() => window.removeEventListener('beforeprint', stamp));
  });

  return (
    <main class="page print-page">
      <div class="row no-print">
        <A class="button button-quiet" href={`/bills/${encodeURIComponent(decodeURIComponent(params.number))}`}>
          Back to the bill
        </A>
        <button type="button" class="button" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <Show when={error()}>
        <h1>Bill {decodeURIComponent(params.number)}</h1>
        <p class="error">{error()}</p>
      </Show>
      <Show when={detail()}>
        {(d) => {
          // A bill whose every parent came back still prints its one sheet, with its returns.
          const sheets = () => (d().parents.length > 0 ? chunk(d().parents, PER_SHEET) : [[]]);
          return (
            <For each={sheets()}>
              {(parents, i) => (
                <section class="print-sheet" data-testid="print-sheet">
                  <Show
                    when={i() === 0}
                    fallback={
                      <p class="print-continued">
                        Bill {d().bill.billNumber}, continued
                      </p>
                    }
                  >
                    <BillHeading detail={d()} printedAt={printedAt()} />
                  </Show>
                  <div class="print-columns">
                    <For each={chunk(parents, PER_COLUMN)}>
                      {(column, c) => <ParentTable parents={column} firstNumber={i() * PER_SHEET + c() * PER_COLUMN + 1} />}
                    </For>
                  </div>
                  <Show when={i() === sheets().length - 1}>
                    <Totals detail={d()} />
                    <Show when={d().returns.length > 0}>
                      <h2 class="section-title">Returned on return tickets (not in the totals above)</h2>
                      <BillReturnsTable returns={d().returns} isPrint />
                    </Show>
                    <Signatures />
                  </Show>
                  <p class="print-sheet-number">
                    Bill {d().bill.billNumber} · sheet {i() + 1} of {sheets().length}
                  </p>
                </section>
              )}
            </For>
          );
        }}
      </Show>
    </main>
  );
}

function Field(props: { label: string; children: JSX.Element; testId: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </>
  );
}

function BillHeading(props: { detail: BillDetail; printedAt: Date }) {
  const b = () => props.detail.bill;
  return (
    <header class="print-head">
      <h1>Bill {b().billNumber}</h1>
      <dl class="print-fields">
        <Field label="Printed" testId="print-printed-at">{formatDateTime(props.printedAt)}</Field>
        <Field label="Status" testId="print-status">
          {b().status}
          {b().isShort ? ' (completed short)' : ''}
        </Field>
        <Field label="Created" testId="print-created">
          by {b().createdBy ?? 'a removed user'} on {formatDateTime(b().createdAt)}
        </Field>
        <Field label="Completed" testId="print-completed">
          {b().completedAt ? `by ${b().completedBy ?? 'a removed user'} on ${formatDateTime(b().completedAt!)}` : 'not completed'}
        </Field>
        <Field label="Destination" testId="print-destination">{b().destination ?? '—'}</Field>
        <Field label="Vehicle" testId="print-vehicle">{b().vehicleNumber ?? '—'}</Field>
        <Show when={b().description}>
          <Field label="Description" testId="print-description">{b().description}</Field>
        </Show>
      </dl>
    </header>
  );
}

function ParentTable(props: { parents: BillParent[]; firstNumber: number }) {
  return (
    <table class="print-table">
      <thead>
        <tr>
          <th>#</th>
          <th>Parent</th>
          <th>Children</th>
          <th>Actual kg</th>
          <th>Expected kg</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.parents}>
          {(p, i) => (
            <tr data-testid="print-parent">
              <td>{props.firstNumber + i()}</td>
              <td>{p.code}</td>
              <td>
                {p.childCount}/{p.capacity}
              </td>
              <td>{formatNumber(p.actualWeightKg)}</td>
              <td>{formatNumber(p.expectedWeightKg)}</td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}

function Totals(props: { detail: BillDetail }) {
  const b = () => props.detail.bill;
  return (
    <dl class="print-totals" data-testid="print-totals">
      <Field label="Parents" testId="print-total-parents">
        {formatNumber(b().parentCount)} of {formatNumber(b().capacity)}
      </Field>
      <Field label="Children" testId="print-total-children">{formatNumber(b().childCount)}</Field>
      <Field label="Actual weight" testId="print-actual">{formatKg(b().actualWeightKg)}</Field>
      <Field label="Expected weight" testId="print-expected">{formatKg(b().expectedWeightKg)}</Field>
      <Field label="Variance" testId="print-variance">{formatSignedKg(b().varianceKg)}</Field>
      <Show when={props.detail.returns.length > 0}>
        <Field label="Returned, counted apart" testId="print-returned">
          {formatNumber(props.detail.returns.length)} parents,{' '}
          {formatNumber(props.detail.returns.reduce((n, r) => n + r.childrenBefore - r.childrenAfter, 0))} children,{' '}
          {formatKg(props.detail.returns.reduce((n, r) => n + r.weightBeforeKg - r.weightAfterKg, 0))}
        </Field>
      </Show>
    </dl>
  );
}

function Signatures() {
  return (
    <div class="print-signatures" data-testid="print-signatures">
      <For each={['Loaded by', 'Driver', 'Checked by']}>
        {(who) => (
          <div class="print-signature">
            <span class="print-signature-line" />
            <span>{who}: name, signature, date</span>
          </div>
        )}
      </For>
    </div>
  );
}
