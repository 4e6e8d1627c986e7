import { A, useSearchParams } from '@solidjs/router';
import type { EndOfDay } from '@tracetrack/shared';
import { createResource, For, Show } from 'solid-js';
import { ExportButton } from '../components/export-button';
import { exportHref } from '../features/exports/exports';
import { fetchEndOfDay, localToday, mailStatusText } from '../features/reports/end-of-day';

const n = (v: number) => v.toLocaleString('en-IN');
const kg = (v: number) => `${v.toLocaleString('en-IN')} kg`;

function WeightCells(props: { row: { parents: number; children: number; actualWeightKg: number; expectedWeightKg: number; varianceKg: number } }) {
  return (
    <>
      <td class="num">{n(props.row.parents)}</td>
      <td class="num">{n(props.row.children)}</td>
      <td class="num">{kg(props.row.actualWeightKg)}</td>
      <td class="num">{kg(props.row.expectedWeightKg)}</td>
      <td class="num" classList={{ negative: props.row.varianceKg < 0 }}>{kg(props.row.varianceKg)}</td>
    </>
  );
}

const WEIGHT_HEADERS = ['Parents', 'Children', 'Actual', 'Expected', 'Variance'];

/** Admins: the day's bills, totals by status and by user; printable, exportable, mailed daily. */
export default function EndOfDayScreen() {
  const [params, setParams] = useSearchParams<{ date?: string }>();
  const date = () => params.date || localToday();
  const [report] = createResource(date, fetchEndOfDay);
  const loaded = () => {
    const r = report();
    return r && !('error' in r) ? r : null;
  };

  return (
    <main class="page">
      <h1>End-of-day summary</h1>
      <form class="filters no-print" onSubmit={(e) => e.preventDefault()}>
        <label for="eod-date">Date</label>
        <input id="eod-date" type="date" value={date()} required onChange={(e) => e.currentTarget.value && setParams({ date: e.currentTarget.value })} />
        <button type="button" class="button button-quiet" onClick={() => window.print()}>
          Print
        </button>
      </form>
      <Show when={report.loading}>
        <p class="muted">Loading…</p>
      </Show>
      <Show when={(() => { const r = report(); return r && 'error' in r ? r.error : null; })()}>
        {(message) => <p class="error" role="alert">{message()}</p>}
      </Show>
      <Show when={loaded()}>
        {(r) => <Summary report={r()} />}
      </Show>
    </main>
  );
}

function Summary(props: { report: EndOfDay }) {
  const t = () => props.report.totals;
  return (
    <section data-testid="eod-summary">
      <p>
        {props.report.date} in {props.report.timeZone}. Weights are the bills' weights as they stand now.
      </p>
      <ExportButton what={`the summary of ${props.report.date}`} hasCount={false} hrefOf={(format) => exportHref('eod', format, { date: props.report.date })} />
      <p class="muted no-print" data-testid="eod-mail">{mailStatusText(props.report.mail)}</p>
      <div class="summary-grid">
        <div class="tile"><span class="tile-value" data-testid="eod-created">{n(t().billsCreated)}</span><span class="tile-label">bills created</span></div>
        <div class="tile"><span class="tile-value" data-testid="eod-completed">{n(t().billsCompleted)}</span><span class="tile-label">bills completed</span></div>
        <div class="tile"><span class="tile-value">{n(t().parents)}</span><span class="tile-label">parents</span></div>
        <div class="tile"><span class="tile-value">{n(t().children)}</span><span class="tile-label">children</span></div>
        <div class="tile"><span class="tile-value">{kg(t().actualWeightKg)}</span><span class="tile-label">actual weight</span></div>
        <div class="tile"><span class="tile-value">{kg(t().expectedWeightKg)}</span><span class="tile-label">expected weight</span></div>
        <div class="tile"><span class="tile-value" classList={{ negative: t().varianceKg < 0 }}>{kg(t().varianceKg)}</span><span class="tile-label">variance</span></div>
      </div>

      <h2 class="section-title">By status</h2>
      <table class="table">
        <thead><tr><th>Status</th><th class="num">Bills</th><For each={WEIGHT_HEADERS}>{(h) => <th class="num">{h}</th>}</For></tr></thead>
        <tbody>
          <For each={props.report.byStatus}>
            {(s) => <tr><td>{s.status}</td><td class="num">{n(s.bills)}</td><WeightCells row={s} /></tr>}
          </For>
        </tbody>
      </table>

      <h2 class="section-title">By user</h2>
      <Show when={props.report.byUser.length > 0} fallback={<p class="muted">Nobody created or completed a bill that day.</p>}>
        <table class="table">
          <thead><tr><th>User</th><th class="num">Created</th><th class="num">Completed</th><For each={WEIGHT_HEADERS}>{(h) => <th class="num">{h} (completed)</th>}</For></tr></thead>
          <tbody>
            <For each={props.report.byUser}>
              {(u) => <tr><td>{u.username}</td><td class="num">{n(u.billsCreated)}</td><td class="num">{n(u.billsCompleted)}</td><WeightCells row={u} /></tr>}
            </For>
          </tbody>
        </table>
      </Show>

      <h2 class="section-title">Bills ({n(props.report.bills.length)})</h2>
      <Show when={props.report.bills.length > 0} fallback={<p class="muted">No bill was created or completed that day.</p>}>
        <table class="table" data-testid="eod-bills">
          <thead><tr><th>Bill</th><th>Status</th><th>That day</th><th>By</th><For each={WEIGHT_HEADERS}>{(h) => <th class="num">{h}</th>}</For><th>Destination</th></tr></thead>
          <tbody>
            <For each={props.report.bills}>
              {(b) => (
                <tr>
                  <td><A href={`/bills/${encodeURIComponent(b.billNumber)}`}>{b.billNumber}</A></td>
                  <td>{b.status}{b.isShort ? ' (short)' : ''}</td>
                  <td>{[b.isCreatedThatDay ? 'created' : '', b.isCompletedThatDay ? 'completed' : ''].filter(Boolean).join(', ')}</td>
                  <td>{b.completedBy ?? b.createdBy ?? '—'}</td>
                  <WeightCells row={{ parents: b.parentCount, children: b.childCount, actualWeightKg: b.actualWeightKg, expectedWeightKg: b.expectedWeightKg, varianceKg: b.varianceKg }} />
                  <td>{b.destination ?? ''}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>

      <h2 class="section-title">Returns, counted apart ({n(props.report.returns.parents)})</h2>
      <Show when={props.report.returns.parents > 0} fallback={<p class="muted">No parent came back on a return ticket that day.</p>}>
        <p data-testid="eod-returns">
          {n(props.report.returns.parents)} parents on {n(props.report.returns.tickets)} return tickets: {n(props.report.returns.children)} children,{' '}
          {n(props.report.returns.weightKg)} kg. The bills above no longer hold them.
        </p>
        <table class="table" data-testid="eod-returns-table">
          <thead><tr><th>Bill</th><th>Parent</th><th>Return ticket</th><th class="num">Children</th><th>By</th></tr></thead>
          <tbody>
            <For each={props.report.returns.items}>
              {(r) => (
                <tr>
                  <td><A href={`/bills/${encodeURIComponent(r.billNumber)}`}>{r.billNumber}</A></td>
                  <td>{r.parentCode}</td>
                  <td>{r.ticketNumber}</td>
                  <td class="num">{n(r.childrenBefore - r.childrenAfter)}</td>
                  <td>{r.returnedBy ?? '—'}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
