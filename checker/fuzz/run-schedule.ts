/**
 * Plays one fault schedule against the implementation in the sim runtime: the cluster warms
 * up, the scenario's actions apply at once, then each choice of the schedule is resolved and
 * applied, with every safety property checked after every step; then the liveness phase
 * heals everything (restarts crashed stages, ends the outage), stops faults, runs the
 * default policy until every liveness property holds at once, delivers everything still
 * pending, and requires convergence again, all within one bound (`liveness-phase.ts`).
 *
 * The run stops at the first safety violation. Besides the verdict it reports what the
 * campaign tallies: steps, faults by kind and target, reachability guards hit, and the
 * trace of the steps after the warm-up (one per scenario action, schedule choice that
 * acted, and heal; the liveness phase only as its last few steps, since it can be long).
 */

import { type Scenario, WARM_UP_MS } from '../../impl/runtime/scenarios.js';
import { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type {
  SimAction,
  SimOptions,
  StageRegistry,
  StepRecord,
} from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import { CATALOGUE } from '../../properties/catalogue.js';
import type { Config } from '../../spec/types/config.js';
import type { StageId } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';
import { failingLiveness, type RunViolation, SafetyWatch } from '../run/check-scenario.js';
import { runLivenessPhase } from './liveness-phase.js';
import { MOMENT_STEP_MAX, momentStep } from './moment.js';
import { resolve } from './resolve.js';
import type { Choice } from './schedule.js';
import { summariseObservation } from './summary.js';

interface ScheduleRun {
  readonly scenario: Scenario;
  readonly config: Config;
  readonly mode: Mode;
  readonly registry: StageRegistry;
  readonly seed: number;
  readonly schedule: readonly Choice[];
  /**
   * Steps the liveness phase may take once everything is healed: to converge, deliver
   * everything still pending, and converge again.
   */
  readonly livenessStepMax: number;
  /** Called after every machine transition (coverage). */
  readonly onTransition?: SimOptions['onTransition'];
  /** Called after every step of the run, warm-up included (conformance). */
  readonly onStep?: SimOptions['onStep'];
  /** Record the trace (off in campaigns, on when a failure is replayed). */
  readonly trace?: boolean;
}

interface TraceEntry {
  readonly actor: string;
  readonly label: string;
  /** The key state after the step. */
  readonly state: string;
}

/** How many of the liveness phase's last steps a trace keeps. */
export const LIVENESS_TAIL = 8;

export interface ScheduleOutcome {
  /** The first safety violation (the run stops there), or none. */
  readonly violations: readonly RunViolation[];
  readonly unconverged: readonly { readonly property: string; readonly message: string }[];
  /**
   * Faults the schedule applied, as `kind target` (`crash kubelet`, `drop scheduler` for a
   * message to the scheduler, `write deletePod`); their sum is the faults injected.
   */
  readonly faults: Readonly<Record<string, number>>;
  /** Steps of the whole run, warm-up included. */
  readonly steps: number;
  /** The reachability guards this run hit. */
  readonly hits: readonly string[];
  /** The key state after the warm-up, where the trace starts ('' unless `trace`). */
  readonly initialState: string;
  /** Empty unless `trace` was asked for. */
  readonly trace: readonly TraceEntry[];
  /** Index in `trace` of the step after which the run failed (null: it did not). */
  readonly failingEntry: number | null;
  /** Liveness-phase steps left out of the trace before its tail. */
  readonly livenessStepsOmitted: number;
  /** Steps of the liveness phase's drain, and whether it emptied the agenda. */
  readonly drain: { readonly steps: number; readonly drained: boolean };
}

/** Faults injected in all, from a tally of faults by kind and target. */
export const faultCount = (faults: Readonly<Record<string, number>>): number =>
  Object.values(faults).reduce((a, b) => a + b, 0);

export function runSchedule(run: ScheduleRun): ScheduleOutcome {
  const hits = new Set<string>();
  let previous: Observation | null = null;
  const guards = CATALOGUE.reachability;
  const cluster = clusterFor(run, (before) => {
    previous = before;
  });
  runDefault(cluster, { stepMax: 100_000, untilMs: WARM_UP_MS });
  const safety = new SafetyWatch(cluster.observe());
  const initialState = run.trace ? summariseObservation(cluster.observe()) : '';
  const trace = new TraceKeeper();
  const faults: Record<string, number> = {};
  /** After each step: safety, guards, the trace; true when the run must stop. */
  const after = (record: StepRecord): boolean => {
    const obs = cluster.observe();
    safety.check(obs, cluster.nowMs);
    if (previous !== null)
      for (const guard of guards)
        if (!hits.has(guard.name) && guard.hit(previous, obs)) hits.add(guard.name);
    if (run.trace)
      trace.add({ actor: record.actor, label: record.label, state: summariseObservation(obs) });
    return safety.violations.length > 0;
  };
  /** Applies one step; a fault (`counted`) is tallied by kind and target. */
  const apply = (action: SimAction, counted = false): boolean => {
    if (counted && action.type !== 'take') tally(faults, faultKey(cluster, action));
    return after(cluster.apply(action));
  };
  let stopped = false;
  for (const timed of run.scenario.actions) if (!stopped) stopped = apply(timed.action);
  const stages = cluster.stageIds();
  for (const choice of run.schedule) {
    if (stopped) break;
    if (choice.kind === 'moment') {
      stopped = playMoment(cluster, choice, apply, faults);
      continue;
    }
    const action = resolve(cluster, stages, choice);
    if (action === null) continue;
    stopped = apply(action, true);
  }
  for (const action of stopped ? [] : heal(cluster, stages)) {
    if (!stopped) stopped = apply(action);
  }
  trace.enterLiveness();
  const liveness = stopped
    ? null
    : runLivenessPhase(cluster, run.livenessStepMax, () => safety.violations.length > 0, after);
  const unconverged = safety.violations.length > 0 ? [] : failingLiveness(cluster.observe());
  const failed = safety.violations.length > 0 || unconverged.length > 0;
  const fullTrace = trace.full();
  return {
    violations: safety.violations,
    unconverged,
    faults,
    steps: cluster.steps,
    hits: [...hits].sort(),
    initialState,
    trace: fullTrace,
    failingEntry: run.trace && failed ? fullTrace.length : null,
    livenessStepsOmitted: trace.omitted(),
    drain: { steps: liveness?.drainSteps ?? 0, drained: liveness?.drained ?? false },
  };
}

/** The run's cluster; `onBefore` is told the Observation before each step (for the guards). */
const clusterFor = (run: ScheduleRun, onBefore: (before: Observation) => void): SimCluster =>
  new SimCluster({
    config: run.config,
    mode: run.mode,
    registry: run.registry,
    topology: run.scenario.topology,
    seed: run.seed,
    observeEachStep: true,
    ...(run.onTransition ? { onTransition: run.onTransition } : {}),
    onStep: (before, record, after) => {
      onBefore(before);
      run.onStep?.(before, record, after);
    },
  });

/** The steps a run keeps for its trace: every one before the liveness phase, its last few after. */
class TraceKeeper {
  private readonly before: TraceEntry[] = [];
  private readonly tail: TraceEntry[] = [];
  private livenessSteps = 0;
  private inLiveness = false;

  add(entry: TraceEntry): void {
    if (!this.inLiveness) {
      this.before.push(entry);
      return;
    }
    this.livenessSteps += 1;
    this.tail.push(entry);
    if (this.tail.length > LIVENESS_TAIL) this.tail.shift();
  }

  enterLiveness(): void {
    this.inLiveness = true;
  }

  full(): TraceEntry[] {
    return [...this.before, ...this.tail];
  }

  /** Liveness-phase steps left out before the tail. */
  omitted(): number {
    return Math.max(0, this.livenessSteps - this.tail.length);
  }
}

/** The stage a strike hits: the crashed one, or the receiver of the message. */
const strikeTarget = (cluster: SimCluster, action: SimAction): string =>
  action.type === 'crash'
    ? action.stage
    : (cluster.pending().find((p) => 'id' in action && p.id === action.id)?.actor ?? '?');

/** A moment: takes until its phase comes, then the strike (`moment:<act> <target>`). */
const playMoment = (
  cluster: SimCluster,
  moment: Extract<Choice, { kind: 'moment' }>,
  apply: (action: SimAction) => boolean,
  faults: Record<string, number>,
): boolean => {
  for (let i = 0; i <= MOMENT_STEP_MAX; i += 1) {
    const step = momentStep(cluster, moment);
    if (step === null) return false;
    if (step.strike)
      tally(faults, `moment:${moment.act} ${kindOf(strikeTarget(cluster, step.action))}`);
    if (apply(step.action)) return true;
    if (step.strike) return false;
  }
  return false;
};

const tally = (faults: Record<string, number>, key: string): void => {
  faults[key] = (faults[key] ?? 0) + 1;
};

/** The liveness phase begins: every crashed stage restarts and the API Server is back. */
const heal = (cluster: SimCluster, stages: readonly StageId[]): SimAction[] => {
  const actions: SimAction[] = [{ type: 'apiOutage', on: false }];
  const lost = new Set(
    cluster
      .observe()
      .kubelets.filter((k) => !k.nodeAlive)
      .map((k) => `kubelet/${k.node}`),
  );
  for (const stage of stages)
    if (cluster.snapshotOf(stage) === null && !lost.has(stage))
      actions.push({ type: 'restart', stage });
  return actions;
};

/** The kind of stage a stage id or pending event's actor names (`kubelet/n1` → `kubelet`). */
const kindOf = (actor: string): string => actor.split('/')[0] ?? actor;

/**
 * Fault × target, for the campaign's coverage: `crash kubelet`, `drop scheduler` (a
 * message to the scheduler), `timeout replicaset`, `write deletePod`, `load autoscaler`.
 */
const faultKey = (cluster: SimCluster, action: SimAction): string => {
  switch (action.type) {
    case 'drop':
    case 'duplicate':
    case 'delay':
    case 'timeout': {
      const pending = cluster.pending().find((p) => p.id === action.id);
      return `${action.type} ${pending ? kindOf(pending.actor) : '?'}`;
    }
    case 'load':
      return 'load autoscaler';
    case 'crash':
    case 'restart':
    case 'relist':
      return `${action.type} ${kindOf(action.stage)}`;
    case 'write':
      return `write ${action.write.op}`;
    case 'nodeLoss':
      return 'nodeLoss kubelet';
    case 'apiOutage':
      return `outage ${action.on ? 'on' : 'off'}`;
    default:
      return action.type;
  }
};
