import { A, useLocation, useNavigate } from '@solidjs/router';
import type { BillListInput, BillMutationOutput, BillStatus } from '@tracetrack/shared';
import { normalizeCode } from '@tracetrack/shared/codes';
import { createResource, createSignal, Show } from 'solid-js';
import { ExportButton } from '../components/export-button';
import { OutcomeLines } from '../components/outcome-lines';
import { PagedList } from '../components/paged-list';
import { canUse, currentUser } from '../features/auth/session';
import type { BillListRow } from '../features/bills/bill-view';
import { createBill, fetchBillPage } from '../features/bills/bills';
import { countExport, exportHref } from '../features/exports/exports';
import { createOutcomeTracker, trackQueued } from '../features/sync/outcome-tracker';
import { formatNumber } from '../locale/format';

export default function Bills() {
  const navigate = useNavigate();
  const location = useLocation<{ notice?: string }>();
  const [filters, setFilters] = createSignal<Partial<BillListInput>>({});
  const canEdit = () => canUse(currentUser()?.role, 'editBills');
  const canExport = () => canUse(currentUser()?.role, 'admin');
  // The export holds what the list shows: the same filters, every page.
  const [exportCount] = createResource(() => (canExport() ? filters() : false), (filter) => countExport({ kind: 'bills', filter }));

  // A bill created here opens once the server has it; offline it stays queued, shown as saved.
  const tracker = createOutcomeTracker((o) => {
    const created = (o.data as BillMutationOutput | null)?.bill.billNumber;
    if (o.name === 'bill.create' && o.status !== 'rejected' && created) navigate(`/bills/${encodeURIComponent(created)}`);
  });

  const onCreate = async (e: SubmitEvent) => {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const billNumber = normalizeCode(text('billNumber'));
    const queued = await createBill({
      billNumber,
      capacity: Number(text('capacity')),
      ...(text('destination') ? { destination: text('destination') } : {}),
      ...(text('vehicleNumber') ? { vehicleNumber: text('vehicleNumber') } : {}),
      ...(text('description') ? { description: text('description') } : {}),
    });
    trackQueued(tracker, queued, billNumber, `creating bill ${billNumber}`);
    if (queued.ok) formEl.reset();
  };

  const onFilter = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    setFilters({
      ...(text('status') ? { status: text('status') as BillStatus } : {}),
      ...(text('search') ? { search: text('search') } : {}),
      ...(text('createdBy') ? { createdBy: text('createdBy') } : {}),
      ...(text('from') ? { from: new Date(`${text('from')}T00:00:00`).toISOString() } : {}),
      ...(text('to') ? { to: new Date(`${text('to')}T23:59:59`).toISOString() } : {}),
    });
  };

  return (
    <main class="page">
      <h1>Bills</h1>
      <Show when={location.state?.notice}>
        <p class="feedback feedback-ok" role="status" data-testid="bills-notice">{location.state?.notice}</p>
      </Show>
      <Show when={canEdit()}>
        <details class="card" open>
          <summary>New bill</summary>
          <form class="grid-form" onSubmit={(e) => void onCreate(e)}>
            <label for="bill-number">Bill number</label>
            <input id="bill-number" name="billNumber" required minlength={3} maxlength={50} autocomplete="off" />
            <label for="bill-capacity">Capacity (parent bags)</label>
            <input id="bill-capacity" name="capacity" type="number" min={1} max={500} required />
            <label for="bill-destination">Destination</label>
            <input id="bill-destination" name="destination" maxlength={200} />
            <label for="bill-vehicle">Vehicle number</label>
            <input id="bill-vehicle" name="vehicleNumber" maxlength={30} />
            <label for="bill-description">Description</label>
            <input id="bill-description" name="description" maxlength={500} />
            <button type="submit" class="button">Create bill</button>
          </form>
          <OutcomeLines items={tracker.items()} testId="bill-create-feedback" title="Earlier bills created here" />
        </details>
      </Show>

      <form class="filters" onSubmit={onFilter}>
        <label for="bill-filter-status">Status</label>
        <select id="bill-filter-status" name="status">
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="loading">Loading</option>
          <option value="completed">Completed</option>
        </select>
        <label for="bill-filter-search">Bill number</label>
        <input id="bill-filter-search" name="search" autocomplete="off" />
        <label for="bill-filter-user">Created by</label>
        <input id="bill-filter-user" name="createdBy" autocomplete="off" />
        <label for="bill-filter-from">From</label>
        <input id="bill-filter-from" name="from" type="date" />
        <label for="bill-filter-to">To</label>
        <input id="bill-filter-to" name="to" type="date" />
        <button type="submit" class="button">Filter</button>
      </form>

      <Show when={canExport()}>
        <ExportButton what="bills" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('bills', format, filters())} />
      </Show>
      <PagedList<BillListRow, Partial<BillListInput>>
        filters={filters}
        load={fetchBillPage}
        testId="bills-table"
        empty="No bills match these filters."
        head={
          <tr>
            <th>Bill</th>
            <th>Status</th>
            <th>Parents</th>
            <th>Actual / expected kg</th>
            <th>Destination</th>
          </tr>
        }
        row={(b) => (
          <tr>
            <td>
              <A href={`/bills/${encodeURIComponent(b.billNumber)}`}>{b.billNumber}</A>
            </td>
            <td>
              {b.status}
              {b.isShort ? ' (short)' : ''}
            </td>
            <td>
              {b.parentCount}/{b.capacity}
            </td>
            <td>
              {formatNumber(b.actualWeightKg)} / {formatNumber(b.expectedWeightKg)}
            </td>
            <td>{b.destination ?? ''}</td>
          </tr>
        )}
      />
    </main>
  );
}
