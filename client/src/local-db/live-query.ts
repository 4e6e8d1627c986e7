import { liveQuery } from 'dexie';
import { type Accessor, createEffect, createSignal, onCleanup } from 'solid-js';

/**
 * The one bridge from Dexie to Solid: a signal that follows a live query, across tabs too.
 * `key` is read reactively; when it changes the query is re-subscribed with the new key.
 */
export function createLiveQuery<T, K = void>(query: (key: K) => T | Promise<T>, initial: T, key?: Accessor<K>): Accessor<T> {
  const [value, setValue] = createSignal<T>(initial);
  createEffect(() => {
    const k = key ? key() : (undefined as K);
    const subscription = liveQuery(() => query(k)).subscribe({
      next: (v) => setValue(() => v),
      error: (e) => console.error('live query failed', e),
    });
    onCleanup(() => subscription.unsubscribe());
  });
  return value;
}
