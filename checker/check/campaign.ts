/**
 * A fuzz campaign: fast-check draws cases (path, topology, seed, schedule), plays each
 * against the implementation, and on the first failure shrinks it to a minimal case, which
 * is then replayed once more with its trace recorded. Runs, steps, faults by kind and
 * target, and the reachability guards hit are tallied over the campaign (shrinking runs are
 * not counted: they are not new cases).
 *
 * A campaign is deterministic: the same options give the same cases, in the same order.
 * A shard `i/n` draws its own cases from the seed `seed * n + i`, so `n` shards together
 * run `n` different slices of the same campaign.
 */
import fc from 'fast-check';
import type { SimOptions } from '../../impl/runtime/sim/types.js';
import type { Mode, StageRegistry } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import type { PropertyKind } from '../../spec/types/property-names.js';
import {
  type CaseShape,
  type CheckPreset,
  caseArbitrary,
  caseConfig,
  caseScenario,
  type FuzzCase,
} from '../fuzz/case.js';
import { DIRECTED } from '../fuzz/directed.js';
import { runSchedule } from '../fuzz/run-schedule.js';
import type { Weights } from '../fuzz/schedule.js';
import { type CaseOutcome, failureOf, failuresOf } from './outcome.js';
import { describeFailure, type Play, SHRINK_SECONDS, shrinkBound } from './shrink.js';

export { type CaseOutcome, failureOf, failuresOf } from './outcome.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface CampaignOptions {
  readonly profile: string;
  readonly mutant: string | null;
  readonly preset: CheckPreset;
  readonly modes: readonly Mode[];
  /** Runs to draw (the campaign may stop earlier at `timeMs`). */
  readonly runs: number;
  /** Wall-clock budget in milliseconds (null: none). */
  readonly timeMs: number | null;
  readonly seed: number;
  readonly shard: Shard | null;
  /** Only this property counts as a failure (a mutant's); null: any property. */
  readonly target: string | null;
  /** Same-named functions in two namespaces may be drawn. */
  readonly tenants: boolean;
  readonly weights?: Weights;
  readonly registry?: StageRegistry;
  readonly onTransition?: SimOptions['onTransition'];
  /** Per-step check besides the catalogue (conformance), made afresh for each run. */
  readonly stepCheck?: (mode: Mode) => StepCheck;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * Seconds spent shrinking a failure at most (default 60), checked before each candidate
   * is run: a liveness failure costs the whole liveness bound per candidate, so an
   * unbounded shrink could take many minutes.
   */
  readonly shrinkSeconds?: number | undefined;
  /** Wall clock in ms (tests pass their own). */
  readonly now?: () => number;
  /** Plays one case under a liveness bound (tests pass a fake; default `runCase`). */
  readonly play?: Play;
}

/** A per-run checker of every step: returns a failure message, or null. */
export interface StepCheck {
  readonly onStep: NonNullable<SimOptions['onStep']>;
  readonly failure: () => { readonly property: string; readonly message: string } | null;
}

export interface CampaignProgress {
  readonly runs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly faults: number;
  readonly hits: number;
  /** Set while the first failure is being shrunk. */
  readonly shrinking: boolean;
}

export interface CampaignFailure {
  readonly property: string;
  readonly kind: PropertyKind | 'conformance';
  readonly message: string;
  /** The shrunk case, and its replay with the trace recorded. */
  readonly fuzzCase: FuzzCase;
  readonly outcome: CaseOutcome;
  /** Runs fast-check took to shrink the first failing case. */
  readonly shrinkSteps: number;
  /** Seconds from the campaign's start to the first failing run. */
  readonly secondsToDetect: number;
  /** Runs of the campaign up to and including the first failing one. */
  readonly runsToDetect: number;
  /**
   * The liveness bound the case was shrunk and replayed under (and is saved with): the
   * preset's, or `SHRINK_LIVENESS_STEP_MAX` for a liveness failure that fails under it too.
   */
  readonly livenessStepMax: number;
}

export interface CampaignResult {
  readonly runs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly hits: readonly string[];
  /** Properties violated in some run (the first one is shrunk into `failure`). */
  readonly violated: readonly string[];
  readonly failure: CampaignFailure | null;
  /** The fast-check seed the cases were drawn from. */
  readonly seed: number;
  /** Stopped by Ctrl-C (`runCampaignInterruptible`): the result of the cases run so far. */
  readonly interrupted: boolean;
}

/** Plays one case. */
export const runCase = (
  fuzzCase: FuzzCase,
  options: Pick<
    CampaignOptions,
    'profile' | 'mutant' | 'preset' | 'registry' | 'onTransition' | 'stepCheck'
  >,
  trace = false,
): CaseOutcome => {
  const check = options.stepCheck?.(fuzzCase.mode);
  const outcome = runSchedule({
    scenario: caseScenario(fuzzCase),
    config: caseConfig(options.profile, options.mutant),
    mode: fuzzCase.mode,
    registry: options.registry ?? STAGES,
    seed: fuzzCase.seed,
    schedule: fuzzCase.schedule,
    livenessStepMax: options.preset.livenessStepMax,
    trace,
    ...(options.onTransition ? { onTransition: options.onTransition } : {}),
    ...(check ? { onStep: check.onStep } : {}),
  });
  return { ...outcome, stepFailure: check?.failure() ?? null };
};

/** The same options with the liveness phase bounded by `livenessStepMax`. */
export const underBound = <O extends { readonly preset: CheckPreset }>(
  options: O,
  livenessStepMax: number,
): O => ({ ...options, preset: { ...options.preset, livenessStepMax } });

