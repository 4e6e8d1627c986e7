import { useSearchParams } from '@solidjs/router';
import { createMemo, createResource, For } from 'solid-js';
import { AuditEntry } from '../components/audit-entry';
import { ExportButton } from '../components/export-button';
import { createPaging, PagedFrame } from '../components/paged-list';
import { ACTION_SUGGESTIONS, type AuditFilters, fetchAuditPage } from '../features/accounts/audit';
import { countExport, exportHref } from '../features/exports/exports';

type FilterParams = { actor?: string; action?: string; entityType?: string; entityKey?: string; from?: string; to?: string };

/** Days typed in the form are whole local days: from the start of `from` to the end of `to`. */
function filtersOf(p: FilterParams): AuditFilters {
  const nextDay = (day: string) => {
    const d = new Date(`${day}T00:00:00`);
    d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  return {
    ...(p.actor ? { actor: p.actor } : {}),
    ...(p.action ? { action: p.action } : {}),
    ...(p.entityType ? { entityType: p.entityType } : {}),
    ...(p.entityType && p.entityKey ? { entityKey: p.entityKey } : {}),
    ...(p.from ? { from: new Date(`${p.from}T00:00:00`).toISOString() } : {}),
    ...(p.to ? { to: nextDay(p.to) } : {}),
  };
}

/**
 * The audit log, newest first, a page at a time. The filters live in the address, so a bag's or a
 * bill's history is a link (`/audit?entityType=bag&entityKey=SB00001`).
 */
export default function Audit() {
  const [params, setParams] = useSearchParams<FilterParams>();
  const current = (): FilterParams => ({
    actor: params.actor, action: params.action, entityType: params.entityType, entityKey: params.entityKey, from: params.from, to: params.to,
  });
  // A new object only when the filters change, so other changes to the address do not reload.
  const filters = createMemo(() => filtersOf(current()), undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  const paging = createPaging(filters, fetchAuditPage);
  // The download holds what the list shows: the same filters, every page.
  const [exportCount] = createResource(filters, (filter) => countExport({ kind: 'audit', filter }));

  const onFilter = (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim() || undefined;
    setParams({ actor: text('actor'), action: text('action'), entityType: text('entityType'), entityKey: text('entityKey'), from: text('from'), to: text('to') });
  };

  return (
    <main class="page">
      <h1>Audit log</h1>
      <form class="filters" onSubmit={onFilter} aria-label="Filter the audit log">
        <label for="audit-actor">By user</label>
        <input id="audit-actor" name="actor" value={params.actor ?? ''} maxlength={20} autocomplete="off" autocapitalize="off" />
        <label for="audit-action">Action</label>
        <input id="audit-action" name="action" list="audit-actions" value={params.action ?? ''} maxlength={72} autocomplete="off" autocapitalize="off" />
        <datalist id="audit-actions">
          <For each={ACTION_SUGGESTIONS}>{(a) => <option value={a} />}</For>
        </datalist>
        <label for="audit-entity-type">Entity</label>
        <select id="audit-entity-type" name="entityType">
          <option value="">Any</option>
          <For each={['user', 'bag', 'bill', 'return_ticket', 'device', 'promotion']}>{(t) => <option value={t} selected={params.entityType === t}>{t}</option>}</For>
        </select>
        <label for="audit-entity-key">Code, bill number or username</label>
        <input id="audit-entity-key" name="entityKey" value={params.entityKey ?? ''} maxlength={100} autocomplete="off" />
        <label for="audit-from">From</label>
        <input id="audit-from" name="from" type="date" value={params.from ?? ''} />
        <label for="audit-to">To</label>
        <input id="audit-to" name="to" type="date" value={params.to ?? ''} />
        <button type="submit" class="button">Filter</button>
        <button type="button" class="button button-quiet" onClick={() => setParams({ actor: undefined, action: undefined, entityType: undefined, entityKey: undefined, from: undefined, to: undefined })}>
          Clear filters
        </button>
      </form>
      <ExportButton what="the audit log" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('audit', format, filters())} />
      <PagedFrame paging={paging} empty="Nothing in the audit log matches these filters." moreLabel="Load older entries">
        <ul class="audit-list" data-testid="audit-list" aria-busy={paging.isLoading()}>
          <For each={paging.items()}>{(entry) => <AuditEntry entry={entry} />}</For>
        </ul>
      </PagedFrame>
    </main>
  );
}
