/**
 * The fast-check settings of the property tests, read from the environment in this one
 * place. Each suite pins its own defaults, so that it gives the same answer on every
 * machine; `FC_SEED` (an integer, or `random`) and `FC_NUM_RUNS` ask for another or a
 * deeper sample, and a failing test's message ends with the command line that reruns it.
 */
import fc from 'fast-check';

interface FcSettings {
  readonly numRuns: number;
  /** Absent with `FC_SEED=random`: fast-check draws one, which the rerun line names. */
  readonly seed?: number;
  /** Throws fast-check's own report of a failure, with the line that reruns it. */
  readonly reporter: <Ts>(details: fc.RunDetails<Ts>) => void;
}

export const fcSettings = (
  defaults: { numRuns: number; seed: number },
  /** The test file, as `npx vitest run` takes it from the checkout. */
  testFile: string,
): FcSettings => {
  const runs = process.env.FC_NUM_RUNS;
  const seed = process.env.FC_SEED;
  const numRuns = runs === undefined ? defaults.numRuns : Number(runs);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new Error(`FC_NUM_RUNS must be a positive integer, not ${JSON.stringify(runs)}`);
  const reporter = rerunReporter(testFile);
  if (seed === 'random') return { numRuns, reporter };
  const fixed = seed === undefined ? defaults.seed : Number(seed);
  if (!Number.isSafeInteger(fixed))
    throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(seed)}`);
  return { numRuns, seed: fixed, reporter };
};

const rerunReporter =
  (testFile: string) =>
  <Ts>(details: fc.RunDetails<Ts>): void => {
    if (!details.failed) return;
    const rerun = `rerun: FC_SEED=${details.seed} FC_NUM_RUNS=${details.runConfiguration.numRuns} npx vitest run ${testFile}`;
    throw new Error(`${fc.defaultReportMessage(details) ?? 'the property failed'}\n\n${rerun}`, {
      cause: details.errorInstance,
    });
  };
