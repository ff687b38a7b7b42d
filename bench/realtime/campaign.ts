/**
 * The benchmark campaign: which cells run (the full matrix, `--quick`, or a selection)
 * and running them, both paths interleaved in one process (API, direct, API, direct, ...),
 * so that both paths of a pair see the same machine at nearly the same moment.
 */
import type { Mode } from '../../impl/stages/io.js';
import { type RunResult, runOne } from './run-one.js';
import {
  type Cell,
  CONFIGS,
  cellOf,
  crashOf,
  FULL_SIZES,
  type LimitsConfig,
  podsOf,
  WORKLOADS,
  type WorkloadName,
} from './workloads.js';

export interface Plan {
  readonly cells: readonly Cell[];
  readonly reps: number;
}

export interface Selection {
  readonly quick: boolean;
  /** The whole matrix (hours here: W3 at 2,000 nodes is a 10,000-pod burst). */
  readonly full?: boolean | undefined;
  readonly reps?: number | undefined;
  readonly workloads?: readonly WorkloadName[] | undefined;
  /** Only these sizes (of whichever workloads have them). */
  readonly sizes?: readonly number[] | undefined;
  readonly sandboxMs?: readonly number[] | undefined;
  readonly configs?: readonly LimitsConfig[] | undefined;
}

/** The sandbox start delays of the full run: W1 runs both, the others the realistic one. */
const SANDBOX_DELAYS: Readonly<Record<WorkloadName, readonly number[]>> = {
  W1: [0, 200],
  W2: [200],
  W3: [200],
  W5: [200],
};

/**
 * `--quick`: under two minutes on a 2-core machine. W2 is left out: its cost grows with
 * the number of functions (over a minute a pair at 100 functions, see docs/bench.md).
 */
const QUICK_SIZES: Readonly<Record<WorkloadName, readonly number[]>> = {
  W1: [100, 300],
  W2: [],
  W3: [],
  W5: [600],
};

/**
 * The default run (about 40 minutes here): every workload at the sizes that finish in
 * minutes, W1 from 100 to 1,000 pods, both sandbox delays at the goals' n = 600.
 */
const STANDARD_SIZES: Readonly<Record<WorkloadName, readonly number[]>> = {
  W1: [100, 300, 600, 1000],
  W2: [100],
  W3: [500],
  W5: [600],
};

const FULL_REPS = 5;
const QUICK_REPS = 2;

const sizesOf = (selection: Selection): Readonly<Record<WorkloadName, readonly number[]>> =>
  selection.quick ? QUICK_SIZES : selection.full ? FULL_SIZES : STANDARD_SIZES;

const delaysOf = (selection: Selection, workload: WorkloadName, n: number): readonly number[] => {
  if (selection.sandboxMs) return selection.sandboxMs;
  if (selection.quick) return [200];
  if (selection.full) return SANDBOX_DELAYS[workload];
  return workload === 'W1' && n === 600 ? [0, 200] : [200];
};

export const planOf = (selection: Selection): Plan => {
  const cells: Cell[] = [];
  for (const workload of selection.workloads ?? WORKLOADS)
    for (const n of sizesOf(selection)[workload].filter(
      (s) => selection.sizes?.includes(s) ?? true,
    ))
      for (const sandboxMs of delaysOf(selection, workload, n))
        for (const config of selection.configs ?? quickConfigs(selection.quick, workload))
          cells.push(cellOf(workload, n, config, sandboxMs));
  return { cells, reps: selection.reps ?? (selection.quick ? QUICK_REPS : FULL_REPS) };
};

/** `--quick` runs W5 unthrottled only: its point there is the check, not the ratio. */
const quickConfigs = (quick: boolean, workload: WorkloadName): readonly LimitsConfig[] =>
  quick && workload === 'W5' ? ['unthrottled'] : CONFIGS;

export interface CellResult {
  readonly cell: Cell;
  /** One entry per repetition: the API run and the direct run of the pair. */
  readonly pairs: readonly { readonly api: RunResult; readonly direct: RunResult }[];
}

export type Progress = (line: string) => void;

const PATHS: readonly Mode[] = ['api', 'direct'];

export const runCampaign = async (plan: Plan, progress: Progress): Promise<CellResult[]> => {
  const results: CellResult[] = [];
  for (const [i, cell] of plan.cells.entries()) {
    const pairs: { api: RunResult; direct: RunResult }[] = [];
    for (let rep = 0; rep < plan.reps; rep += 1) {
      const runs: Partial<Record<Mode, RunResult>> = {};
      for (const path of PATHS) runs[path] = await runOne(cell, path, crashOf(cell, rep));
      const pair = { api: runs.api as RunResult, direct: runs.direct as RunResult };
      pairs.push(pair);
      progress(progressLine(i, plan, cell, rep, pair));
    }
    results.push({ cell, pairs });
  }
  return results;
};

const ms = (value: number | null): string => (value === null ? '—' : `${Math.round(value)} ms`);

const progressLine = (
  i: number,
  plan: Plan,
  cell: Cell,
  rep: number,
  pair: { api: RunResult; direct: RunResult },
): string =>
  `[${i + 1}/${plan.cells.length}] ${cell.workload} n=${cell.n} (${podsOf(cell)} pods) ` +
  `${cell.config} sandbox ${cell.sandboxMs} ms, rep ${rep + 1}/${plan.reps}: ` +
  `p90 api ${ms(pair.api.p90Ms)}, direct ${ms(pair.direct.p90Ms)}` +
  (pair.direct.crashed ? ` (crashed ${pair.direct.crashed})` : '');
