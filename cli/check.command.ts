// `kd check`: fuzz the implementation with crashes, drops, timeouts, outages and API writes,
// check every property at every step, shrink the first failure, save it as a counterexample
// and print the property table, coverage and the shrunk trace.
//
// `--workers N` runs N shards of the campaign as child processes and merges their results;
// `--shard i/n --out FILE` runs one shard (a Kubernetes Indexed Job runs one per pod, see
// docs/check-job.yaml) and `kd merge` combines the files.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import ms from 'ms';
import type { CampaignResult, Shard } from '../checker/check/campaign.js';
import type { CampaignSummary } from '../checker/check/summary.js';
import { outFileProblem, writeAtomically } from '../checker/out-file.js';
import {
  type CheckBudget,
  checkProgress,
  progressJson,
  sumProgress,
  workerProgress,
} from './check-progress.js';
import { onInterrupt } from './interrupt.js';
import { positive, seedOption } from './run.command.js';
import { EXIT_INTERRUPTED, messageOf, usageError } from './usage.js';

export interface CheckCliOptions {
  readonly profile: string;
  readonly mutant?: string;
  readonly property?: string;
  readonly preset: string;
  readonly runs?: number;
  readonly time?: number;
  readonly seed: number;
  readonly mode: string;
  readonly workers: number;
  readonly shard?: Shard;
  readonly out?: string;
  readonly json?: boolean;
  /** Commander's `--no-save` sets this to false. */
  readonly save: boolean;
  /** Commander's `--no-conformance` sets this to false. */
  readonly conformance: boolean;
  /** A worker of `--workers`: progress as JSON lines on stderr, for the parent to add up. */
  readonly progressJson?: boolean;
}

export interface CheckIo {
  readonly stdout: (text: string) => void;
  readonly stderr: { write: (text: string) => void; readonly isTTY: boolean };
  /** stderr when it is a terminal: the progress is a bar there. */
  readonly terminal?: NodeJS.WriteStream;
  readonly cwd: string;
  readonly counterexamplesDir: string;
}

/** The default budget when neither `--runs` nor `--time` is given. */
const DEFAULT_RUNS = 1000;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'Fuzz the implementation (sim runtime) with faults and API writes; shrink and save failures',
    )
    .option(
      '--profile <name>',
      'design-switch profile: hardened | artifact, optionally with switches set otherwise (hardened:autoscalerLink=direct)',
      'hardened',
    )
    .option('--mutant <name>', 'flip one switch from hardened (see kd explore --list-mutants)')
    .option(
      '--property <name>',
      'hunt for one property: only its violation ends the campaign (default: any; a mutant: its own)',
    )
    .option('--preset <name>', 'bounds of the drawn topologies and schedules (tiny|small)', 'small')
    .option(
      '--runs <n>',
      `cases to run (default ${DEFAULT_RUNS}, or unbounded with --time)`,
      positive('--runs'),
    )
    .option('--time <duration>', 'stop after this long (60s, 2m, 500ms)', parseDuration)
    .option('--seed <s>', 'seed the cases are drawn from', seedOption, 1)
    .option('--mode <mode>', 'direct | api | both (default both; direct under a mutant)', '')
    .option(
      '--workers <n>',
      'run the campaign in n processes (the machine has more cores?)',
      positive('--workers'),
      1,
    )
    .option('--shard <i/n>', 'run shard i of n (0-based) of the campaign', parseShard)
    .option('--out <file>', 'also write the result as JSON, for kd merge')
    .option('--json', 'print one JSON object instead of tables')
    .option('--no-save', 'do not write a counterexample file')
    .option('--no-conformance', 'do not check implementation steps against the model')
    .addOption(new Option('--progress-json').hideHelp())
    .action(async (options: CheckCliOptions) => {
      process.exitCode = await runCheck(options, defaultIo());
    });
}

/** The repository's counterexamples, which no `--out` may overwrite. */
export const COUNTEREXAMPLES_DIR = fileURLToPath(new URL('../counterexamples/', import.meta.url));

function defaultIo(): CheckIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    ...(process.stderr.isTTY ? { terminal: process.stderr } : {}),
    cwd: process.cwd(),
    counterexamplesDir: COUNTEREXAMPLES_DIR,
  };
}

/**
 * `60s`, `2m`, `500ms`, `1.5h` (read by `ms`), or a bare number of seconds (which `ms`
 * would read as milliseconds) → milliseconds.
 */
export function parseDuration(value: string): number {
  const text = value.trim();
  const durationMs = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : ms(text);
  if (durationMs === undefined || !Number.isFinite(durationMs))
    throw new InvalidArgumentError('expected a duration such as 60s, 2m or 500ms');
  if (durationMs <= 0) throw new InvalidArgumentError('expected a positive duration');
  return durationMs;
}