/** The fast-check seed of a campaign or of one of its shards. */
export const shardSeed = (seed: number, shard: Shard | null): number =>
  shard === null ? seed : seed * shard.count + shard.index;

/** A shard's share of `runs`: the first `runs % count` shards take one more. */
export const shardRuns = (runs: number, shard: Shard | null): number =>
  shard === null
    ? runs
    : Math.floor(runs / shard.count) + (shard.index < runs % shard.count ? 1 : 0);

export function runCampaign(options: CampaignOptions): CampaignResult {
  const campaign = campaignOf(options);
  return campaign.finish(
    fc.check(fc.property(campaign.arbitrary, campaign.body), campaign.parameters),
    false,
  );
}

/**
 * The same campaign, made to hear Ctrl-C: it yields to the event loop before each case (a
 * signal's handler runs only then), and stops once `interrupted()` is true, the cases run
 * so far being its result, marked `interrupted`. A failure being shrunk is kept as shrunk
 * so far. The cases are the same as `runCampaign`'s.
 */
export async function runCampaignInterruptible(
  options: CampaignOptions,
  interrupted: () => boolean,
): Promise<CampaignResult> {
  const campaign = campaignOf(options);
  const property = fc.asyncProperty(campaign.arbitrary, async (fuzzCase: FuzzCase) => {
    await new Promise((resolve) => setImmediate(resolve));
    // fast-check ends the run on a precondition failure that asks to interrupt.
    if (interrupted()) throw new fc.PreconditionFailure(true);
    return campaign.body(fuzzCase);
  });
  const report = await fc.check(property, campaign.parameters);
  return campaign.finish(report, interrupted());
}

/** A campaign as its parts: what fast-check draws, the property's body, and the result. */
function campaignOf(options: CampaignOptions) {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const shape: CaseShape = {
    preset: options.preset,
    modes: options.modes,
    tenants: options.tenants,
    ...(options.weights ? { weights: options.weights } : {}),
  };
  const seed = shardSeed(options.seed, options.shard);
  let runs = 0;
  let steps = 0;
  let faultCount = 0;
  let failedAtSeconds: number | null = null;
  let shrinkSteps = 0;
  const faults: Record<string, number> = {};
  const hits = new Set<string>();
  const violated = new Set<string>();
  const seconds = () => (now() - started) / 1000;
  const progress = () =>
    options.onProgress?.({
      runs,
      steps,
      seconds: seconds(),
      faults: faultCount,
      hits: hits.size,
      shrinking: failedAtSeconds !== null,
    });
  const play: Play =
    options.play ??
    ((fuzzCase, livenessStepMax, trace) =>
      runCase(fuzzCase, underBound(options, livenessStepMax), trace));
  let bound = options.preset.livenessStepMax;
  let runsToDetect = 0;
  const body = (fuzzCase: FuzzCase): boolean => {
    if (failedAtSeconds !== null) {
      // Past the shrink budget every further candidate counts as passing, untried: the
      // smallest failing case found so far is the result. Checked before the run, since
      // one run of a liveness failure costs its whole bound.
      if (seconds() - failedAtSeconds > (options.shrinkSeconds ?? SHRINK_SECONDS)) return true;
      shrinkSteps += 1;
      const failure = failureOf(play(fuzzCase, bound, false), options.target);
      if (shrinkSteps % 10 === 0) progress();
      return failure === undefined;
    }
    const outcome = play(fuzzCase, bound, false);
    const failure = failureOf(outcome, options.target);
    runs += 1;
    steps += outcome.steps;
    for (const [key, n] of Object.entries(outcome.faults)) {
      faults[key] = (faults[key] ?? 0) + n;
      faultCount += n;
    }
    for (const hit of outcome.hits) hits.add(hit);
    for (const f of failuresOf(outcome)) violated.add(f.property);
    if (failure !== undefined) {
      failedAtSeconds = seconds();
      runsToDetect = runs;
      bound = shrinkBound(fuzzCase, failure.property, bound, play, options.target);
    }
    if (runs % 10 === 0 || failure !== undefined) progress();
    return failure === undefined;
  };
  const parameters: fc.Parameters<[FuzzCase]> = {
    numRuns: shardRuns(options.runs, options.shard),
    seed,
    // The directed cases first, in every shard: a handful of runs that take the handshake
    // corners random schedules seldom meet (checker/fuzz/directed.ts).
    examples: DIRECTED.filter((d) => options.modes.includes(d.fuzzCase.mode)).map((d) => [
      d.fuzzCase,
    ]),
    ...(options.timeMs === null
      ? {}
      : { interruptAfterTimeLimit: options.timeMs, markInterruptAsFailure: false }),
  };
  const finish = (report: fc.RunDetails<[FuzzCase]>, interrupted: boolean): CampaignResult => {
    progress();
    const elapsed = seconds();
    const shrunk = report.failed ? (report.counterexample?.[0] as FuzzCase | undefined) : undefined;
    return {
      runs,
      steps,
      seconds: elapsed,
      faults,
      hits: [...hits].sort(),
      violated: [...violated].sort(),
      failure:
        shrunk === undefined
          ? null
          : describeFailure(shrunk, {
              play,
              target: options.target,
              livenessStepMax: bound,
              now,
              detected: { shrinkSteps, secondsToDetect: failedAtSeconds ?? 0, runsToDetect },
            }),
      seed,
      interrupted,
    };
  };
  return { arbitrary: caseArbitrary(shape), body, parameters, finish };
}
