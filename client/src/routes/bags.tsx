import { A } from '@solidjs/router';
import type { Bag, BagListInput } from '@tracetrack/shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { ExportButton } from '../components/export-button';
import { PagedList } from '../components/paged-list';
import { areaName, useAreas } from '../features/areas/areas';
import { canUse, currentUser } from '../features/auth/session';
import { fetchBagPage } from '../features/bags/bags';
import { countExport, exportHref } from '../features/exports/exports';
import { formatDateTime } from '../locale/format';

const yesNo = (v: FormDataEntryValue | null) => (v === 'yes' ? true : v === 'no' ? false : undefined);

export default function Bags() {
  const [filters, setFilters] = createSignal<Partial<BagListInput>>({});
  const areas = useAreas();
  const isDispatcher = () => currentUser()?.role === 'dispatcher';
  const canExport = () => canUse(currentUser()?.role, 'admin');
  // The export holds what the list shows: the same filters, every page.
  const [exportCount] = createResource(() => (canExport() ? filters() : false), (filter) => countExport({ kind: 'bags', filter }));

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const next: Partial<BagListInput> = {};
    if (text('code')) {
      next.code = text('code');
      next.codeMatch = text('codeMatch') === 'prefix' ? 'prefix' : 'contains';
    }
    if (text('type')) next.type = text('type') as 'parent' | 'child';
    const linked = yesNo(f.get('linked'));
    if (linked !== undefined) next.linked = linked;
    const billed = yesNo(f.get('billed'));
    if (billed !== undefined) next.billed = billed;
    if (text('from')) next.from = new Date(`${text('from')}T00:00:00`).toISOString();
    if (text('to')) next.to = new Date(`${text('to')}T23:59:59`).toISOString();
    if (text('area')) next.area = text('area');
    if (text('scannedBy')) next.scannedBy = text('scannedBy');
    setFilters(next);
  };

  return (
    <main class="page">
      <h1>Bags</h1>
      <Show when={isDispatcher()}>
        <p class="muted">Bags of {areaName(currentUser()?.area)}</p>
      </Show>
      <form class="filters" onSubmit={onSubmit}>
        <label for="bags-code">Code</label>
        <input id="bags-code" name="code" autocomplete="off" autocapitalize="characters" minlength={3} maxlength={20} placeholder="3 or more characters" />
        <label for="bags-code-match">Match</label>
        <select id="bags-code-match" name="codeMatch">
          <option value="contains">Contains</option>
          <option value="prefix">Starts with</option>
        </select>
        <label for="bags-type">Type</label>
        <select id="bags-type" name="type">
          <option value="">All</option>
          <option value="parent">Parents</option>
          <option value="child">Children</option>
        </select>
        <label for="bags-linked">Linked</label>
        <select id="bags-linked" name="linked">
          <option value="">Any</option>
          <option value="yes">Linked</option>
          <option value="no">Unlinked</option>
        </select>
        <label for="bags-billed">Billed</label>
        <select id="bags-billed" name="billed">
          <option value="">Any</option>
          <option value="yes">Billed</option>
          <option value="no">Unbilled</option>
        </select>
        <label for="bags-from">From</label>
        <input id="bags-from" name="from" type="date" />
        <label for="bags-to">To</label>
        <input id="bags-to" name="to" type="date" />
        <Show when={!isDispatcher()}>
          <label for="bags-area">Area</label>
          <select id="bags-area" name="area">
            <option value="">All areas</option>
            <For each={areas()}>{(a) => <option value={a.code}>{a.name}</option>}</For>
          </select>
        </Show>
        <label for="bags-user">Scanned by</label>
        <input id="bags-user" name="scannedBy" autocomplete="off" />
        <button type="submit" class="button">Apply</button>
      </form>
      <Show when={canExport()}>
        <ExportButton what="bags" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('bags', format, filters())} />
      </Show>
      <PagedList<Bag, Partial<BagListInput>>
        filters={filters}
        load={fetchBagPage}
        testId="bags-table"
        empty="No bags match these filters."
        head={
          <tr>
            <th>Code</th>
            <th>Type</th>
            <th>Children / parent</th>
            <th>Bill</th>
            <th>Area</th>
            <th>By</th>
            <th>Registered</th>
          </tr>
        }
        row={(b) => (
          <tr>
            <td>
              <A href={`/search?code=${encodeURIComponent(b.code)}`}>{b.code}</A>
            </td>
            <td>{b.type}</td>
            <td>{b.type === 'parent' ? `${b.childCount}/${b.capacity}` : (b.parentCode ?? '—')}</td>
            <td>{b.billNumber ?? '—'}</td>
            <td>{areaName(b.area)}</td>
            <td>{b.createdBy ?? '—'}</td>
            <td>{formatDateTime(b.createdAt)}</td>
          </tr>
        )}
      />
    </main>
  );
}
