/**
 * A last pass over a shrunk case: fast-check shrinks a schedule by removing runs of choices
 * and simplifying each, within a time budget, which can leave choices that play no part in
 * the failure (its array shrinker works on prefixes and chunks). This pass removes one
 * choice at a time, keeping each removal after which the case still fails the same
 * property, until no single choice can go (1-minimal). A run takes milliseconds, so the
 * pass costs about the square of the schedule's length in runs at most; it has a budget.
 */
import type { FuzzCase } from '../fuzz/case.js';

/** Stops after this many runs, with the smallest failing case so far. */
const RUNS_MAX = 2_000;

export const minimise = (
  fuzzCase: FuzzCase,
  stillFails: (candidate: FuzzCase) => boolean,
  runsMax = RUNS_MAX,
): FuzzCase => {
  let best = fuzzCase;
  let runs = 0;
  for (let changed = true; changed && runs < runsMax; ) {
    changed = false;
    for (let i = best.schedule.length - 1; i >= 0 && runs < runsMax; i -= 1) {
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
