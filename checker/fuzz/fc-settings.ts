/**
 * The fast-check settings of the property tests, read from the environment in this one
 * place. Each suite pins its own defaults, so that it gives the same answer on every
 * machine; `FC_SEED` (an integer, or `random`) and `FC_NUM_RUNS` ask for another or a
 * deeper sample, as a failing test's message says to rerun it.
 */
interface FcSettings {
  readonly numRuns: number;
  /** Absent with `FC_SEED=random`: fast-check draws one and prints it on failure. */
  readonly seed?: number;
}

export const fcSettings = (defaults: { numRuns: number; seed: number }): FcSettings => {
  const runs = process.env.FC_NUM_RUNS;
  const seed = process.env.FC_SEED;
  const numRuns = runs === undefined ? defaults.numRuns : Number(runs);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new Error(`FC_NUM_RUNS must be a positive integer, not ${JSON.stringify(runs)}`);
  if (seed === 'random') return { numRuns };
  const fixed = seed === undefined ? defaults.seed : Number(seed);
  if (!Number.isSafeInteger(fixed))
    throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(seed)}`);
  return { numRuns, seed: fixed };
};
