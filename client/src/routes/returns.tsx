import { A, useNavigate } from '@solidjs/router';
import { RETURN_NOTES_MAX, type ReturnListInput, type ReturnTicketStatus } from '@tracetrack/shared';
import { createSignal, Show } from 'solid-js';
import { AreaOptions } from '../components/area-options';
import { ExportButton } from '../components/export-button';
import { PagedList } from '../components/paged-list';
import { areaName } from '../features/areas/areas';
import { exportHref } from '../features/exports/exports';
import { createTicket, fetchTicketPage, type TicketListRow } from '../features/returns/returns';
import { formatDateTime, formatKg, formatNumber } from '../locale/format';

const STATUS_WORDS: Record<TicketListRow['status'], string> = { open: 'open', committed: 'finalised', cancelled: 'cancelled', waiting: 'waiting to be sent' };

/** Return tickets: the list with its filters and export, and a new ticket (works offline). */
export default function Returns() {
  const navigate = useNavigate();
  const [filters, setFilters] = createSignal<Partial<ReturnListInput>>({});
  const [area, setArea] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);

  const onCreate = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const notes = String(form.get('notes') ?? '').trim();
    if (!area()) return setError('Choose the C&F location the bags came back to.');
    const { ticketId, queued } = await createTicket(area(), notes);
    if (!queued.ok) return setError(queued.message);
    navigate(`/returns/${ticketId}`);
  };

  const onFilter = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    setFilters({
      ...(text('status') ? { status: text('status') as ReturnTicketStatus } : {}),
      ...(text('area') ? { area: text('area') } : {}),
      ...(text('from') ? { from: new Date(`${text('from')}T00:00:00`).toISOString() } : {}),
      ...(text('to') ? { to: new Date(`${text('to')}T23:59:59`).toISOString() } : {}),
    });
  };

  return (
    <main class="page">
      <h1>Return tickets</h1>
      <p class="muted">Parent bags sent back by dealers: each one scanned onto a ticket leaves the bill it went out on, and the bill keeps a record of it.</p>
      <details class="card" open>
        <summary>New return ticket</summary>
        <form class="grid-form" onSubmit={(e) => void onCreate(e)}>
          <label for="return-area">C&amp;F location</label>
          <select id="return-area" name="area" required value={area()} onChange={(e) => setArea(e.currentTarget.value)}>
            <option value="">Choose…</option>
            <AreaOptions selected={area()} />
          </select>
          <label for="return-notes">Notes (optional)</label>
          <textarea id="return-notes" name="notes" maxlength={RETURN_NOTES_MAX} rows={2} />
          <button type="submit" class="button">Open ticket and scan</button>
        </form>
        <Show when={error()}>
          <p class="error" role="alert">{error()}</p>
        </Show>
      </details>

      <form class="filters" onSubmit={onFilter}>
        <label for="return-filter-status">Status</label>
        <select id="return-filter-status" name="status">
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="committed">Finalised</option>
          <option value="cancelled">Cancelled</option>
        </select>
        <label for="return-filter-area">Location</label>
        <select id="return-filter-area" name="area">
          <option value="">All</option>
          <AreaOptions selected={null} />
        </select>
        <label for="return-filter-from">From</label>
        <input id="return-filter-from" name="from" type="date" />
        <label for="return-filter-to">To</label>
        <input id="return-filter-to" name="to" type="date" />
        <button type="submit" class="button">Filter</button>
      </form>

      <ExportButton what="return tickets" hasCount={false} summary="the return tickets these filters show" hrefOf={(format) => exportHref('returns', format, filters())} />
      <PagedList<TicketListRow, Partial<ReturnListInput>>
        filters={filters}
        load={fetchTicketPage}
        testId="returns-table"
        empty="No return tickets match these filters."
        head={
          <tr>
            <th>Ticket</th>
            <th>Status</th>
            <th>Location</th>
            <th>Parents</th>
            <th>Weight</th>
            <th>Opened</th>
          </tr>
        }
        row={(t) => (
          <tr>
            <td>
              <A href={`/returns/${t.ticketId}`}>{t.number ?? 'New ticket (not sent yet)'}</A>
            </td>
            <td>{STATUS_WORDS[t.status]}</td>
            <td>{areaName(t.area)}</td>
            <td>{formatNumber(t.parentCount)}</td>
            <td>{formatKg(t.weightKg)}</td>
            <td>{t.createdAt ? formatDateTime(t.createdAt) : ''}</td>
          </tr>
        )}
      />
    </main>
  );
}
