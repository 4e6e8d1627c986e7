import { A, useSearchParams } from '@solidjs/router';
import type { Bag, BagDetail } from '@tracetrack/shared';
import { createEffect, createSignal, For, Show } from 'solid-js';
import { fetchBag, fetchBags } from '../features/bags/bags';
import { describeFailure } from '../features/trpc-client';
import { useWedgeScanner } from '../scanner/use-wedge';

const PARTIAL_LIMIT = 50;

export default function Search() {
  const [params, setParams] = useSearchParams<{ code?: string }>();
  const [detail, setDetail] = createSignal<BagDetail | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [matches, setMatches] = createSignal<{ text: string; bags: Bag[]; hasMore: boolean } | null>(null);

  // The exact code first (any area: scanners must see conflicts); with 3 or more characters, also
  // every code that contains them (the list's area rule applies).
  createEffect(() => {
    const code = params.code;
    if (!code) return;
    setError(null);
    setMatches(null);
    const text = code.trim().toUpperCase();
    const isPartial = /^[A-Z0-9-]{3,20}$/.test(text);
    void Promise.allSettled([fetchBag(code), isPartial ? fetchBags({ code: text, codeMatch: 'contains', limit: PARTIAL_LIMIT }) : null]).then(([exact, partial]) => {
      if (params.code !== code) return;
      setDetail(exact.status === 'fulfilled' ? exact.value : null);
      const others = partial.status === 'fulfilled' && partial.value ? partial.value.items.filter((b) => b.code !== text) : [];
      if (partial.status === 'fulfilled' && partial.value) setMatches({ text, bags: others, hasMore: partial.value.nextCursor !== null });
      if (exact.status === 'rejected' && others.length === 0) setError(describeFailure(exact.reason).message);
    });
  });
  useWedgeScanner((scan) => setParams({ code: scan.code }));

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
              Codes containing {m().text} {m().hasMore ? `(first ${PARTIAL_LIMIT})` : `(${m().bags.length})`}
            </h2>
            <ul class="chips">
              <For each={m().bags}>
                {(b) => (
                  <li>
                    <A href={`/search?code=${b.code}`}>{b.code}</A> <span class="muted">{b.type}{b.parentCode ? ` in ${b.parentCode}` : ''}</span>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </Show>
      <Show when={detail()}>
        {(d) => (
          <section data-testid="bag-detail">
            <h2>
              {d().bag.code} <span class="muted">({d().bag.type}{d().bag.format ? `, ${d().bag.format}` : ''})</span>
            </h2>
            <p>
              Area {d().bag.area ?? '—'} · {d().bag.weightKg} kg · registered by {d().bag.createdBy ?? '—'} on {new Date(d().bag.createdAt).toLocaleString()}
            </p>
            <Show when={d().bag.type === 'parent'}>
              <p>
                Children {d().bag.childCount}/{d().bag.capacity} ({d().bag.status})
              </p>
            </Show>
            <Show when={d().parent}>{(p) => <p>In parent <A href={`/search?code=${p().code}`}>{p().code}</A></p>}</Show>
            <Show when={d().bill}>
              {(b) => (
                <p>
                  On bill <A href={`/bills/${encodeURIComponent(b().billNumber)}`}>{b().billNumber}</A> ({b().status})
                </p>
              )}
            </Show>
            <Show when={d().children.length > 0}>
              <h3>Children</h3>
              <ul class="chips">
                <For each={d().children}>{(c) => <li><A href={`/search?code=${c.code}`}>{c.code}</A></li>}</For>
              </ul>
            </Show>
            <h3>History</h3>
            <table class="table">
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
                      <td>{new Date(ev.serverTime).toLocaleString()}</td>
                      <td>{ev.name}</td>
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
