/**
 * The budgets of shrinking a campaign's first failure, and the failure it ends with.
 *
 * A candidate costs one run, and a run that fails a liveness property runs its liveness
 * phase to the bound (40,000 steps on the `small` preset, 15 s or so): a shrink that looked
 * at its clock only after each run once kept `kd check` busy for 900 s on a failure found
 * in 11 s. So every budget is checked before a run, and a liveness failure is shrunk under
 * a lower liveness bound, `SHRINK_LIVENESS_STEP_MAX`, when the failing case still fails
 * under it (else under the preset's). The shrunk case is replayed and saved with the bound
 * it was shrunk under, so that `kd replay` plays the same run.
 */

import { propertyKind } from '../../properties/catalogue.js';
import type { FuzzCase } from '../fuzz/case.js';
import type { CampaignFailure } from './campaign.js';
import { minimise } from './minimise.js';
import { type CaseOutcome, failureOf } from './outcome.js';

/** Plays one case with the liveness phase bounded by `livenessStepMax`. */
export type Play = (fuzzCase: FuzzCase, livenessStepMax: number, trace: boolean) => CaseOutcome;

/** Seconds fast-check may spend shrinking (default of `shrinkSeconds`). */
export const SHRINK_SECONDS = 60;
/**
 * The liveness bound a liveness failure is shrunk under, an eighth of the `small` preset's
 * (40,000): a healthy case converges and drains in a few hundred steps, so one still
 * unconverged after 5,000 is stuck, not slow. The choice is safe either way: a case that
 * no longer fails under it is shrunk under the preset's bound (`shrinkBound`).
 */
export const SHRINK_LIVENESS_STEP_MAX = 5_000;
/** The last, one-choice-at-a-time pass over a shrunk case (minimise.ts). */
const MINIMISE_RUNS = 2_000;
const MINIMISE_MS = 30_000;

/**
 * The liveness bound to shrink a failing case under: the lower one if the failure is of a
 * liveness property and the case fails it under the lower bound too, else `bound` as it is.
 */
export const shrinkBound = (
  fuzzCase: FuzzCase,
  property: string,
  bound: number,
  play: Play,
  target: string | null,
): number => {
  if (propertyKind(property) !== 'eventually' || bound <= SHRINK_LIVENESS_STEP_MAX) return bound;
  const lower = failureOf(play(fuzzCase, SHRINK_LIVENESS_STEP_MAX, false), target);
  return lower?.property === property ? SHRINK_LIVENESS_STEP_MAX : bound;
};

interface Detected {
  readonly shrinkSteps: number;
  readonly secondsToDetect: number;
  readonly runsToDetect: number;
}

/**
 * fast-check's shrunk case, minimised one choice at a time (within its own budget, checked
 * before each run) and replayed with its trace recorded.
 */
export const describeFailure = (
  shrunk: FuzzCase,
  how: {
    readonly play: Play;
    readonly target: string | null;
    readonly livenessStepMax: number;
    readonly now: () => number;
    readonly detected: Detected;
  },
): CampaignFailure => {
  const run = (c: FuzzCase, trace = false) =>
    failureOf(how.play(c, how.livenessStepMax, trace), how.target);
  const property = run(shrunk)?.property;
  if (property === undefined)
    throw new Error('the shrunk case no longer fails when replayed: the run is not deterministic');
  const started = how.now();
  const fuzzCase = minimise(shrunk, (candidate) => run(candidate)?.property === property, {
    runsMax: MINIMISE_RUNS,
    outOfTime: () => how.now() - started > MINIMISE_MS,
  });
  const outcome = how.play(fuzzCase, how.livenessStepMax, true);
  const failure = failureOf(outcome, how.target);
  if (failure === undefined)
    throw new Error('the shrunk case no longer fails when replayed: the run is not deterministic');
  return {
    property: failure.property,
    kind: propertyKind(failure.property) ?? 'conformance',
    message: failure.message,
    fuzzCase,
    outcome,
    livenessStepMax: how.livenessStepMax,
    ...how.detected,
  };
};
