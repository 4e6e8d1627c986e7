import type { Accessor } from 'solid-js';

export interface AreaChoice {
  code: string;
  name: string;
}

/**
 * The dispatch areas for the user forms. The app's area list served by the server
 * (features/areas/areas.ts with area.list) replaces this at merge; until then the users screen
 * needs the ten areas the first migration seeds, with the same display names.
 */
const AREAS: readonly AreaChoice[] = [
  { code: 'lucknow', name: 'Lucknow' },
  { code: 'indore', name: 'Indore' },
  { code: 'jaipur', name: 'Jaipur' },
  { code: 'hisar', name: 'Hisar' },
  { code: 'sri_ganganagar', name: 'Sri Ganganagar' },
  { code: 'sangaria', name: 'Sangaria' },
  { code: 'bathinda', name: 'Bathinda' },
  { code: 'raipur', name: 'Raipur' },
  { code: 'ranchi', name: 'Ranchi' },
  { code: 'akola', name: 'Akola' },
];

export function useAreas(): Accessor<readonly AreaChoice[]> {
  return () => AREAS;
}

export function areaName(code: string | null | undefined): string {
  if (!code) return '—';
  return AREAS.find((a) => a.code === code)?.name ?? code;
}
