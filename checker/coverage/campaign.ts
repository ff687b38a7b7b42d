/**
 * The coverage campaign: runs that between them take every transition of every stage
 * machine that a run can take (the rest is `UNREACHABLE`, with reasons).
 *
 * - every scenario of `kd run` on both paths, with its actions at their times and the run
 *   going on long enough for the stages' retry and resync timers to fire;
 * - the same scenarios under the `artifact` profile and under every mutant's switch flip
 *   (the `broad` campaign; the `quick` one keeps only the flips that reach a transition
 *   nothing else reaches, listed in `QUICK_FLIPS`);
 * - the probes (`probes.ts`): scripted runs that make a fault meet a client in round 1 or
 *   round 2 of a handshake, which random schedules manage only now and then;
 * - random fault schedules played by the fuzzer's `runSchedule` (both paths).
 *
 * The campaign checks no property (the fuzzer and `kd run` do); it only feeds the recorder.
 */
import fc from 'fast-check';
import {
  makeScenario,
  SCENARIO_NAMES,
  type Scenario,
  type ScenarioParams,
  scenarioConfig,
} from '../../impl/runtime/scenarios.js';
import { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type { SimOptions } from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import type { Config } from '../../spec/types/config.js';
import { MUTANTS, makeConfig } from '../../spec/types/mutants.js';
import { scheduleArbitrary } from '../fuzz/draw.js';
import { runSchedule } from '../fuzz/run-schedule.js';
import { PROBES } from './probes.js';
import { CoverageRecorder } from './recorder.js';
import type { CoverageReport } from './report.js';

export type CampaignDepth = 'quick' | 'broad';

export interface CampaignOptions {
  /** `quick` (the test suite's, well under a minute) or `broad` (every flip, more schedules). */
  readonly depth?: CampaignDepth;
  /** Add to this recorder (for instance one that already saw `kd check`'s own runs). */
  readonly recorder?: CoverageRecorder;
  /**
   * Random fault schedules per path (default: 60 quick, 300 broad). A caller whose own runs
   * are fuzz runs already (`kd check`) can pass 0 and add only scenarios, flips and probes.
   */
  readonly schedules?: number;
  /** fast-check seed of the schedules (default 1). */
  readonly seed?: number;
  /** Called before each run with a one-line label (progress). */
  readonly onRun?: (label: string) => void;
}

export interface CampaignResult {
  readonly report: CoverageReport;
  readonly runs: number;
}

/** Small enough to be quick, large enough for every hazard: two functions, three nodes. */
export const CAMPAIGN_PARAMS: ScenarioParams = { pods: 4, nodes: 3, functions: 2 };
const MODES: readonly Mode[] = ['direct', 'api'];
/** After a scenario's last action: past the 1 s resync and 2 s dirty re-check timers. */
const SETTLE_MS = 5000;
const SCENARIO_STEP_MAX = 60_000;
const SCHEDULE_LENGTH = 60;
const LIVENESS_STEP_MAX = 20_000;

/**
 * The switch flips the quick campaign runs besides `hardened`: each reaches a transition
 * that no hardened run takes (the broad campaign runs them all and shows which).
 */
export const QUICK_FLIPS: readonly string[] = ['no-fence'];

export const coverageCampaign = (options: CampaignOptions = {}): CampaignResult => {
  const depth = options.depth ?? 'quick';
  const recorder = options.recorder ?? new CoverageRecorder();
  let runs = 0;
  const label = (text: string) => {
    runs += 1;
    options.onRun?.(text);
  };
  for (const config of campaignConfigs(depth))
    for (const name of SCENARIO_NAMES)
      for (const mode of MODES) {
        label(`scenario ${name} ${mode} ${config.mutant ?? config.profile}`);
        playScenario(makeScenario(name, CAMPAIGN_PARAMS), config, mode, recorder.onTransition);
      }
  for (const probe of PROBES) {
    label(`probe ${probe.name}`);
    probe.play(recorder.onTransition);
  }
  const count = options.schedules ?? (depth === 'quick' ? 60 : 300);
  playSchedules(count, options.seed ?? 1, recorder.onTransition, label);
  return { report: recorder.report(), runs };
};

/**
 * `autoscalerLink: 'direct'`, which no profile or mutant sets: the autoscaler's link and the
 * Deployment controller's server end exist only under it.
 */
const DIRECT_LINK = 'hardened:autoscalerLink=direct';

/** `count` random fault schedules on the `burst` scenario, each on both paths. */
const playSchedules = (
  count: number,
  seed: number,
  onTransition: NonNullable<SimOptions['onTransition']>,
  label: (text: string) => void,
): void => {
  if (count <= 0) return;
  const schedules = fc.sample(scheduleArbitrary(SCHEDULE_LENGTH), { numRuns: count, seed });
  const scenario = makeScenario('burst', CAMPAIGN_PARAMS);
  const config = scenarioConfig(makeConfig('up', 'hardened', null));
  for (const [i, schedule] of schedules.entries())
    for (const mode of MODES) {
      label(`schedule ${i + 1}/${count} ${mode}`);
      runSchedule({
        scenario,
        config,
        mode,
        registry: STAGES,
        seed: i + 1,
        schedule,
        livenessStepMax: LIVENESS_STEP_MAX,
        onTransition,
      });
    }
};

/** Hardened, then (broad) the artifact profile and every mutant, or (quick) `QUICK_FLIPS`. */
const campaignConfigs = (depth: CampaignDepth): Config[] => {
  const hardened = makeConfig('up', 'hardened', null);
  const flips = depth === 'broad' ? MUTANTS.map((m) => m.name) : QUICK_FLIPS;
  const direct = makeConfig('up', DIRECT_LINK, null);
  const others =
    depth === 'broad' ? [makeConfig('up', 'artifact', null), direct] : ([direct] as Config[]);
  // The flips run with the direct autoscaler link on, so that they reach its transitions too.
  const profile = depth === 'broad' ? 'hardened' : DIRECT_LINK;
  return [hardened, ...others, ...flips.map((m) => makeConfig('up', profile, m))].map(
    scenarioConfig,
  );
};

/**
 * One scenario with its actions at their times (as `kd run` plays it), then on until
 * `SETTLE_MS` after the last one, so that retry and resync timers fire.
 */
export const playScenario = (
  scenario: Scenario,
  config: Config,
  mode: Mode,
  onTransition: NonNullable<SimOptions['onTransition']>,
  seed = 1,
): void => {
  const cluster = new SimCluster({
    config,
    mode,
    registry: STAGES,
    topology: scenario.topology,
    seed,
    onTransition,
  });
  const actions = [...scenario.actions].sort((a, b) => a.atMs - b.atMs);
  for (const timed of actions) {
    const run = runDefault(cluster, { stepMax: SCENARIO_STEP_MAX, untilMs: timed.atMs });
    if (run.end === 'stepMax') return;
    if (cluster.nowMs < timed.atMs) cluster.apply({ type: 'advance', toMs: timed.atMs });
    cluster.apply(timed.action);
  }
  const lastMs = actions.at(-1)?.atMs ?? cluster.nowMs;
  runDefault(cluster, { stepMax: SCENARIO_STEP_MAX, untilMs: lastMs + SETTLE_MS });
};
