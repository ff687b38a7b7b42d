/**
 * A last pass over a shrunk case: fast-check shrinks a schedule by removing runs of choices
 * and simplifying each, within a time budget, which can leave choices that play no part in
 * the failure (its array shrinker works on prefixes and chunks). This pass removes one
 * choice at a time, keeping each removal after which the case still fails the same
 * property, until no single choice can go (1-minimal). A run takes milliseconds, so the
 * pass costs about the square of the schedule's length in runs at most; it has a budget.
 */
import type { FuzzCase } from '../fuzz/case.js';

interface MinimiseBudget {
  /** Stops after this many runs, with the smallest failing case so far. */
  readonly runsMax: number;
  /** Or once this returns true (a time budget: liveness runs can be long). */
  readonly outOfTime: () => boolean;
}

const DEFAULT_BUDGET: MinimiseBudget = { runsMax: 2_000, outOfTime: () => false };

export const minimise = (
  fuzzCase: FuzzCase,
  stillFails: (candidate: FuzzCase) => boolean,
  budget: MinimiseBudget = DEFAULT_BUDGET,
): FuzzCase => {
  let best = fuzzCase;
  let runs = 0;
  const left = () => runs < budget.runsMax && !budget.outOfTime();
  for (let changed = true; changed && left(); ) {
    changed = false;
    for (let i = best.schedule.length - 1; i >= 0 && left(); i -= 1) {
      const candidate = { ...best, schedule: best.schedule.filter((_, j) => j !== i) };
      runs += 1;
      if (stillFails(candidate)) {
        best = candidate;
        changed = true;
      }
    }
  }
  return best;
};
