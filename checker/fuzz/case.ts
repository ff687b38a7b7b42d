/**
 * One fuzz case as plain data: the path (direct or API), a topology within a preset's bounds,
 * the runtime's seed and a schedule. fast-check generates and shrinks all of it, so a
 * failure shrinks to fewer steps, fewer faults and a smaller topology at once.
 *
 * Every case starts the same way: the cluster warms up (informers listed, links connected),
 * then the load of every function rises to `pods` (a burst), and the schedule interleaves
 * the cluster's own events with faults and writes from there.
 */
import fc from 'fast-check';
import { makeScenario, type Scenario, scenarioConfig } from '../../impl/runtime/scenarios.js';
import type { Mode } from '../../impl/stages/io.js';
import type { Config } from '../../spec/types/config.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { type ScheduleOptions, scheduleArbitrary } from './draw.js';
import { type Choice, DEFAULT_WEIGHTS, MAX_LOAD, type Weights } from './schedule.js';

export interface FuzzCase {
  readonly mode: Mode;
  /** Pods per function at the peak of the burst. */
  readonly pods: number;
  readonly nodes: number;
  readonly functions: number;
  /**
   * Every function has the same name and the same template, each in its own namespace (the
   * tenants hazard: same-named pods in two namespaces).
   */
  readonly tenants: boolean;
  readonly seed: number;
  readonly schedule: readonly Choice[];
}

/** The bounds of a campaign's cases. */
export interface CheckPreset {
  readonly name: string;
  readonly maxPods: number;
  readonly maxNodes: number;
  readonly maxFunctions: number;
  readonly maxChoices: number;
  /** Steps the liveness phase may take to converge. */
  readonly livenessStepMax: number;
  /** What the schedules draw besides the weights (swarm testing, subsets of targets). */
  readonly schedule?: ScheduleOptions;
}

export const CHECK_PRESETS: Readonly<Record<string, CheckPreset>> = {
  tiny: {
    name: 'tiny',
    maxPods: 3,
    maxNodes: 3,
    maxFunctions: 2,
    maxChoices: 40,
    livenessStepMax: 20_000,
  },
  small: {
    name: 'small',
    maxPods: 6,
    maxNodes: 4,
    maxFunctions: 3,
    maxChoices: 80,
    livenessStepMax: 40_000,
  },
};

export const DEFAULT_CHECK_PRESET = 'small';

export const checkPreset = (name: string): CheckPreset => {
  const found = CHECK_PRESETS[name];
  if (!found)
    throw new Error(
      `unknown preset '${name}' for kd check (known: ${Object.keys(CHECK_PRESETS).join(', ')})`,
    );
  return found;
};

export interface CaseShape {
  readonly preset: CheckPreset;
  readonly modes: readonly Mode[];
  /** Whether same-named functions in two namespaces may be drawn. */
  readonly tenants: boolean;
  readonly weights?: Weights;
}

export const caseArbitrary = (shape: CaseShape): fc.Arbitrary<FuzzCase> =>
  fc.record({
    mode: fc.constantFrom(...shape.modes),
    pods: fc.integer({ min: 1, max: shape.preset.maxPods }),
    nodes: fc.integer({ min: 1, max: shape.preset.maxNodes }),
    functions: fc.integer({ min: 1, max: shape.preset.maxFunctions }),
    tenants: shape.tenants ? fc.boolean() : fc.constant(false),
    seed: fc.nat(1000),
    schedule: scheduleArbitrary(
      shape.preset.maxChoices,
      shape.weights ?? DEFAULT_WEIGHTS,
      shape.preset.schedule,
    ),
  });

/** The burst every case starts with, on the case's topology. */
export const caseScenario = (fuzzCase: FuzzCase): Scenario => {
  const { pods, nodes, functions } = fuzzCase;
  const made = makeScenario('burst', { pods, nodes, functions });
  // Room for the largest load a choice can ask, even after a node loss, so that
  // convergence never waits for capacity.
  const peak = Math.max(pods, MAX_LOAD) * functions;
  const slotsPerNode = Math.ceil(peak / Math.max(1, nodes - 1)) + 1;
  const burst = { ...made, topology: { ...made.topology, slotsPerNode } };
  if (!fuzzCase.tenants || functions < 2) return burst;
  // Same name, one namespace each; the load actions follow the renamed functions.
  const renamed = burst.topology.functions.map((_, i) => ({
    namespace: `team-${i + 1}`,
    name: 'fn',
  }));
  const keyOf = (i: number) => `team-${i + 1}/fn`;
  let next = 0;
  const actions = burst.actions.map((timed) =>
    timed.action.type === 'load'
      ? { ...timed, action: { ...timed.action, deployment: keyOf(next++) } }
      : timed,
  );
  // One chart in every namespace: same template, so same-named ReplicaSets and pods.
  const topology = { ...burst.topology, functions: renamed, sharedTemplate: true };
  return { ...burst, topology, actions };
};

/** The configuration a case runs under: `profile` with `mutant`'s flip, no initial load. */
export const caseConfig = (profile: string, mutant: string | null): Config =>
  scenarioConfig(makeConfig('up', profile, mutant));
