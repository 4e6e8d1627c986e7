/** The dashboard's counters: what a change adds to them, and the scope it counts in. */
export const COUNTER_NAMES = [
  'parents',
  'parents_full',
  'children',
  'linked_children',
  'billed_parents',
  'bills_open',
  'bills_loading',
  'bills_completed',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

/** Bags count in their dispatch area; bags without one (and bills) in this scope. */
export const NO_AREA_SCOPE = '-';
export const scopeOf = (area: string | null) => area ?? NO_AREA_SCOPE;

export interface CounterDelta {
  name: CounterName;
  scope: string;
  delta: number;
}
