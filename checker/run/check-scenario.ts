/**
 * Runs a named scenario on the sim runtime under the default seeded policy and checks the
 * whole property catalogue: every safety property after every step, and, once the
 * scenario's last action has been applied, liveness as convergence: the run goes on until
 * every liveness property holds at once (converged) or the step bound is reached.
 *
 * This lives in `properties/` because it reads the catalogue; the scenario and the runtime
 * are in `impl/` and know nothing of properties.
 */

import type { Tally } from '../../impl/apiserver/index.js';
import type { Scenario } from '../../impl/runtime/scenarios.js';
import { runDefault, SimCluster, type SimSummary } from '../../impl/runtime/sim/index.js';
import type { SimOptions, StageRegistry } from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import { CATALOGUE } from '../../properties/catalogue.js';
import type { Config } from '../../spec/types/config.js';
import type { Observation } from '../../spec/types/observation.js';
import type { PropertyKind, PropertyName } from '../../spec/types/property-names.js';

export interface RunOptions {
  readonly scenario: Scenario;
  readonly config: Config;
  readonly mode: Mode;
  readonly registry: StageRegistry;
  readonly seed: number;
  /** Bound on the steps of the whole run. */
  readonly stepMax: number;
  /** Client-side token buckets per stage kind (absent: unthrottled). */
  readonly rateLimits?: SimOptions['rateLimits'];
  /** Latencies other than the defaults (for instance seeded jitter). */
  readonly latencies?: SimOptions['latencies'];
}

export interface RunViolation {
  readonly property: PropertyName;
  readonly kind: PropertyKind;
  readonly step: number;
  readonly atMs: number;
  readonly message: string;
}

export interface RunReport {
  readonly scenario: string;
  readonly mode: Mode;
  readonly seed: number;
  readonly converged: boolean;
  /** Liveness properties still failing at the end (empty when converged). */
  readonly unconverged: readonly { readonly property: PropertyName; readonly message: string }[];
  /** The first violation of each safety property. */
  readonly violations: readonly RunViolation[];
  readonly summary: SimSummary;
  /** API requests by `verb Kind` made by the run itself, not by seeding the cluster. */
  readonly requests: Readonly<Record<string, Tally>>;
  /**
   * Successful writes to Pod objects (create or expose, bind, status, delete) per pod the
   * scenario asks for: the direct path's expose + Ready is 2, the API path's create + bind
   * + status is 3. Writes to Deployments and ReplicaSets are per function, not per pod.
   */
  readonly apiWritesPerPod: number;
}

export function checkScenario(options: RunOptions): RunReport {
  const cluster = new SimCluster({
    config: options.config,
    mode: options.mode,
    registry: options.registry,
    topology: options.scenario.topology,
    seed: options.seed,
    observeEachStep: true,
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    ...(options.latencies === undefined ? {} : { latencies: options.latencies }),
  });
  const seeding = cluster.summary().api.byVerbKind;
  const safety = new SafetyWatch(cluster.observe());
  const onStep = () => safety.check(cluster.observe(), cluster.nowMs);
  const budget = () => options.stepMax - cluster.steps;
  for (const timed of [...options.scenario.actions].sort((a, b) => a.atMs - b.atMs)) {
    const run = runDefault(cluster, { stepMax: budget(), untilMs: timed.atMs, onStep });
    if (run.end === 'stepMax') break;
    if (cluster.nowMs < timed.atMs) cluster.apply({ type: 'advance', toMs: timed.atMs });
    cluster.apply(timed.action);
    onStep();
  }
  runDefault(cluster, {
    stepMax: Math.max(0, budget()),
    stopWhen: (c) => converged(c.observe()),
    onStep,
  });
  const unconverged = failingLiveness(cluster.observe());
  const summary = cluster.summary();
  const requests = since(seeding, summary.api.byVerbKind);
  return {
    scenario: options.scenario.name,
    mode: options.mode,
    seed: options.seed,
    converged: unconverged.length === 0,
    unconverged,
    violations: safety.violations,
    summary,
    requests,
    apiWritesPerPod: podWrites(requests) / options.scenario.peakPods,
  };
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'bind']);

const podWrites = (requests: Readonly<Record<string, Tally>>): number => {
  let writes = 0;
  for (const [verbKind, tally] of Object.entries(requests)) {
    const [verb, kind] = verbKind.split(' ');
    if (kind === 'Pod' && WRITE_VERBS.has(verb ?? '')) writes += tally.count - tally.errors;
  }
  return writes;
};

/** The tallies of `after` minus those of `before`, keeping only what changed. */
const since = (
  before: Readonly<Record<string, Tally>>,
  after: Readonly<Record<string, Tally>>,
): Record<string, Tally> => {
  const out: Record<string, Tally> = {};
  for (const [key, a] of Object.entries(after)) {
    const b = before[key];
    const count = a.count - (b?.count ?? 0);
    if (count === 0) continue;
    out[key] = {
      count,
      errors: a.errors - (b?.errors ?? 0),
      requestBytes: a.requestBytes - (b?.requestBytes ?? 0),
      responseBytes: a.responseBytes - (b?.responseBytes ?? 0),
    };
  }
  return out;
};

/**
 * Every liveness property holds in `obs`: the stop condition checked before every step, so
 * it stops at the first failing property instead of collecting them all.
 */
export const converged = (obs: Observation): boolean =>
  CATALOGUE.liveness.every((p) => p.check(obs).ok);

/** Every liveness property that fails in `obs`, with its message. */
export const failingLiveness = (obs: Observation) =>
  CATALOGUE.liveness.flatMap((p) => {
    const verdict = p.check(obs);
    return verdict.ok ? [] : [{ property: p.name, message: verdict.message }];
  });

/** Checks every safety property on each new observation; keeps the first violation of each. */
export class SafetyWatch {
  readonly violations: RunViolation[] = [];
  private readonly seen = new Set<PropertyName>();

  constructor(private before: Observation) {}

  check(after: Observation, atMs: number): void {
    for (const p of CATALOGUE.safety) {
      if (this.seen.has(p.name)) continue;
      const verdict = p.kind === 'always' ? p.check(after) : p.check(this.before, after);
      if (verdict.ok) continue;
      this.seen.add(p.name);
      this.violations.push({
        property: p.name,
        kind: p.kind,
        step: after.step,
        atMs,
        message: verdict.message,
      });
    }
    this.before = after;
  }
}
