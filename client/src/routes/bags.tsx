import { A } from '@solidjs/router';
import type { Bag, BagListInput } from '@tracetrack/shared';
import { createResource, createSignal, For, onMount, Show } from 'solid-js';
import { ExportButton } from '../components/export-button';
import { canUse, currentUser } from '../features/auth/session';
import { fetchBags } from '../features/bags/bags';
import { countExport, exportHref } from '../features/exports/exports';
import { describeFailure } from '../features/trpc-client';

const AREAS = ['lucknow', 'indore', 'jaipur', 'hisar', 'sri_ganganagar', 'sangaria', 'bathinda', 'raipur', 'ranchi', 'akola'];

const yesNo = (v: FormDataEntryValue | null) => (v === 'yes' ? true : v === 'no' ? false : undefined);

export default function Bags() {
  const [items, setItems] = createSignal<Bag[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [filters, setFilters] = createSignal<Partial<BagListInput>>({});
  const [error, setError] = createSignal<string | null>(null);
  const isDispatcher = () => currentUser()?.role === 'dispatcher';
  const canExport = () => canUse(currentUser()?.role, 'admin');
  const exportFilter = () => {
    const { limit: _limit, cursor: _cursor, ...filter } = filters();
    return filter;
  };
  const [exportCount] = createResource(() => (canExport() ? exportFilter() : false), (filter) => countExport({ kind: 'bags', filter }));

  const load = async (more: boolean) => {
    setError(null);
    try {
      const area = isDispatcher() ? currentUser()?.area ?? undefined : filters().area;
      const page = await fetchBags({ ...filters(), ...(area ? { area } : {}), ...(more && cursor() ? { cursor: cursor()! } : {}) });
      setItems(more ? [...items(), ...page.items] : page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeFailure(e).message);
    }
  };
  onMount(() => void load(false));

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
    void load(false);
  };

  return (
    <main class="page">
      <h1>Bags</h1>
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
            <For each={AREAS}>{(a) => <option value={a}>{a}</option>}</For>
          </select>
        </Show>
        <label for="bags-user">Scanned by</label>
        <input id="bags-user" name="scannedBy" autocomplete="off" />
        <button type="submit" class="button">Apply</button>
      </form>
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <Show when={canExport()}>
        <ExportButton what="bags" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('bags', format, exportFilter())} />
      </Show>
      <table class="table" data-testid="bags-table">
        <thead>
          <tr>
            <th>Code</th>
            <th>Type</th>
            <th>Children / parent</th>
            <th>Bill</th>
            <th>Area</th>
            <th>By</th>
            <th>Registered</th>
          </tr>
        </thead>
        <tbody>
          <For each={items()}>
            {(b) => (
              <tr>
                <td>
                  <A href={`/search?code=${b.code}`}>{b.code}</A>
                </td>
                <td>{b.type}</td>
                <td>{b.type === 'parent' ? `${b.childCount}/${b.capacity}` : (b.parentCode ?? '—')}</td>
                <td>{b.billNumber ?? '—'}</td>
                <td>{b.area ?? '—'}</td>
                <td>{b.createdBy ?? '—'}</td>
                <td>{new Date(b.createdAt).toLocaleString()}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={cursor()}>
        <button type="button" class="button" onClick={() => void load(true)}>
          Next page
        </button>
      </Show>
    </main>
  );
}
