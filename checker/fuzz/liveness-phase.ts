/**
 * The liveness phase of a fuzz case, once everything is healed and faults have stopped, in
 * three parts within one step bound (the case's `livenessStepMax`):
 *
 * 1. converge: the default policy runs until every liveness property holds at once;
 * 2. drain: it runs on until the agenda is empty, so that every event still pending when
 *    the run converged happens (a message or reply delayed past convergence, a late
 *    informer event, a retry timer), and whatever those cause; a fault-free run ends
 *    there, with nothing pending;
 * 3. converge again: a late event may have undone convergence, so the run must converge
 *    once more.
 *
 * Safety is checked after every step of all three (the caller's `onStep`), and the phase
 * stops at the first violation. Stopping at the first convergence, as the phase did before,
 * threw away whatever was still in flight: a late message of an older epoch that breaks
 * the state after convergence went unseen.
 */
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type { StepRecord } from '../../impl/runtime/sim/types.js';
import { converged } from '../run/check-scenario.js';

interface LivenessPhaseResult {
  /** Steps the phase took in all. */
  readonly steps: number;
  /** Steps of the drain (part 2); 0 when the run never converged first. */
  readonly drainSteps: number;
  /**
   * The drain emptied the agenda within the bound (false: the run did not converge first,
   * a safety property failed, or events kept coming until the bound).
   */
  readonly drained: boolean;
}

export const runLivenessPhase = (
  cluster: SimCluster,
  stepMax: number,
  violated: () => boolean,
  onStep: (record: StepRecord) => void,
): LivenessPhaseResult => {
  let steps = 0;
  const run = (stopWhen: (c: SimCluster) => boolean) => {
    const result = runDefault(cluster, {
      stepMax: stepMax - steps,
      stopWhen,
      onStep,
    });
    steps += result.steps;
    return result;
  };
  run((c) => violated() || converged(c.observe()));
  if (violated() || !converged(cluster.observe())) return { steps, drainSteps: 0, drained: false };
  const drain = run(() => violated());
  const drained = drain.end === 'quiescent';
  // Nothing is left pending after a full drain, so this only runs on when the drain was
  // cut by the bound; either way the verdict is read from the state it ends in.
  if (!violated()) run((c) => violated() || converged(c.observe()));
  return { steps, drainSteps: drain.steps, drained };
};
