import { CHILD_WEIGHT_KG, formatSpec } from './codes';

/** Per-format tally of the parents on a bill: how many parents and how many children they hold. */
export interface FormatTally {
  format: string;
  parents: number;
  children: number;
}

export interface BillWeights {
  parentCount: number;
  childCount: number;
  actualWeightKg: number;
  expectedWeightKg: number;
  varianceKg: number;
}

/** The one formula for bill weights (RULES.md, bills): actual = children × 1 kg, expected = Σ format full weight. */
export function computeBillWeights(tallies: readonly FormatTally[]): BillWeights {
  let parentCount = 0;
  let childCount = 0;
  let expectedWeightKg = 0;
  for (const t of tallies) {
    parentCount += t.parents;
    childCount += t.children;
    expectedWeightKg += t.parents * (formatSpec(t.format)?.fullWeightKg ?? 0);
  }
  const actualWeightKg = childCount * CHILD_WEIGHT_KG;
  return { parentCount, childCount, actualWeightKg, expectedWeightKg, varianceKg: actualWeightKg - expectedWeightKg };
}

export function parentActualWeightKg(childCount: number): number {
  return childCount * CHILD_WEIGHT_KG;
}
