// `kd explore`: run the exhaustive explorer on one configuration, print the property table
// and the shortest trace of every violation, and save each one as a counterexample file.
//
// The model and the catalogue are loaded lazily inside the action, so `kd --help` and
// `kd explore --list-mutants` stay fast and work even while the model is being changed.
// Everything printed is built by exported pure functions, which the tests call directly.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import type { Colors } from 'picocolors/types.js';
import { table } from '../checker/check/print.js';
import { changedFieldsView, rerunLine } from '../checker/trace/changes.js';
import { formatTrace } from '../checker/trace/format.js';
import { saveCounterexample } from '../checker/trace/save.js';
import type { Counterexample, Expected } from '../checker/trace/schema.js';
import { exploreParallel, type WorkerSpec } from '../spec/explore/parallel.js';
import {
  exploreSuite,
  exploreSuiteAsync,
  type Finding,
  type SuitePart,
  type SuiteResult,
} from '../spec/explore/suite.js';
import type {
  ExploreResult,
  Progress,
  PropertyResult,
  PropertyStatus,
  Violation,
} from '../spec/explore.js';
import type { Model } from '../spec/model.js';
import type { Catalogue, Config, Mutant } from '../spec/types/index.js';
import { findMutant, MUTANTS, makeConfigs, mutantPreset } from '../spec/types/mutants.js';
import { onInterrupt } from './interrupt.js';
import { liveLine } from './progress-line.js';
import { messageOf, usageError } from './usage.js';

export interface ExploreCliOptions {
  /** A suite or one preset; default `tiny`. */
  readonly preset?: string;
  readonly profile: string;
  readonly mutant?: string;
  readonly listMutants?: boolean;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly json?: boolean;
  /** Commander's `--no-save` sets this to false. */
  readonly save: boolean;
  readonly keepGoing?: boolean;
  /** Threads to split the search over; 1 (the default) searches on this one. */
  readonly workers?: number;
}

/** Where output goes and what the run is checked against; the tests supply their own. */
export interface ExploreIo {
  readonly stdout: (text: string) => void;
  readonly stderr: { write: (text: string) => void; readonly isTTY: boolean };
  readonly colors: Colors;
  readonly cwd: string;
  readonly counterexamplesDir: string;
  readonly load: () => Promise<{
    build: (config: Config) => Model<unknown>;
    catalogue: Catalogue;
    /** How a worker thread of `--workers` builds the same model and catalogue. */
    worker?: (config: Config) => WorkerSpec;
  }>;
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('Exhaustively explore the formal model on a preset and print the property table')
    .option(
      '--preset <name>',
      'suite or preset (tiny = up+down+retries+tenants+spread | revalidate | slots | surplus | updown | small; default tiny)',
    )
    .option(
      '--profile <name>',
      'design-switch profile: hardened | artifact, optionally with switches set otherwise (hardened:autoscalerLink=direct)',
      'hardened',
    )
    .option('--mutant <name>', 'flip one switch from hardened (see --list-mutants)')
    .option('--list-mutants', 'list the mutants with the property each must be caught by')
    .option('--max-states <n>', 'stop each preset after this many distinct states', parseMaxStates)
    .option(
      '--max-depth <n>',
      'expand no state n steps from the start: check every behaviour of up to n steps',
      parseMaxDepth,
    )
    .option('--json', 'print one JSON object instead of tables')
    .option('--no-save', 'do not write counterexample files')
    .option('--keep-going', 'record the first violation of every property instead of stopping')
    .option(
      '--workers <n>',
      'split the search over n threads (same states and verdicts; default 1)',
      parseWorkers,
    )
    .action(async (options: ExploreCliOptions) => {
      process.exitCode = await runExplore(options, defaultIo());
    });
}

/** A parser of a positive whole number of `what`, for commander. */
const positiveWhole =
  (what: string) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(`expected a positive whole number of ${what}`);
    }
    return parsed;
  };

export const parseMaxStates = positiveWhole('states');
export const parseMaxDepth = positiveWhole('steps');

/** More threads than this only add coordination: each level waits for the slowest shard. */
const MAX_WORKERS = 64;

export function parseWorkers(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < 1 || parsed > MAX_WORKERS) {
    throw new InvalidArgumentError(`expected a whole number of threads from 1 to ${MAX_WORKERS}`);
  }
  return parsed;
}

function defaultIo(): ExploreIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    colors: pc,
    cwd: process.cwd(),
    counterexamplesDir: fileURLToPath(new URL('../counterexamples/', import.meta.url)),
    load: loadWorld,
  };
}

async function loadWorld() {
  const [{ createWorldModel }, { CATALOGUE }, { exploreWorker }] = await Promise.all([
    import('../spec/world.js'),
    import('../properties/catalogue.js'),
    import('../checker/model/explore-worker.js'),
  ]);
  return {
    build: (config: Config) => createWorldModel(config) as Model<unknown>,
    catalogue: CATALOGUE,
    worker: exploreWorker,
  };
}

