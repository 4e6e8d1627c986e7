import { A, useNavigate } from '@solidjs/router';
import type { LabelReservation } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { fetchReservations, reserveLabels } from '../features/labels/labels';

/** Admins reserve codes no bag has and no earlier reservation had, then print them. */
export default function Labels() {
  const navigate = useNavigate();
  const [kind, setKind] = createSignal<'parent' | 'child'>('parent');
  const [error, setError] = createSignal<string | null>(null);
  const [isSaving, setSaving] = createSignal(false);
  const [history, setHistory] = createSignal<LabelReservation[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [historyError, setHistoryError] = createSignal<string | null>(null);

  const loadHistory = async (more = false) => {
    const page = await fetchReservations(more ? (cursor() ?? undefined) : undefined);
    if ('error' in page) return setHistoryError(page.error);
    setHistoryError(null);
    setHistory(more ? [...history(), ...page.items] : page.items);
    setCursor(page.nextCursor);
  };
  onMount(() => void loadHistory());

  const onReserve = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const num = (k: string) => Number(String(form.get(k) ?? '').trim());
    setError(null);
    setSaving(true);
    const result = await reserveLabels(
      kind() === 'parent'
        ? { kind: 'parent', format: String(form.get('format')) === 'M444' ? 'M444' : 'SB', count: num('count') }
        : { kind: 'child', prefix: String(form.get('prefix') ?? ''), firstNumber: num('firstNumber'), digits: num('digits'), count: num('count') },
    );
    setSaving(false);
    if ('error' in result) return setError(result.error);
    navigate(`/labels/${result.id}/print`);
  };

  return (
    <main class="page">
      <h1>Labels</h1>
      <section class="card">
        <h2 class="section-title">Reserve codes to print</h2>
        <form class="grid-form" onSubmit={(e) => void onReserve(e)}>
          <label for="label-kind">Codes</label>
          <select id="label-kind" name="kind" value={kind()} onChange={(e) => setKind(e.currentTarget.value === 'child' ? 'child' : 'parent')}>
            <option value="parent">Next parent codes of a format</option>
            <option value="child">A range of child codes</option>
          </select>
          <Show when={kind() === 'parent'}>
            <label for="label-format">Format</label>
            <select id="label-format" name="format">
              <option value="SB">SB (Mustard, 30 children)</option>
              <option value="M444">M444 (Moong, 15 children)</option>
            </select>
          </Show>
          <Show when={kind() === 'child'}>
            <label for="label-prefix">Prefix</label>
            <input id="label-prefix" name="prefix" maxlength={16} autocomplete="off" autocapitalize="characters" placeholder="optional, letters and digits" />
            <label for="label-first">First number</label>
            <input id="label-first" name="firstNumber" type="number" min={0} required value="1" />
            <label for="label-digits">Digits</label>
            <input id="label-digits" name="digits" type="number" min={1} max={12} required value="7" />
          </Show>
          <label for="label-count">How many</label>
          <input id="label-count" name="count" type="number" min={1} max={1000} required value="60" />
          <button type="submit" class="button" disabled={isSaving()}>
            {isSaving() ? 'Reserving…' : 'Reserve and print'}
          </button>
          <Show when={error()}>
            <p class="error" role="alert">{error()}</p>
          </Show>
        </form>
      </section>

      <h2 class="section-title">Reserved before</h2>
      <Show when={historyError()}>
        <p class="error">{historyError()}</p>
      </Show>
      <table class="table" data-testid="label-history">
        <thead>
          <tr><th>Codes</th><th class="num">Labels</th><th>By</th><th>When</th><th><span class="visually-hidden">Print</span></th></tr>
        </thead>
        <tbody>
          <For each={history()} fallback={<tr><td colSpan={5} class="muted">No codes reserved yet.</td></tr>}>
            {(r) => (
              <tr>
                <td>{r.firstCode} – {r.lastCode}</td>
                <td class="num">{r.count.toLocaleString('en-IN')}</td>
                <td>{r.createdBy ?? '—'}</td>
                <td>{new Date(r.createdAt).toLocaleString('en-IN')}</td>
                <td><A href={`/labels/${r.id}/print`} aria-label={`Print ${r.firstCode} to ${r.lastCode}`}>Print</A></td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={cursor()}>
        <button type="button" class="button" onClick={() => void loadHistory(true)}>Load more</button>
      </Show>
    </main>
  );
}
