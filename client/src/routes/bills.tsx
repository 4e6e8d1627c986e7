import { A, useNavigate } from '@solidjs/router';
import type { BillFilter, BillStatus, BillSummary } from '@tracetrack/shared';
import { createResource, createSignal, For, onMount, Show } from 'solid-js';
import { ExportButton } from '../components/export-button';
import { canUse, currentUser } from '../features/auth/session';
import { createBill, fetchBills } from '../features/bills/bills';
import { countExport, exportHref } from '../features/exports/exports';
import { describeFailure } from '../features/trpc-client';

export default function Bills() {
  const navigate = useNavigate();
  const [items, setItems] = createSignal<BillSummary[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [createError, setCreateError] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal<BillStatus | ''>('');
  const [search, setSearch] = createSignal('');
  const [createdBy, setCreatedBy] = createSignal('');
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [isCreating, setCreating] = createSignal(false);
  const canEdit = () => canUse(currentUser()?.role, 'editBills');
  const canExport = () => canUse(currentUser()?.role, 'admin');
  /** The filter of the rows on screen: what the export and its count use. */
  const [applied, setApplied] = createSignal<BillFilter>({});
  const [exportCount] = createResource(() => (canExport() ? applied() : false), (filter) => countExport({ kind: 'bills', filter }));

  const load = async (more = false) => {
    setError(null);
    const filter: BillFilter = {
      ...(status() ? { status: status() as BillStatus } : {}),
      ...(search().trim() ? { search: search().trim() } : {}),
      ...(createdBy().trim() ? { createdBy: createdBy().trim() } : {}),
      ...(from() ? { from: new Date(`${from()}T00:00:00`).toISOString() } : {}),
      ...(to() ? { to: new Date(`${to()}T23:59:59`).toISOString() } : {}),
    };
    try {
      const page = await fetchBills({ ...filter, ...(more && cursor() ? { cursor: cursor()! } : {}) });
      if (!more) setApplied(filter);
      setItems(more ? [...items(), ...page.items] : page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeFailure(e).message);
    }
  };
  onMount(() => void load());

  const onCreate = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    setCreateError(null);
    setCreating(true);
    const res = await createBill({
      billNumber: text('billNumber'),
      capacity: Number(text('capacity')),
      ...(text('destination') ? { destination: text('destination') } : {}),
      ...(text('vehicleNumber') ? { vehicleNumber: text('vehicleNumber') } : {}),
      ...(text('description') ? { description: text('description') } : {}),
    });
    setCreating(false);
    if (res.state === 'done') navigate(`/bills/${encodeURIComponent(res.bill.billNumber)}`);
    else setCreateError(res.message);
  };

  return (
    <main class="page">
      <h1>Bills</h1>
      <Show when={canEdit()}>
        <details class="card" open={items().length === 0}>
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
            <button type="submit" class="button" disabled={isCreating()}>
              {isCreating() ? 'Creating…' : 'Create bill'}
            </button>
            <Show when={createError()}>
              <p class="error" role="alert">{createError()}</p>
            </Show>
          </form>
        </details>
      </Show>

      <form class="filters" onSubmit={(e) => (e.preventDefault(), void load())}>
        <label for="bill-filter-status">Status</label>
        <select id="bill-filter-status" value={status()} onChange={(e) => (setStatus(e.currentTarget.value as BillStatus | ''), void load())}>
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="loading">Loading</option>
          <option value="completed">Completed</option>
        </select>
        <label for="bill-filter-search">Bill number</label>
        <input id="bill-filter-search" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
        <label for="bill-filter-user">Created by</label>
        <input id="bill-filter-user" value={createdBy()} onInput={(e) => setCreatedBy(e.currentTarget.value)} autocomplete="off" />
        <label for="bill-filter-from">From</label>
        <input id="bill-filter-from" type="date" value={from()} onInput={(e) => setFrom(e.currentTarget.value)} />
        <label for="bill-filter-to">To</label>
        <input id="bill-filter-to" type="date" value={to()} onInput={(e) => setTo(e.currentTarget.value)} />
        <button type="submit" class="button">Filter</button>
      </form>

      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <Show when={canExport()}>
        <ExportButton what="bills" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('bills', format, applied())} />
      </Show>
      <table class="table">
        <thead>
          <tr>
            <th>Bill</th>
            <th>Status</th>
            <th>Parents</th>
            <th>Actual / expected kg</th>
            <th>Destination</th>
          </tr>
        </thead>
        <tbody>
          <For each={items()}>
            {(b) => (
              <tr>
                <td>
                  <A href={`/bills/${encodeURIComponent(b.billNumber)}`}>{b.billNumber}</A>
                </td>
                <td>{b.status}{b.isShort ? ' (short)' : ''}</td>
                <td>
                  {b.parentCount}/{b.capacity}
                </td>
                <td>
                  {b.actualWeightKg} / {b.expectedWeightKg}
                </td>
                <td>{b.destination ?? ''}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={cursor()}>
        <button type="button" class="button" onClick={() => void load(true)}>
          Load more
        </button>
      </Show>
    </main>
  );
}
