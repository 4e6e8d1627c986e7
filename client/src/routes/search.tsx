import { A, useSearchParams } from '@solidjs/router';
import type { Bag, BagDetail } from '@tracetrack/shared';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { BagAdminTools } from '../components/bag-admin-tools';
import { ChildrenList } from '../components/children-list';
import { ConfirmDialog } from '../components/confirm-dialog';
import { OutcomeLines } from '../components/outcome-lines';
import { areaName } from '../features/areas/areas';
import { isAllowedFor } from '../features/auth/session';
import { canUnlink, deleteBag, fetchBag, fetchBagPage, queueUnlink } from '../features/bags/bags';
import { createOutcomeTracker, trackQueued } from '../features/sync/outcome-tracker';
import { describeFailure } from '../api/trpc';
import { formatDateTime, formatNumber } from '../locale/format';
import { signal } from '../scanner/feedback';
import { useWedgeScanner } from '../scanner/use-wedge';
import { mutationWords } from '../features/words';

const PARTIAL_LIMIT = 50;

/** Only a bag that holds nothing, sits in nothing and is on no bill can be deleted. */
const isDeletable = (d: BagDetail) => (d.bag.type === 'child' ? d.parent === null : d.bag.childCount === 0 && d.bill === null);

export default function Search() {
  const [params, setParams] = useSearchParams<{ code?: string }>();
  const [detail, setDetail] = createSignal<BagDetail | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [matches, setMatches] = createSignal<{ text: string; bags: Bag[]; hasMore: boolean } | null>(null);
  const [notice, setNotice] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [isAskingDelete, setAskingDelete] = createSignal(false);
  const canDelete = () => isAllowedFor('bag.delete');

  // The exact code first (any area: scanners must see conflicts); with 3 or more characters, also
  // every code that contains them (the list's area rule applies).
  const load = async (code: string) => {
    const text = code.trim().toUpperCase();
    const isPartial = /^[A-Z0-9-]{3,20}$/.test(text);
    const [exact, partial] = await Promise.allSettled([
      fetchBag(code),
      isPartial ? fetchBagPage({ code: text, codeMatch: 'contains', limit: PARTIAL_LIMIT }, null) : null,
    ]);
    if (params.code !== code) return;
    setDetail(exact.status === 'fulfilled' ? exact.value : null);
    const others = partial.status === 'fulfilled' && partial.value ? partial.value.items.filter((b) => b.code !== text) : [];
    setMatches(partial.status === 'fulfilled' && partial.value ? { text, bags: others, hasMore: partial.value.nextCursor !== null } : null);
    if (exact.status === 'fulfilled' || others.length > 0) return setError(null);
    const f = describeFailure(exact.reason);
    setError(f.code ? f.message : 'No connection: looking up a bag needs the network.');
  };
  createEffect(on(() => params.code, (code) => {
    setNotice(null);
    if (code) void load(code);
  }));
  useWedgeScanner((scan) => setParams({ code: scan.code }));

  // An unlink's outcome changes the parent: look it up again.
  const tracker = createOutcomeTracker((o) => {
    signal(o.status === 'rejected' ? 'error' : 'ok');
    if (params.code) void load(params.code);
  });
  const unlink = async (childCode: string, parentCode: string) =>
    trackQueued(tracker, await queueUnlink(childCode), childCode, `unlinking ${childCode} from ${parentCode}`);

  const removeBag = async (code: string) => {
    setAskingDelete(false);
    const r = await deleteBag(code);
    setNotice({ ok: r.ok, text: r.message });
    if (r.ok) setDetail(null);
  };

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    if (code) setParams({ code });
  };

  return (
    <main class="page">
      <h1>Search bags</h1>
      <form class="row" onSubmit={onSubmit}>
        <label for="search-code">Bag code, or 3+ characters of it</label>
        <input id="search-code" name="code" value={params.code ?? ''} autocomplete="off" autocapitalize="characters" />
        <button type="submit" class="button">Search</button>
      </form>
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
      <Show when={matches() && matches()!.bags.length > 0 ? matches() : null}>
        {(m) => (
          <section data-testid="bag-matches">
            <h2>
              Codes containing {m().text} {m().hasMore ? `(first ${PARTIAL_LIMIT})` : `(${formatNumber(m().bags.length)})`}
            </h2>
            <ul class="chips">
              <For each={m().bags}>
                {(b) => (
                  <li>
                    <A href={`/search?code=${encodeURIComponent(b.code)}`}>{b.code}</A>{' '}
                    <span class="muted">{b.type}{b.parentCode ? ` in ${b.parentCode}` : ''}</span>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </Show>
      <Show when={notice()}>
        {(n) => (
          <p class={`feedback feedback-${n().ok ? 'ok' : 'error'}`} data-testid="search-notice" role="alert">
            {n().text}
          </p>
        )}
      </Show>
      <Show when={detail()}>
        {(d) => (
          <section data-testid="bag-detail">
            <h2>
              {d().bag.code} <span class="muted">({d().bag.type}{d().bag.format ? `, ${d().bag.format}` : ''})</span>
            </h2>
            <p>
              Area {areaName(d().bag.area)} · {formatNumber(d().bag.weightKg)} kg · registered by {d().bag.createdBy ?? '—'} on {formatDateTime(d().bag.createdAt)}
            </p>
            <BagAdminTools code={d().bag.code} type={d().bag.type} area={d().bag.area} childCount={d().bag.childCount ?? 0} onMoved={() => void load(d().bag.code)} />
            <Show when={d().bag.type === 'parent'}>
              <p>
                Children <span data-testid="bag-children-count">{d().bag.childCount}/{d().bag.capacity}</span> ({d().bag.status})
              </p>
            </Show>
            <Show when={d().parent}>{(p) => <p>In parent <A href={`/search?code=${encodeURIComponent(p().code)}`}>{p().code}</A></p>}</Show>
            <Show when={d().bill}>
              {(b) => (
                <p>
                  On bill <A href={`/bills/${encodeURIComponent(b().billNumber)}`}>{b().billNumber}</A> ({b().status})
                </p>
              )}
            </Show>
            <OutcomeLines items={tracker.items()} testId="unlink-feedback" title="Earlier unlinks" />
            <Show when={d().children.length > 0}>
              <h3>Children</h3>
              <ChildrenList
                parentCode={d().bag.code}
                items={d().children}
                canUnlink={(c) => canUnlink(c, d().bill?.status ?? null)}
                isUnlinking={(code) => tracker.isWaiting('child.unlink', code)}
                onUnlink={(code) => void unlink(code, d().bag.code)}
              />
            </Show>
            <Show when={canDelete() && isDeletable(d())}>
              <button type="button" class="button button-danger" onClick={() => setAskingDelete(true)}>
                Delete bag {d().bag.code}
              </button>
            </Show>
            <Show when={isAskingDelete()}>
              <ConfirmDialog title={`Delete ${d().bag.code}?`} confirmText="Delete bag" onConfirm={() => void removeBag(d().bag.code)} onCancel={() => setAskingDelete(false)}>
                <p>The bag is removed for good; the deletion is kept in the audit log. This cannot be undone.</p>
              </ConfirmDialog>
            </Show>
            <h3>History</h3>
            <table class="table" tabindex="0" aria-label="History">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th>Result</th>
                  <th>Who</th>
                </tr>
              </thead>
              <tbody>
                <For each={d().events}>
                  {(ev) => (
                    <tr>
                      <td>{formatDateTime(ev.serverTime)}</td>
                      <td>{mutationWords(ev.name)}</td>
                      <td>{ev.message}</td>
                      <td>{ev.username ?? '—'}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>
        )}
      </Show>
    </main>
  );
}
