import { type Accessor, createEffect, createSignal, For, type JSX, on, Show } from 'solid-js';
import { describeFailure } from '../features/trpc-client';

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
  /** Shown above the table, e.g. that the rows come from the device while offline. */
  note?: string;
}

/**
 * The paged list every list screen uses: the screen owns its filters form and gives a signal of
 * the filters; this loads the first page whenever they change (set a new object to reload), shows
 * the rows, and appends the next page on "Load more" (keyset cursors from the server).
 */
export function PagedList<T, F>(props: {
  filters: Accessor<F>;
  load: (filters: F, cursor: string | null) => Promise<ListPage<T>>;
  /** The header cells, in a <tr>. */
  head: JSX.Element;
  row: (item: T) => JSX.Element;
  testId?: string;
  empty?: string;
}) {
  const [items, setItems] = createSignal<T[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [note, setNote] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [isLoading, setLoading] = createSignal(false);
  const [hasLoaded, setLoaded] = createSignal(false);
  let generation = 0;

  const load = async (isMore: boolean) => {
    const mine = ++generation;
    setLoading(true);
    setError(null);
    try {
      const page = await props.load(props.filters(), isMore ? cursor() : null);
      if (mine !== generation) return;
      setItems(isMore ? [...items(), ...page.items] : page.items);
      setCursor(page.nextCursor);
      setNote(page.note ?? null);
      setLoaded(true);
    } catch (e) {
      if (mine === generation) setError(describeFailure(e).message);
    } finally {
      if (mine === generation) setLoading(false);
    }
  };
  createEffect(on(props.filters, () => void load(false)));

  return (
    <>
      <Show when={note()}>
        <p class="notice" data-testid="list-note">{note()}</p>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">{error()}</p>
      </Show>
      <table class="table" data-testid={props.testId}>
        <thead>{props.head}</thead>
        <tbody>
          <For each={items()}>{(item) => props.row(item)}</For>
        </tbody>
      </table>
      <Show when={hasLoaded() && items().length === 0 && !error()}>
        <p class="muted">{props.empty ?? 'Nothing matches these filters.'}</p>
      </Show>
      <Show when={cursor()}>
        <button type="button" class="button" disabled={isLoading()} onClick={() => void load(true)}>
          {isLoading() ? 'Loading…' : 'Load more'}
        </button>
      </Show>
    </>
  );
}
