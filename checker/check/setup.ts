/**
 * One `kd check` campaign set up from the command line's options: the configuration (a
 * mutant's campaign runs the direct path and fails only on the mutant's property), the
 * coverage recorder, the conformance check, and what is done with the result (the summary,
 * the counterexample file).
 */
import { readFileSync } from 'node:fs';
import type { Mode } from '../../impl/stages/io.js';
import { CATALOGUE, propertyKind } from '../../properties/catalogue.js';
import { findMutant } from '../../spec/types/mutants.js';
import { BadFileError } from '../bad-file.js';
import { CoverageRecorder, type CoverageReport, mergeCoverage } from '../coverage/index.js';
import { caseConfig, checkPreset } from '../fuzz/case.js';
import { shapeFor } from '../fuzz/shapes.js';
import { describeIssue } from '../trace/load.js';
import { saveCounterexample } from '../trace/save.js';
import {
  type CampaignFailure,
  type CampaignProgress,
  type CampaignResult,
  runCampaign,
  runCampaignInterruptible,
  runCase,
  type Shard,
  type StepCheck,
  underBound,
} from './campaign.js';
import { fuzzCaseOf, implCaseOf, toCheckCounterexample, traceLines } from './counterexample.js';
import { checkShardSet } from './shards.js';
import {
  type CampaignSummary,
  CampaignSummarySchema,
  type FailureSummary,
  mergeSummaries,
} from './summary.js';

interface SetupOptions {
  readonly profile: string;
  readonly mutant: string | null;
  readonly preset: string;
  /** direct | api | both | '' (the default: both, direct only under a mutant). */
  readonly mode: string;
  readonly runs: number;
  readonly timeMs: number | null;
  readonly seed: number;
  readonly shard: Shard | null;
  readonly conformance: boolean;
  /**
   * Hunt for one property: only its violation stops the campaign and is shrunk (default:
   * the mutant's property under a mutant, else any property).
   */
  readonly property?: string | null;
}

type ProgressWithCoverage = (p: CampaignProgress & { coverage?: string }) => void;

/** The property whose violation ends a campaign (null: any). */
const targetOf = (options: SetupOptions): string | null => {
  if (options.property) {
    if (propertyKind(options.property) === undefined)
      throw new Error(`unknown property '${options.property}' (see docs/catalogue.md)`);
    return options.property;
  }
  return options.mutant === null ? null : (findMutant(options.mutant)?.property ?? null);
};

const modesFor = (mode: string, mutant: string | null): Mode[] => {
  if (mode === '') return mutant === null ? ['direct', 'api'] : ['direct'];
  if (mode === 'both') return ['direct', 'api'];
  if (mode === 'direct' || mode === 'api') return [mode];
  throw new Error(`unknown --mode '${mode}' (known: direct, api, both)`);
};

export async function setupCampaign(options: SetupOptions) {
  const shape = shapeFor(options.mutant);
  // A mutant's shape may bound its cases differently (checker/fuzz/shapes.ts).
  const preset = { ...checkPreset(options.preset), ...shape.preset };
  // Validates the profile and mutant names with a clear error.
  const config = caseConfig(options.profile, options.mutant);
  const target = targetOf(options);
  const modes = modesFor(options.mode, options.mutant);
  const recorder = new CoverageRecorder();
  const stepCheck = options.conformance ? await conformanceFor(config) : undefined;
  const campaign = {
    profile: options.profile,
    mutant: options.mutant,
    preset,
    modes,
    runs: options.runs,
    timeMs: options.timeMs,
    seed: options.seed,
    shard: options.shard,
    target,
    tenants: shape.tenants ?? true,
    weights: shape.weights,
    onTransition: recorder.onTransition,
    ...(stepCheck ? { stepCheck } : {}),
  };
  const save = saverFor(options, config, preset.name);
  const withProgress = (onProgress: ProgressWithCoverage | undefined) => ({
    ...campaign,
    ...(onProgress
      ? {
          onProgress: (p: CampaignProgress) =>
            onProgress({ ...p, coverage: coverageShort(recorder.report()) }),
        }
      : {}),
  });
  return {
    runs: options.runs,
    /** Reachability guards a campaign should hit. */
    guards: CATALOGUE.reachability.length,
    target,
    run: (onProgress?: ProgressWithCoverage): CampaignResult =>
      runCampaign(withProgress(onProgress)),
    /** `run` that stops, with the result so far, once `interrupted()` (Ctrl-C). */
    runInterruptible: (
      onProgress: ProgressWithCoverage | undefined,
      interrupted: () => boolean,
    ): Promise<CampaignResult> => runCampaignInterruptible(withProgress(onProgress), interrupted),
    save,
    /** A failure found by a worker: replayed here to save its file. */
    saveFromSummary: (failure: FailureSummary, dir: string): string => {
      const fuzzCase = fuzzCaseOf(failure.case);
      const { livenessStepMax } = failure.case;
      const outcome = runCase(fuzzCase, underBound(campaign, livenessStepMax), true);
      return save({ ...failure, fuzzCase, outcome, shrinkSteps: 0, livenessStepMax }, dir);
    },
    summarise: (result: CampaignResult, counterexample: string | null): CampaignSummary => ({
      format: 1,
      kind: 'kd-check-result',
      profile: options.profile,
      mutant: options.mutant,
      preset: preset.name,
      modes,
      seed: options.seed,
      shard: options.shard === null ? null : `${options.shard.index}/${options.shard.count}`,
      conformance: options.conformance,
      runs: result.runs,
      steps: result.steps,
      seconds: result.seconds,
      faults: result.faults,
      hits: [...result.hits],
      violated: [...result.violated],
      failure:
        result.failure === null
          ? null
          : failureSummary(result.failure, counterexample, preset.name),
      coverage: recorder.report(),
      ...(result.interrupted ? { partial: true } : {}),
    }),
  };
}

