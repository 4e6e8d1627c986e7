import type { Area } from '@tracetrack/shared';
import { type Accessor, createSignal } from 'solid-js';
import { getMeta, setMeta } from '../../local-db/meta';
import { api } from '../trpc-client';

const [areas, setAreas] = createSignal<Area[]>([]);
let loading: Promise<void> | null = null;

/**
 * The areas come from the server (area.list) and are kept on the device, so names show offline.
 * Loaded once per app start: the stored list first, then the server's when it answers.
 */
function ensureLoaded(): Promise<void> {
  loading ??= (async () => {
    const stored = await getMeta('areas');
    if (stored && areas().length === 0) setAreas(stored);
    try {
      const fresh = await api.area.list.query();
      await setMeta('areas', fresh);
      setAreas(fresh);
    } catch {
      // Offline or signed out: the stored list stands; the next start asks again.
      loading = null;
    }
  })();
  return loading;
}

/** Every area with its display name, in the server's order (empty until the first list arrives). */
export function useAreas(): Accessor<Area[]> {
  void ensureLoaded();
  return areas;
}

/** "Sri Ganganagar" for `sri_ganganagar`; the key itself only while no list was ever loaded. */
export function areaName(code: string | null | undefined): string {
  if (!code) return '—';
  void ensureLoaded();
  return areas().find((a) => a.code === code)?.name ?? code;
}
