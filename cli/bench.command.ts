// `kd bench`: the direct path against the API path of the same stage machines, in real
// time (impl/runtime/realtime), interleaved in one process; a table on the terminal,
// `--json`, and docs/bench.md with a chart (see bench/realtime/).
//
// The benchmark is loaded lazily inside the action, so `kd --help` stays fast.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { figureLine } from '../bench/compare/figures.js';
import type { Report } from '../bench/realtime/aggregate.js';
import type { Selection } from '../bench/realtime/campaign.js';
import type { LimitsConfig, WorkloadName } from '../bench/realtime/workloads.js';
import { outFileProblem, writeAtomically } from '../checker/out-file.js';
// Plain SVG text from the rows: no heavy imports, so loaded eagerly.
import { w1Chart } from '../review/bench/svg.js';
import { COUNTEREXAMPLES_DIR } from './check.command.js';
import { positive } from './run.command.js';
import { usageError } from './usage.js';

export interface BenchCliOptions {
  readonly quick?: boolean;
  readonly full?: boolean;
  readonly json?: boolean;
  readonly reps?: number;
  readonly workload?: readonly WorkloadName[];
  readonly sizes?: readonly number[];
  readonly sandboxMs?: readonly number[];
  readonly config?: readonly LimitsConfig[];
  readonly out?: string;
  readonly live?: boolean;
  readonly kubeletProcesses?: number;
}

export interface BenchIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

const WORKLOAD_NAMES = ['W1', 'W2', 'W3', 'W5'] as const;
const CONFIG_NAMES = ['default-limits', 'unthrottled'] as const;
export const DEFAULT_DOC = 'docs/bench.md';

/** A comma-separated list of known names. */
const oneOf =
  <T extends string>(flag: string, known: readonly T[]) =>
  (value: string): T[] => {
    const items = value.split(',').map((s) => s.trim());
    const unknown = items.filter((s) => !(known as readonly string[]).includes(s));
    if (unknown.length > 0 || items.length === 0)
      throw new InvalidArgumentError(
        `${flag}: unknown '${unknown.join(',')}' (known: ${known.join(', ')})`,
      );
    return items as T[];
  };

/** A comma-separated list of whole numbers (at least `min`). */
const numbers =
  (flag: string, min: number) =>
  (value: string): number[] =>
    value.split(',').map((s) => {
      const n = Number(s.trim());
      if (!/^\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n < min)
        throw new InvalidArgumentError(`${flag} expects whole numbers ≥ ${min}, comma-separated`);
      return n;
    });

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Benchmark the direct path against the API path in real time; write docs/bench.md')
    .option('--quick', 'a subset in under two minutes (writes no doc unless --out)')
    .option(
      '--full',
      "the issue's whole matrix, W2 up to 600 functions and W3 up to 2,000 nodes (hours)",
    )
    .option('--json', 'print { rows, ratios } as JSON instead of tables')
    .option('--reps <n>', 'repetitions per cell (default 5, --quick 2)', positive('--reps'))
    .option('--workload <list>', 'W1,W2,W3,W5 (default all)', oneOf('--workload', WORKLOAD_NAMES))
    .option('--sizes <list>', 'only these sizes n, e.g. 100,600', numbers('--sizes', 1))
    .option('--sandbox-ms <list>', 'sandbox start delays, e.g. 0,200', numbers('--sandbox-ms', 0))
    .option(
      '--config <list>',
      'default-limits,unthrottled (default both)',
      oneOf('--config', CONFIG_NAMES),
    )
    .option('--out <file>', `write the report there (default ${DEFAULT_DOC}; none with --quick)`)
    .option(
      '--live',
      'W1 with the stages as processes over real sockets (docs/live.md), unthrottled; writes its own section of the doc',
    )
    .option(
      '--kubelet-processes <k>',
      'with --live: processes the kubelets are spread over (default 4)',
      positive('--kubelet-processes'),
    )
    .action(async (options: BenchCliOptions) => {
      const io = {
        out: (text: string) => process.stdout.write(text),
        err: (text: string) => process.stderr.write(text),
        cwd: process.cwd(),
      };
      if (!options.live && options.kubeletProcesses !== undefined) {
        io.err('kd: --kubelet-processes goes with --live\n');
        process.exitCode = 2;
        return;
      }
      if (options.live) {
        const { runLiveBench } = await import('./bench-live.js');
        process.exitCode = await runLiveBench(options, io);
        return;
      }
      process.exitCode = await runBench(options, io);
    });
}