/** `i/n` with 0 ≤ i < n. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count)
    throw new InvalidArgumentError('expected i/n with 0 <= i < n, such as 0/4');
  return { index, count };
}

/**
 * Exit code: 0 no violation (a mutant, or the artifact hunting one property: that property
 * violated), 1 otherwise, 2 usage error, 130 interrupted (a partial result, saved).
 */
export async function runCheck(options: CheckCliOptions, io: CheckIo): Promise<number> {
  const out = options.out === undefined ? undefined : resolve(io.cwd, options.out);
  const problem = out === undefined ? null : outFileProblem(out, io.counterexamplesDir);
  if (problem !== null) return usageError(io.stderr.write, 'check', `--out: ${problem}`);
  const setup = await prepare(options, io);
  if (typeof setup === 'number') return setup;
  const running: Running = { children: new Set(), dir: null };
  const interrupt = onInterrupt(
    io.stderr.write,
    () => {
      for (const child of running.children) child.kill('SIGINT');
    },
    () => stopWorkers(running),
  );
  try {
    const summary =
      options.workers > 1 && options.shard === undefined
        ? await runWorkers(options, setup, io, running, interrupt.requested)
        : await runHere(options, setup, io, interrupt.requested);
    if (out !== undefined) writeAtomically(out, `${JSON.stringify(summary, null, 2)}\n`);
    const { print } = await import('../checker/check/output.js');
    io.stdout(`${print(summary, setup.target, options.json === true, io.cwd).join('\n')}\n`);
    if (summary.partial) return savePartial(summary, out, io);
    return exitCode(summary, setup.target);
  } finally {
    interrupt.dispose();
  }
}

type Setup = Awaited<ReturnType<typeof import('../checker/check/setup.js').setupCampaign>>;

async function prepare(options: CheckCliOptions, io: CheckIo): Promise<Setup | number> {
  const { setupCampaign } = await import('../checker/check/setup.js');
  try {
    return await setupCampaign({
      profile: options.profile,
      mutant: options.mutant ?? null,
      property: options.property ?? null,
      preset: options.preset,
      mode: options.mode,
      runs: options.runs ?? (options.time === undefined ? DEFAULT_RUNS : Number.MAX_SAFE_INTEGER),
      timeMs: options.time ?? null,
      seed: options.seed,
      shard: options.shard ?? null,
      conformance: options.conformance,
    });
  } catch (error) {
    return usageError(io.stderr.write, 'check', messageOf(error));
  }
}

/**
 * A campaign stopped by Ctrl-C: its result so far is saved (to `--out`, else to a file in the
 * temporary folder, never into the checkout) and named partial; exit 130. The file stays: it
 * is the user's result, named on the terminal.
 */
function savePartial(summary: CampaignSummary, out: string | undefined, io: CheckIo): number {
  const path = out ?? join(tmpdir(), `kd-check-partial-${process.pid}.json`);
  if (out === undefined) writeAtomically(path, `${JSON.stringify(summary, null, 2)}\n`);
  io.stderr.write(
    `kd check: interrupted: a PARTIAL result of ${summary.runs.toLocaleString('en-US')} runs (the properties hold over those runs only), saved to ${path}\n`,
  );
  return EXIT_INTERRUPTED;
}

/** What Ctrl-C must stop besides this process: `--workers`' processes and their folder. */
interface Running {
  readonly children: Set<ChildProcess>;
  dir: string | null;
}

/** A second Ctrl-C: the workers are killed and their folder removed before `kd` exits. */
function stopWorkers(running: Running): void {
  for (const child of running.children) child.kill('SIGKILL');
  if (running.dir !== null) rmSync(running.dir, { recursive: true, force: true });
}

async function runHere(
  options: CheckCliOptions,
  setup: Setup,
  io: CheckIo,
  interrupted: () => boolean,
): Promise<CampaignSummary> {
  const progress = options.progressJson
    ? progressJson(io.stderr.write)
    : options.json
      ? undefined
      : checkProgress(io.stderr, budgetOf(options, setup), setup.guards, io.terminal);
  const result: CampaignResult = await setup.runInterruptible(progress?.report, interrupted);
  progress?.done();
  const saved =
    options.save && result.failure ? setup.save(result.failure, io.counterexamplesDir) : null;
  return setup.summarise(result, saved === null ? null : relative(io.cwd, saved));
}

const budgetOf = (options: CheckCliOptions, setup: Setup): CheckBudget => ({
  runs: setup.runs >= Number.MAX_SAFE_INTEGER ? null : setup.runs,
  timeMs: options.time ?? null,
});

