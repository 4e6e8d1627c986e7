import { type Accessor, createEffect, createSignal, For, type JSX, on, Show } from 'solid-js';
import { describeFailure } from '../api/trpc';

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
  /** Shown above the table, e.g. that the rows come from the device while offline. */
  note?: string;
}

export type PageLoader<T, F> = (filters: F, cursor: string | null) => Promise<ListPage<T>>;

/** A paged list's state, for a screen that also changes rows or reloads on its own events. */
export interface Paging<T> {
  items: Accessor<T[]>;
  /** Shows rows changed here (one edited or created) until the next load. */
  setItems: (items: T[]) => void;
  note: Accessor<string | null>;
  /** The failed load's sentence: the error's message (a loader throws the words to show). */
  error: Accessor<string | null>;
  isLoading: Accessor<boolean>;
  hasLoaded: Accessor<boolean>;
  hasMore: Accessor<boolean>;
  /** The first page again, with the same filters. */
  reload: () => void;
  loadMore: () => void;
}

/**
 * Keyset paging: loads the first page whenever the filters change (set a new object to reload) or
 * on `reload()`, and appends the next page on `loadMore()`. Only the newest request's answer is
 * shown: an answer to an older one (filters changed meanwhile) never replaces a newer one's rows.
 */
export function createPaging<T, F>(filters: Accessor<F>, loadPage: PageLoader<T, F>): Paging<T> {
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
      const page = await loadPage(filters(), isMore ? cursor() : null);
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
  createEffect(on(filters, () => void load(false)));

  return {
    items,
    setItems: (next) => setItems(next),
    note,
    error,
    isLoading,
    hasLoaded,
    hasMore: () => cursor() !== null,
    reload: () => void load(false),
    loadMore: () => void load(true),
  };
}

/**
 * What every paged list shows around its rows (a table, or a list given as children): the note,
 * the failure, the sentence for no rows and the button for the next page.
 */
export function PagedFrame<T>(props: { paging: Paging<T>; empty?: string; moreLabel?: string; children: JSX.Element }) {
  return (
    <>
      <Show when={props.paging.note()}>
        <p class="notice" data-testid="list-note">{props.paging.note()}</p>
      </Show>
      <Show when={props.paging.error()}>
        <p class="error" role="alert">{props.paging.error()}</p>
      </Show>
      {props.children}
      <Show when={props.paging.hasLoaded() && props.paging.items().length === 0 && !props.paging.error()}>
        <p class="muted">{props.empty ?? 'Nothing matches these filters.'}</p>
      </Show>
      <Show when={props.paging.hasMore()}>
        <button type="button" class="button" disabled={props.paging.isLoading()} onClick={() => props.paging.loadMore()}>
          {props.paging.isLoading() ? 'Loading…' : (props.moreLabel ?? 'Load more')}
        </button>
      </Show>
    </>
  );
}

/** Either the filters and a loader (the list pages itself) or a screen's own `createPaging`. */
type PagedSource<T, F> = { paging: Paging<T> } | { filters: Accessor<F>; load: PageLoader<T, F> };

/**
 * The paged table every list screen uses: the screen owns its filters form and gives a signal of
 * the filters and its feature's loader (or its own `createPaging`, to change rows or reload); this
 * shows the rows and appends the next page on "Load more" (keyset cursors from the server).
 */
export function PagedList<T, F>(
  props: PagedSource<T, F> & {
    /** The header cells, in a <tr>. */
    head: JSX.Element;
    row: (item: T) => JSX.Element;
    testId?: string;
    empty?: string;
    moreLabel?: string;
    /** Wraps the table in a region that scrolls sideways on a narrow screen, named by this id's text. */
    scrollLabelledBy?: string;
  },
) {
  const paging = 'paging' in props ? props.paging : createPaging(props.filters, props.load);
  const table = () => (
    <table class="table" data-testid={props.testId}>
      <thead>{props.head}</thead>
      <tbody>
        <For each={paging.items()}>{(item) => props.row(item)}</For>
      </tbody>
    </table>
  );
  return (
    <PagedFrame paging={paging} empty={props.empty} moreLabel={props.moreLabel}>
      <Show when={props.scrollLabelledBy} fallback={table()}>
        {(id) => (
          <div class="table-scroll" tabindex="0" role="region" aria-labelledby={id()}>
            {table()}
          </div>
        )}
      </Show>
    </PagedFrame>
  );
}