/** Exit code: 0 when every run finished and W5 (if run) lost, duplicated and orphaned nothing. */
async function runBench(options: BenchCliOptions, io: BenchIo): Promise<number> {
  const [{ planOf, runCampaign }, { reportOf }, { goalsOf }, { machine }] = await Promise.all([
    import('../bench/realtime/campaign.js'),
    import('../bench/realtime/aggregate.js'),
    import('../bench/realtime/goals.js'),
    import('../bench/realtime/machine.js'),
  ]);
  if (options.quick && options.full) {
    io.err('kd: --quick and --full ask for two different runs; give one\n');
    return 2;
  }
  const plan = planOf(selectionOf(options));
  if (plan.cells.length === 0) {
    io.err('kd: the selection names no cell (see --workload and --sizes)\n');
    return 2;
  }
  const outFile = options.out ?? (options.quick ? undefined : DEFAULT_DOC);
  // Checked before the run, which can take an hour, rather than after it.
  const outPath = outFile === undefined ? undefined : resolve(io.cwd, outFile);
  const problem = outPath === undefined ? null : outFileProblem(outPath, COUNTEREXAMPLES_DIR);
  if (problem !== null) return usageError(io.err, 'bench', `--out: ${problem}`);
  const machineBefore = machine();
  const startedAt = new Date().toISOString();
  const startedMs = performance.now();
  io.err(`kd bench: ${plan.cells.length} cell(s) × ${plan.reps} repetition(s) × 2 paths\n`);
  const results = await runCampaign(plan, (line) => io.err(`${line}\n`));
  const report = reportOf(results);
  const goals = goalsOf(report);
  if (outFile !== undefined && outPath !== undefined) {
    const { renderDoc } = await import('../review/bench/doc.js');
    const charts = writeCharts(report, outPath);
    const doc = renderDoc({
      report,
      goals,
      machineBefore,
      machineAfter: machine(),
      startedAt,
      reps: plan.reps,
      charts,
      command: commandLine(options),
      minutes: (performance.now() - startedMs) / 60_000,
    });
    writeAtomically(outPath, await keepingLiveSection(outPath, doc));
    io.err(`kd bench: wrote ${outFile}\n`);
  }
  if (options.json) io.out(`${JSON.stringify(jsonOf(report), null, 2)}\n`);
  else {
    const { printReport } = await import('../review/bench/table.js');
    io.out(`${printReport(report, goals)}\n`);
    io.out(`${figureLinesOf(report).join('\n')}\n`);
  }
  // Every pod Ready in every run, and W5 losing, duplicating and orphaning nothing once
  // settled, on either path (see goals.ts).
  const bad = report.rows.some(
    (r) => r.complete < r.reps || (r.workload === 'W5' && r.lost + r.duplicated + r.orphaned > 0),
  );
  return bad ? 1 : 0;
}

/** `doc` with the live section of the file it replaces, which `kd bench --live` wrote. */
const keepingLiveSection = async (file: string, doc: string): Promise<string> => {
  const { liveSectionOf, withLiveSection } = await import('../review/bench/live-doc.js');
  const previous = existsSync(file) ? liveSectionOf(readFileSync(file, 'utf8')) : null;
  return previous === null ? doc : withLiveSection(doc, previous);
};

const selectionOf = (o: BenchCliOptions): Selection => ({
  quick: o.quick === true,
  full: o.full === true,
  reps: o.reps,
  workloads: o.workload,
  sizes: o.sizes,
  sandboxMs: o.sandboxMs,
  configs: o.config,
});

/** The chart files beside the doc, one per sandbox delay of W1 (`bench-w1-200ms.svg`). */
function writeCharts(report: Report, docPath: string): { sandboxMs: number; file: string }[] {
  return [...new Set(report.rows.filter((r) => r.workload === 'W1').map((r) => r.sandboxMs))]
    .sort((a, b) => b - a)
    .flatMap((sandboxMs) => {
      const svg = w1Chart(report.rows, sandboxMs);
      if (svg === null) return [];
      const file = `${basename(docPath, '.md')}-w1-${sandboxMs}ms.svg`;
      writeAtomically(join(dirname(docPath), file), svg);
      return [{ sandboxMs, file }];
    });
}

const commandLine = (o: BenchCliOptions): string =>
  [
    'kd bench',
    o.quick ? '--quick' : '',
    o.full ? '--full' : '',
    o.reps === undefined ? '' : `--reps ${o.reps}`,
    o.workload ? `--workload ${o.workload.join(',')}` : '',
    o.sizes ? `--sizes ${o.sizes.join(',')}` : '',
    o.sandboxMs ? `--sandbox-ms ${o.sandboxMs.join(',')}` : '',
    o.config ? `--config ${o.config.join(',')}` : '',
    o.out ? `--out ${o.out}` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');

/**
 * The lines `npm run bench:compare` reads: each cell's CPU per pod (and the wire's JSON part
 * of it) and p90, each p90 ratio.
 */
const figureLinesOf = (report: Report): string[] => {
  const cell = (r: { workload: string; n: number; config: string; sandboxMs: number }) =>
    `${r.workload} n=${r.n} ${r.config} sandbox ${r.sandboxMs} ms`;
  const lines: string[] = [];
  for (const r of report.rows) {
    if (r.cpuMsPerPod !== null)
      lines.push(figureLine(`${cell(r)} ${r.path} CPU per pod`, r.cpuMsPerPod, 'ms'));
    if (r.wireJsonMsPerPod !== null)
      lines.push(figureLine(`${cell(r)} ${r.path} JSON per pod`, r.wireJsonMsPerPod, 'ms'));
    if (r.p90Ms !== null) lines.push(figureLine(`${cell(r)} ${r.path} p90`, r.p90Ms, 'ms'));
  }
  for (const r of report.ratios)
    if (r.p90Ratio !== null) lines.push(figureLine(`${cell(r)} p90 API ÷ direct`, r.p90Ratio, '×'));
  return lines;
};

/** `--json`: the shape, plus `sandboxMs` (a cell's key) and a few extras. */
export const jsonOf = (report: Report) => ({
  rows: report.rows.map((r) => ({
    workload: r.workload,
    n: r.n,
    path: r.path,
    config: r.config,
    p50Ms: r.p50Ms,
    p90Ms: r.p90Ms,
    p99Ms: r.p99Ms,
    writesPerPod: r.writesPerPod,
    cpuMsPerPod: r.cpuMsPerPod,
    wireJsonMsPerPod: r.wireJsonMsPerPod,
    sandboxMs: r.sandboxMs,
    bindP90Ms: r.bindP90Ms,
    lost: r.lost,
    duplicated: r.duplicated,
    orphaned: r.orphaned,
  })),
  ratios: report.ratios.map((r) => ({
    workload: r.workload,
    n: r.n,
    config: r.config,
    p90Ratio: r.p90Ratio,
    sandboxMs: r.sandboxMs,
    bindP90Ratio: r.bindP90Ratio,
  })),
});
