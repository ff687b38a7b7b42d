/**
 * The seeded default policy: take the earliest due event (ties broken by the seed, which
 * the agenda drew when the event was scheduled), advancing the virtual clock, until nothing
 * is pending, a step bound, a time bound or a caller's condition. `runScenario` interleaves
 * a list of timed actions (faults, writes, load changes) with that policy.
 */
import type { Observation } from '../../../spec/types/observation.js';
import { SimCluster } from './cluster.js';
import type { SimAction, SimOptions, StepRecord } from './types.js';

export interface RunOptions {
  /** Upper bound on steps taken by this call (everything is bounded). */
  readonly stepMax: number;
  /** Stop before taking an event due after this virtual time. */
  readonly untilMs?: number;
  /** Stop as soon as this holds (checked before every step). */
  readonly stopWhen?: (cluster: SimCluster) => boolean;
  readonly onStep?: (record: StepRecord, cluster: SimCluster) => void;
}

export type RunEnd = 'quiescent' | 'stepMax' | 'untilMs' | 'stopWhen';

export interface RunResult {
  readonly steps: number;
  readonly end: RunEnd;
}

export const runDefault = (cluster: SimCluster, options: RunOptions): RunResult => {
  for (let steps = 0; ; steps += 1) {
    if (options.stopWhen?.(cluster)) return { steps, end: 'stopWhen' };
    const next = cluster.next();
    if (!next) return { steps, end: 'quiescent' };
    if (options.untilMs !== undefined && next.dueAtMs > options.untilMs)
      return { steps, end: 'untilMs' };
    if (steps >= options.stepMax) return { steps, end: 'stepMax' };
    const record = cluster.step(next.id);
    options.onStep?.(record, cluster);
  }
};

/** An action of a scenario, applied once the virtual clock reaches `atMs`. */
export interface TimedAction {
  readonly atMs: number;
  readonly action: SimAction;
}

export interface ScenarioOptions extends SimOptions {
  readonly actions?: readonly TimedAction[];
  readonly stepMax: number;
  /** Keep every step's Observation (memory grows with the run). */
  readonly keepObservations?: boolean;
}

export interface ScenarioResult {
  readonly cluster: SimCluster;
  readonly records: StepRecord[];
  readonly observations: Observation[];
  readonly end: RunEnd;
}

/**
 * Runs the default policy, applying each timed action (in `atMs` order) as soon as the next
 * event would be due after it, then runs on until quiescent or the step bound.
 */
export const runScenario = (options: ScenarioOptions): ScenarioResult => {
  const cluster = new SimCluster(options);
  const records: StepRecord[] = [];
  const observations: Observation[] = options.keepObservations ? [cluster.observe()] : [];
  const keep = (record: StepRecord) => {
    records.push(record);
    if (options.keepObservations) observations.push(cluster.observe());
  };
  const actions = [...(options.actions ?? [])].sort((a, b) => a.atMs - b.atMs);
  let end: RunEnd = 'quiescent';
  for (const timed of actions) {
    const run = runDefault(cluster, {
      stepMax: options.stepMax - records.length,
      untilMs: timed.atMs,
      onStep: keep,
    });
    if (run.end === 'stepMax') return { cluster, records, observations, end: 'stepMax' };
    if (cluster.nowMs < timed.atMs) keep(cluster.apply({ type: 'advance', toMs: timed.atMs }));
    keep(cluster.apply(timed.action));
  }
  end = runDefault(cluster, { stepMax: options.stepMax - records.length, onStep: keep }).end;
  return { cluster, records, observations, end };
};
