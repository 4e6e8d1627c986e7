import { For } from 'solid-js';
import { useAreas } from '../features/areas/areas';

/**
 * The dispatch areas as options, the chosen one marked. The list can arrive from the server after
 * the screen opened (the device's stored copy shows first), and re-made options would otherwise
 * drop what the person already chose, so the select's value lives in the caller's signal.
 */
export function AreaOptions(props: { selected: string | null | undefined; exclude?: string | null }) {
  const areas = useAreas();
  return (
    <For each={areas().filter((a) => a.code !== props.exclude)}>
      {(a) => (
        <option value={a.code} selected={a.code === props.selected}>
          {a.name}
        </option>
      )}
    </For>
  );
}
