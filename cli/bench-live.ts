// `kd bench --live` (cli/bench.command.ts): W1 on the live runtime, the two paths in pairs,
// a table on the terminal and its own section of docs/bench.md (bench/live/,
// review/bench/live-doc.ts). What it cannot do it refuses before starting anything.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../checker/out-file.js';
import type { BenchCliOptions, BenchIo } from './bench.command.js';
import { DEFAULT_DOC } from './bench.command.js';

/** The paper's burst: W1 on 75 nodes. */
const NODES = 75;

/** Why these options cannot go with `--live`, if they cannot. */
const refusal = (o: BenchCliOptions): string | null => {
  if (o.full) return '--full runs the in-process matrix; --live runs W1 only';
  if (o.workload?.some((w) => w !== 'W1')) return '--live runs W1 only';
  if (o.config?.some((c) => c !== 'unthrottled'))
    return '--live runs unthrottled only (the live stages have no client limits yet)';
  return null;
};

/** Exit code: 0 when every run had every pod Ready, 1 otherwise, 2 for a usage error. */
export async function runLiveBench(o: BenchCliOptions, io: BenchIo): Promise<number> {
  const why = refusal(o);
  if (why !== null) {
    io.err(`kd: ${why}\n`);
    return 2;
  }
  const [{ runLiveCampaign }, { renderLiveSection, withLiveSection }, { machine }] =
    await Promise.all([
      import('../bench/live/campaign.js'),
      import('../review/bench/live-doc.js'),
      import('../bench/realtime/machine.js'),
    ]);
  const plan = {
    sizes: o.sizes ?? (o.quick ? [100] : [600]),
    sandboxMs: o.sandboxMs ?? [200],
    reps: o.reps ?? (o.quick ? 1 : 3),
    nodes: NODES,
    kubeletProcesses: o.kubeletProcesses ?? 4,
    timeoutMs: 120_000,
  };
  const machineBefore = machine();
  const startedAt = new Date().toISOString();
  const startedMs = performance.now();
  io.err(
    `kd bench --live: ${plan.sizes.length * plan.sandboxMs.length} cell(s) × ${plan.reps} pair(s)\n`,
  );
  const rows = await runLiveCampaign(plan, (line) => io.err(`${line}\n`));
  const section = renderLiveSection({
    rows,
    machineBefore,
    machineAfter: machine(),
    command: commandLine(o, plan.kubeletProcesses),
    startedAt,
    minutes: (performance.now() - startedMs) / 60_000,
    reps: plan.reps,
    nodes: NODES,
    kubeletProcesses: plan.kubeletProcesses,
  });
  const outFile = o.out ?? (o.quick ? undefined : DEFAULT_DOC);
  if (outFile !== undefined) {
    const path = join(io.cwd, outFile);
    const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark\n';
    writeAtomically(path, withLiveSection(doc, section));
    io.err(`kd bench --live: wrote its section of ${outFile}\n`);
  }
  io.out(o.json ? `${JSON.stringify(rows, null, 2)}\n` : `${section}\n`);
  return rows.every((r) => r.complete === 2 * r.pairs.length) ? 0 : 1;
}

const commandLine = (o: BenchCliOptions, kubeletProcesses: number): string =>
  [
    'kd bench --live',
    o.quick ? '--quick' : '',
    o.reps === undefined ? '' : `--reps ${o.reps}`,
    o.sizes ? `--sizes ${o.sizes.join(',')}` : '',
    o.sandboxMs ? `--sandbox-ms ${o.sandboxMs.join(',')}` : '',
    `--kubelet-processes ${kubeletProcesses}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