/**
 * The conformance check per mode; loaded only when asked for, as deriving the model's
 * footprints costs a few seconds.
 */
const conformanceFor = async (
  config: ReturnType<typeof caseConfig>,
): Promise<(mode: Mode) => StepCheck> => {
  const { conformanceCheck } = await import('./conformance.js');
  return (mode: Mode) => conformanceCheck(config, mode);
};

/** Saves a campaign's failure as a counterexample file in `dir`; returns its path. */
const saverFor =
  (options: SetupOptions, config: ReturnType<typeof caseConfig>, presetName: string) =>
  (failure: CampaignFailure, dir: string): string =>
    saveCounterexample(
      toCheckCounterexample({
        config,
        property: failure.property,
        kind: fileKind(failure.kind),
        message: failure.message,
        fuzzCase: failure.fuzzCase,
        outcome: failure.outcome,
        checkPreset: presetName,
        livenessStepMax: failure.livenessStepMax,
        expected:
          options.mutant !== null || options.profile === 'artifact' ? 'expected-failure' : 'open',
        seed: options.seed,
        command: commandLine(options),
        createdBy: 'kd check',
      }),
      dir,
    );

/** The failure as `--json` and `--out` report it: which property, when, how small. */
const failureSummary = (
  failure: CampaignFailure,
  counterexample: string | null,
  presetName: string,
): FailureSummary => ({
  property: failure.property,
  kind: failure.kind,
  message: failure.message,
  counterexample,
  secondsToDetect: failure.secondsToDetect,
  runsToDetect: failure.runsToDetect,
  traceSteps: failure.outcome.trace.length,
  choices: failure.fuzzCase.schedule.length,
  trace: traceLines(failure.outcome),
  case: implCaseOf(failure.fuzzCase, presetName, failure.livenessStepMax),
});

const fileKind = (kind: CampaignFailure['kind']) =>
  kind === 'conformance' ? 'conformance' : kind === 'eventually' ? 'liveness' : 'safety';

/** `transitions 412/460`: the progress line's coverage. */
const coverageShort = (report: CoverageReport): string => {
  let visited = 0;
  let total = 0;
  for (const m of Object.values(report.machines)) {
    visited += m.transitions.visited;
    total += m.transitions.total;
  }
  return `transitions ${visited}/${total}`;
};

const commandLine = (o: SetupOptions): string => {
  const parts = ['kd check', `--profile ${o.profile}`, `--preset ${o.preset}`, `--seed ${o.seed}`];
  if (o.mutant !== null) parts.push(`--mutant ${o.mutant}`);
  if (o.property) parts.push(`--property ${o.property}`);
  if (o.mode !== '') parts.push(`--mode ${o.mode}`);
  return parts.join(' ');
};

/** Reads and validates `kd check --out` files; errors name the file and the field. */
const loadSummaries = (files: readonly string[]): CampaignSummary[] =>
  files.map((file) => {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new BadFileError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = CampaignSummarySchema.safeParse(value);
    if (!parsed.success)
      throw new BadFileError(
        `${file}: ${parsed.error.issues.slice(0, 3).map(describeIssue).join('; ')}`,
      );
    return parsed.data;
  });

/**
 * The shards that reported before Ctrl-C stopped a `--workers` campaign, merged and marked
 * partial: a worker interrupted before it could report is missing, so the set is not checked.
 */
export const loadPartialCampaign = (files: readonly string[]): CampaignSummary => ({
  ...mergeAll(loadSummaries(files)),
  partial: true,
});

/** The files of every shard of one campaign (`checker/check/shards.ts`), merged. */
export const loadCampaign = (files: readonly string[]): CampaignSummary => {
  const summaries = loadSummaries(files);
  checkShardSet(summaries.map((summary, i) => ({ file: files[i] ?? '', summary })));
  return mergeAll(summaries);
};

const mergeAll = (summaries: readonly CampaignSummary[]): CampaignSummary => {
  const [first, ...rest] = summaries;
  if (!first) throw new Error('nothing to merge');
  return rest.reduce(
    (a, b) =>
      mergeSummaries(a, b, (x, y) => mergeCoverage(x as CoverageReport, y as CoverageReport)),
    first,
  );
};