/** `--workers n`: n child processes, shard i of n each, merged here. */
async function runWorkers(
  options: CheckCliOptions,
  setup: Setup,
  io: CheckIo,
  running: Running,
  interrupted: () => boolean,
): Promise<CampaignSummary> {
  const cli = fileURLToPath(new URL('./kd.ts', import.meta.url));
  const seen = workerProgress(options.workers);
  const progress = options.json
    ? undefined
    : checkProgress(io.stderr, budgetOf(options, setup), setup.guards, io.terminal);
  // The workers' results. Made right before the `try` whose `finally` removes it, as does a
  // second Ctrl-C (stopWorkers): no way out of this function leaves it behind.
  const dir = mkdtempSync(join(tmpdir(), 'kd-check-'));
  running.dir = dir;
  try {
    const files = await Promise.all(
      Array.from({ length: options.workers }, (_, i) => {
        const out = join(dir, `shard-${i}.json`);
        const args = [
          ...process.execArgv,
          cli,
          'check',
          ...shardArgs(options),
          '--shard',
          `${i}/${options.workers}`,
          '--out',
          out,
          '--json',
          '--no-save',
          '--progress-json',
        ];
        const onStderr = (chunk: string) => {
          seen.take(i, chunk);
          progress?.report(sumProgress(seen.latest()));
        };
        const worker = { args, onStderr, otherText: () => seen.otherText(i) };
        return runChild(worker, io, running.children).then((reported) => (reported ? out : null));
      }),
    );
    const merged = await mergeWorkers(files, setup, interrupted);
    // A worker found a failure: replay its case here (deterministic) to save the file.
    if (merged.failure && options.save) {
      const saved = setup.saveFromSummary(merged.failure, io.counterexamplesDir);
      return { ...merged, failure: { ...merged.failure, counterexample: relative(io.cwd, saved) } };
    }
    return merged;
  } finally {
    progress?.done();
    // A worker that crashed fails the campaign: the others are stopped, not left running.
    stopWorkers(running);
  }
}

/**
 * The workers' results as one: every shard of the campaign, or after Ctrl-C the shards that
 * reported (a worker stopped before its handler was set reports nothing), marked partial.
 */
async function mergeWorkers(
  files: readonly (string | null)[],
  setup: Setup,
  interrupted: () => boolean,
): Promise<CampaignSummary> {
  const { loadCampaign, loadPartialCampaign } = await import('../checker/check/setup.js');
  const reported = files.filter((file): file is string => file !== null);
  if (!interrupted()) return loadCampaign(reported);
  if (reported.length > 0) return loadPartialCampaign(reported);
  const nothing = { runs: 0, steps: 0, seconds: 0, faults: {}, hits: [], violated: [] };
  return setup.summarise({ ...nothing, failure: null, seed: 0, interrupted: true }, null);
}

/** The options a worker runs with: the campaign's own, without workers and output flags. */
function shardArgs(options: CheckCliOptions): string[] {
  const args = [
    '--profile',
    options.profile,
    '--preset',
    options.preset,
    '--seed',
    String(options.seed),
  ];
  if (options.mutant !== undefined) args.push('--mutant', options.mutant);
  if (options.property !== undefined) args.push('--property', options.property);
  if (options.runs !== undefined) args.push('--runs', String(options.runs));
  if (options.time !== undefined) args.push('--time', `${options.time}ms`);
  if (options.mode !== '') args.push('--mode', options.mode);
  if (!options.conformance) args.push('--no-conformance');
  return args;
}

/** A worker: its stderr goes to `onStderr`; `otherText` is what to show if it fails. */
interface WorkerRun {
  readonly args: string[];
  readonly onStderr: (chunk: string) => void;
  readonly otherText: () => string;
}

/** Runs one worker; resolves to whether it reported (false: stopped by a signal). */
function runChild(
  { args, onStderr, otherText }: WorkerRun,
  io: CheckIo,
  children: Set<ChildProcess>,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // A process group of its own: Ctrl-C reaches the workers once, forwarded by this process
    // (which then waits for their partial results), not also from the terminal.
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    children.add(child);
    child.stderr.on('data', (chunk: Buffer) => onStderr(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      // A worker exits 1 when it finds a violation, 130 when interrupted with a partial
      // result; only a crash (no result) is an error.
      if (code === 0 || code === 1 || code === EXIT_INTERRUPTED) resolve(true);
      else if (code === null && signal === 'SIGINT') resolve(false);
      else {
        io.stderr.write(otherText());
        reject(new Error(`a worker exited with code ${code}`));
      }
    });
  });
}

/**
 * A campaign that expects failures (a mutant, or the artifact's behaviour) succeeds when
 * its target property is violated; the hardened design, when nothing is.
 */
function exitCode(summary: CampaignSummary, target: string | null): number {
  const expectsFailure = summary.mutant !== null || summary.profile === 'artifact';
  if (target !== null && expectsFailure) return summary.violated.includes(target) ? 0 : 1;
  return summary.violated.length === 0 ? 0 : 1;
}

export const readSummaryFile = (file: string): string => readFileSync(file, 'utf8');
