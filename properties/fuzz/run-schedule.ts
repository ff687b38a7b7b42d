/**
 * Plays one fault schedule against the implementation in the sim runtime: the cluster warms
 * up, the scenario's actions apply at once, then each choice of the schedule is resolved and
 * applied, with every safety property checked after every step; then the liveness phase
 * heals everything and runs the default policy until convergence or the bound.
 */

import { type Scenario, WARM_UP_MS } from '../../impl/runtime/scenarios.js';
import { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type { SimOptions, StageRegistry } from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import type { Config } from '../../spec/types/config.js';
import type { StageId } from '../../spec/types/ids.js';
import {
  converged,
  failingLiveness,
  type RunViolation,
  SafetyWatch,
} from '../run/check-scenario.js';
import { type Choice, resolve } from './schedule.js';

export interface ScheduleRun {
  readonly scenario: Scenario;
  readonly config: Config;
  readonly mode: Mode;
  readonly registry: StageRegistry;
  readonly seed: number;
  readonly schedule: readonly Choice[];
  /** Steps allowed to converge once everything is healed. */
  readonly livenessStepMax: number;
  /** Called after every machine transition (coverage). */
  readonly onTransition?: SimOptions['onTransition'];
  /** Called after every step of the run, warm-up included (conformance). */
  readonly onStep?: SimOptions['onStep'];
}

export interface ScheduleOutcome {
  readonly violations: readonly RunViolation[];
  readonly unconverged: readonly { readonly property: string; readonly message: string }[];
  /** Choices that acted (the others had nothing to act on). */
  readonly faultsApplied: number;
}

export function runSchedule(run: ScheduleRun): ScheduleOutcome {
  const cluster = new SimCluster({
    config: run.config,
    mode: run.mode,
    registry: run.registry,
    topology: run.scenario.topology,
    seed: run.seed,
    observeEachStep: true,
    ...(run.onTransition ? { onTransition: run.onTransition } : {}),
    ...(run.onStep ? { onStep: run.onStep } : {}),
  });
  runDefault(cluster, { stepMax: 100_000, untilMs: WARM_UP_MS });
  const safety = new SafetyWatch(cluster.observe());
  const check = () => safety.check(cluster.observe(), cluster.nowMs);
  for (const timed of run.scenario.actions) {
    cluster.apply(timed.action);
    check();
  }
  const stages = cluster.stageIds();
  let faultsApplied = 0;
  for (const choice of run.schedule) {
    const action = resolve(cluster, stages, choice);
    if (action === null) continue;
    cluster.apply(action);
    if (action.type !== 'take') faultsApplied += 1;
    check();
  }
  heal(cluster, stages);
  check();
  runDefault(cluster, {
    stepMax: run.livenessStepMax,
    stopWhen: (c) => converged(c.observe()),
    onStep: check,
  });
  return {
    violations: safety.violations,
    unconverged: failingLiveness(cluster.observe()),
    faultsApplied,
  };
}

/** The liveness phase begins: every crashed stage restarts and the API Server is back. */
const heal = (cluster: SimCluster, stages: readonly StageId[]): void => {
  cluster.apply({ type: 'apiOutage', on: false });
  for (const stage of stages)
    if (cluster.snapshotOf(stage) === null) cluster.apply({ type: 'restart', stage });
};
