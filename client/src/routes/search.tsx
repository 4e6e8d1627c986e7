import { A, useSearchParams } from '@solidjs/router';
import type { BagDetail } from '@tracetrack/shared';
import { createEffect, createSignal, For, Show } from 'solid-js';
import { BagAdminTools } from '../components/bag-admin-tools';
import { fetchBag } from '../features/bags/bags';
import { describeFailure } from '../features/trpc-client';
import { useWedgeScanner } from '../scanner/use-wedge';

export default function Search() {
  const [params, setParams] = useSearchParams<{ code?: string }>();
  const [detail, setDetail] = createSignal<BagDetail | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const load = (code: string) => {
    setError(null);
    fetchBag(code).then(setDetail, (e) => {
      setDetail(null);
      setError(describeFailure(e).message);
    });
  };
  createEffect(() => {
    const code = params.code;
    if (code) load(code);
  });
  useWedgeScanner((scan) => setParams({ code: scan.code }));

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    if (code) setParams({ code });
  };

  return (
    <main class="page">
      <h1>Search a bag</h1>
      <form class="row" onSubmit={onSubmit}>
        <label for="search-code">Bag code</label>
        <input id="search-code" name="code" value={params.code ?? ''} autocomplete="off" autocapitalize="characters" />
        <button type="submit" class="button">Search</button>
      </form>
      <Show when={error()}>
        <p class="error">{error()}</p>
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
            <BagAdminTools code={d().bag.code} type={d().bag.type} area={d().bag.area} childCount={d().bag.childCount ?? 0} onMoved={() => load(d().bag.code)} />
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