/** Runs the command and returns its exit code: 0 success, 1 a finding, 2 a usage error. */
export async function runExplore(options: ExploreCliOptions, io: ExploreIo): Promise<number> {
  if (options.listMutants) {
    const rows = mutantRows();
    io.stdout(
      options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${mutantTable(rows).join('\n')}\n`,
    );
    return 0;
  }
  const beyond = options.mutant === undefined ? undefined : findMutant(options.mutant)?.beyondModel;
  if (beyond !== undefined) {
    return usageError(
      io.stderr.write,
      'explore',
      `mutant ${options.mutant} is beyond the model (${beyond}); the fuzzer catches it: kd check --mutant ${options.mutant}`,
    );
  }
  let configs: Config[];
  try {
    configs = makeConfigs(presetFor(options), options.profile, options.mutant ?? null);
  } catch (error) {
    return usageError(io.stderr.write, 'explore', messageOf(error));
  }
  const warning = unboundedWarning(options);
  if (warning !== null) io.stderr.write(`${warning}\n`);
  const { build, catalogue, worker } = await io.load();
  const progress = options.json ? undefined : progressPrinter(io.stderr);
  const suiteOptions = {
    ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(progress === undefined ? {} : { onProgress: progress.report, onPart: progress.part }),
    stopAtFirstViolation: options.keepGoing !== true,
  };
  const workers = options.workers ?? 1;
  if (workers > 1 && worker === undefined) {
    io.stderr.write('kd: --workers: this run cannot start worker threads\n');
    return 2;
  }
  // On worker threads (one by default), so that this thread hears Ctrl-C during the search
  // and the search stops with what it found (`interrupted`); the tests' toy models, which
  // no thread can build, run here.
  const stop = new AbortController();
  const interrupt = worker === undefined ? null : onInterrupt(io.stderr.write, () => stop.abort());
  let suite: SuiteResult;
  try {
    suite =
      worker !== undefined
        ? await exploreSuiteAsync(
            configs,
            (config, partOptions) =>
              exploreParallel(build(config), catalogue, {
                ...partOptions,
                workers,
                worker: worker(config),
                signal: stop.signal,
              }),
            suiteOptions,
          )
        : exploreSuite(configs, build, catalogue, suiteOptions);
  } finally {
    interrupt?.dispose();
  }
  progress?.done();
  const saved = options.save ? saveAll(suite.findings, options, io) : [];
  const shown = saved.map((path) => relative(io.cwd, path));
  const mutant = options.mutant === undefined ? null : (findMutant(options.mutant) ?? null);
  const output = options.json
    ? JSON.stringify(jsonReport(suite.total, shown[0] ?? null))
    : report(suite.total, shown, mutant, io.colors, {
        preset: presetFor(options),
        parts: suite.parts,
        findings: suite.findings,
      }).join('\n');
  io.stdout(`${output}\n`);
  return exitCodeFor(suite.total, mutant);
}

/**
 * Presets whose exploration has never finished (README, "Presets"): past 570,000 and
 * 900,000 states, or, `small`, too large to try. Without `--max-states` they run until
 * memory runs out; the user is told so at the start, not after an hour.
 */
const NOT_KNOWN_TO_FINISH: readonly string[] = ['slots', 'rescale', 'small'];

/** The warning printed before exploring a preset not known to finish, or null. */
export function unboundedWarning(
  options: Pick<ExploreCliOptions, 'preset' | 'maxStates' | 'maxDepth'>,
) {
  const preset = presetFor(options);
  const bounded = options.maxStates !== undefined || options.maxDepth !== undefined;
  if (bounded || !NOT_KNOWN_TO_FINISH.includes(preset)) return null;
  return `kd explore: warning: preset ${preset} is not known to finish; it runs until memory runs out or Ctrl-C (which prints what was found): bound it with --max-states N or --max-depth N`;
}

/** The suite or preset to run: the one asked for, else `tiny`. */
export function presetFor(options: Pick<ExploreCliOptions, 'preset'>): string {
  return options.preset ?? 'tiny';
}

function mutantRows(): { name: string; property: string; preset: string; hazard: string }[] {
  return MUTANTS.map((m) => ({
    name: m.name,
    property: m.property,
    preset: mutantPreset(m),
    hazard: m.hazard,
  }));
}

export function mutantTable(rows = mutantRows()): string[] {
  return table(
    ['mutant', 'property', 'preset', 'hazard'],
    rows.map((m) => [m.name, m.property, m.preset, m.hazard]),
  );
}

function jsonReport(result: ExploreResult, counterexample: string | null) {
  return {
    states: result.states,
    complete: result.complete,
    // done, or why an incomplete run stopped: maxStates, maxDepth, violation, interrupted.
    stopReason: result.stopReason,
    depth: result.depth,
    levels: result.levels,
    statesPerSecond: Math.round(result.statesPerSecond),
    peakRssMb: peakRssMb(),
    collisionProbability: result.collisionProbability,
    properties: result.properties.map(({ name, kind, status }) => ({ name, kind, status })),
    counterexample,
  };
}

/**
 * 0 when the search completed and every safety and liveness property holds. A mutant is
 * the opposite case: catching it is the expected outcome, so 0 iff its named property was
 * violated (the search need not complete to show that).
 */
export function exitCodeFor(result: ExploreResult, mutant: Mutant | null): number {
  // Stopped by Ctrl-C: the shell's code for SIGINT, whatever was found before it.
  if (result.stopReason === 'interrupted') return 130;
  if (mutant !== null) return result.violations.some((v) => v.property === mutant.property) ? 0 : 1;
  const checked = result.properties.filter((p) => p.kind !== 'sometimes');
  return result.complete && checked.every((p) => p.status === 'holds') ? 0 : 1;
}

/** Findings under a mutant or the artifact profile are what those runs exist to show. */
function expectedOutcome(config: Config): Expected {
  return config.mutant !== null || config.profile === 'artifact' ? 'expected-failure' : 'open';
}

/** What the report says about the run besides its merged result. */
interface RunShape {
  /** The suite or preset asked for. */
  readonly preset: string;
  readonly parts: readonly SuitePart[];
  readonly findings: readonly Finding[];
}

export function report(
  result: ExploreResult,
  savedPaths: readonly string[],
  mutant: Mutant | null,
  colors: Colors,
  run: RunShape,
): string[] {
  const lines = [...propertyTable(result.properties, colors), '', ...summaryLines(result)];
  if (run.parts.length > 1 || run.parts[0]?.config.preset.name !== run.preset) {
    lines.push(partsLine(run));
  }
  run.findings.forEach(({ config, violation }, i) => {
    lines.push('', ...violationLines(violation, colors, config.preset.name));
    const saved = savedPaths[i];
    if (saved !== undefined) lines.push(`  saved ${saved}`, `  ${rerunLine(saved)}`);
  });
  if (mutant !== null) lines.push('', mutantVerdict(result, mutant, colors, run));
  return lines;
}

/** `tiny: up 218,211 + down 99,948 + …`: how a suite's states split over its parts. */
function partsLine(run: RunShape): string {
  const parts = run.parts.map(
    ({ config, result }) => `${config.preset.name} ${result.states.toLocaleString('en-US')}`,
  );
  return `${run.preset}: ${parts.join(' + ')}`;
}

export function propertyTable(properties: readonly PropertyResult[], colors: Colors): string[] {
  const lines = table(
    ['property', 'kind', 'status'],
    properties.map((p) => [p.name, p.kind, p.status]),
  );
  // Colour after padding, so escape codes never upset the column widths.
  return lines.map((line, i) => {
    const property = properties[i - 1];
    if (property === undefined) return colors.bold(line);
    const at = line.length - property.status.length;
    return line.slice(0, at) + statusColor(property.status, colors)(property.status);
  });
}

function statusColor(status: PropertyStatus, colors: Colors): (text: string) => string {
  switch (status) {
    case 'holds':
      return colors.green;
    case 'violated':
      return colors.red;
    case 'unexercised':
      return colors.yellow;
    case 'unknown':
      return colors.dim;
  }
}

function summaryLines(result: ExploreResult): string[] {
  const rate = Math.round(result.statesPerSecond).toLocaleString('en-US');
  const lines = [
    `states ${result.states.toLocaleString('en-US')}, transitions ${result.transitions.toLocaleString('en-US')}, ` +
      `depth ${result.depth}, ${result.seconds.toFixed(1)} s (${rate} states/s), peak memory ${peakRssMb().toLocaleString('en-US')} MB`,
    // As TLC reports it: states are told apart by 64-bit fingerprints of their keys.
    `visited states kept as 64-bit fingerprints: probability that two were merged ${result.collisionProbability.toExponential(1)}`,
  ];
  if (result.stopReason === 'maxStates') {
    lines.push(
      'incomplete: cut by --max-states; unviolated properties are unknown',
      levelsLine(result.levels, 'the last level is cut'),
    );
  } else if (result.stopReason === 'maxDepth') {
    lines.push(
      `bounded: cut by --max-depth at depth ${result.depth}: every behaviour of up to ${stepsOf(result.depth)} was checked, and a safety property not violated holds for all of them; beyond them, and for liveness, unknown`,
      levelsLine(result.levels, 'the last level is not expanded'),
    );
  } else if (result.stopReason === 'violation') {
    lines.push('incomplete: stopped at the first violation (--keep-going to go on)');
  } else if (result.stopReason === 'interrupted') {
    lines.push(
      'incomplete: interrupted (Ctrl-C): what was found so far; unviolated properties are unknown',
    );
  }
  return lines;
}

const stepsOf = (n: number): string => `${n} step${n === 1 ? '' : 's'}`;

/**
 * The process's peak resident memory (the kernel's count, worker threads included): what
 * decides how far a preset can go on a machine, as much as the time.
 */
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** A cut run's states per depth: a level still growing several-fold is far from the end. */
function levelsLine(levels: readonly number[], last: string): string {
  const counts = levels.map((n) => n.toLocaleString('en-US')).join(', ');
  return `states first met at depth 0, 1, ...: ${counts} (${last})`;
}

function violationLines(violation: Violation, colors: Colors, preset: string): string[] {
  const title = `${colors.red('violated')} ${colors.bold(violation.property)} (${violation.kind}) in preset ${preset}: ${violation.message}`;
  return [title, ...changedFieldsView(traceOf(violation)).map((line) => `  ${line}`)];
}

function traceOf(violation: Violation): string[] {
  return formatTrace({
    steps: violation.steps,
    summaries: violation.summaries,
    failingStep: violation.failingStep,
    cycleStart: violation.cycleStart ?? null,
  });
}

function mutantVerdict(
  result: ExploreResult,
  mutant: Mutant,
  colors: Colors,
  run: RunShape,
): string {
  if (result.violations.some((v) => v.property === mutant.property)) {
    return colors.green(`mutant ${mutant.name} caught by ${mutant.property}, as expected`);
  }
  const other = result.violations.map((v) => v.property).join(', ');
  const own = mutantPreset(mutant);
  const explored = run.parts.some((p) => p.config.preset.name === own);
  const hint =
    other !== ''
      ? ` (violated instead: ${other}; try --keep-going)`
      : explored
        ? ''
        : ` on preset ${run.preset}: its hazard shows in preset ${own} (part of tiny)`;
  return colors.red(`mutant ${mutant.name} NOT caught by ${mutant.property}${hint}`);
}

/** Saves each finding under its own part, so its file replays on that preset alone. */
function saveAll(
  findings: readonly Finding[],
  options: ExploreCliOptions,
  io: ExploreIo,
): string[] {
  return findings.map(({ config, violation }) =>
    saveCounterexample(
      toCounterexample(violation, config, commandLine(options, config), createdBy()),
      io.counterexamplesDir,
    ),
  );
}

function toCounterexample(
  violation: Violation,
  config: Config,
  command: string,
  creator: string,
): Counterexample {
  return {
    format: 1,
    kind: violation.kind === 'eventually' ? 'liveness' : 'safety',
    tool: 'explore',
    profile: config.profile,
    mutant: config.mutant,
    switches: { ...config.switches },
    preset: config.preset,
    property: violation.property,
    message: violation.message,
    failingStep: violation.failingStep,
    cycleStart: violation.cycleStart ?? null,
    steps: violation.steps.map(({ actor, label }) => ({ actor, label })),
    trace: traceOf(violation),
    expected: expectedOutcome(config),
    source: { command },
    createdBy: creator,
  };
}

/** The command that reproduces the finding on its own part, recorded in its `source`. */
export function commandLine(options: ExploreCliOptions, config: Config): string {
  const parts = ['kd explore', `--preset ${config.preset.name}`, `--profile ${options.profile}`];
  if (options.mutant !== undefined) parts.push(`--mutant ${options.mutant}`);
  if (options.maxStates !== undefined) parts.push(`--max-states ${options.maxStates}`);
  if (options.maxDepth !== undefined) parts.push(`--max-depth ${options.maxDepth}`);
  if (options.keepGoing) parts.push('--keep-going');
  return parts.join(' ');
}

function createdBy(): string {
  const url = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  return `kd explore ${pkg.version}`;
}

/** The exploration's progress line (`progress-line.ts`), naming the part of a suite. */
export function progressPrinter(
  stream: ExploreIo['stderr'],
  intervalMs = 5000,
  now: () => number = () => performance.now(),
) {
  const line = liveLine(stream, intervalMs, now);
  let partName = '';
  return {
    /** Each part of a suite is named in the progress line while it runs. */
    part: (config: Config): void => {
      partName = config.preset.name;
    },
    report: (progress: Progress): void => line.show(progressLine(progress, partName)),
    done: line.done,
  };
}

export function progressLine(progress: Progress, part = ''): string {
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  return (
    `exploring${part === '' ? '' : ` ${part}`}: ${count(progress.states)} states (${count(progress.statesPerSecond)}/s), ` +
    `depth ${progress.depth}, frontier ${count(progress.frontier)}, ${progress.seconds.toFixed(0)} s`
  );
}
