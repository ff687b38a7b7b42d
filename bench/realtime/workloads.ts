/**
 * The workloads of the benchmark (issue 6) and the cells they expand to. A cell is one
 * workload size under one client-limit configuration and one sandbox start delay; every
 * cell runs both paths, interleaved (API, direct, API, direct, ...).
 */
import type { StageId } from '../../spec/types/ids.js';

export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W5';
export type LimitsConfig = 'default-limits' | 'unthrottled';

export const WORKLOADS: readonly WorkloadName[] = ['W1', 'W2', 'W3', 'W5'];
export const CONFIGS: readonly LimitsConfig[] = ['default-limits', 'unthrottled'];

export interface Cell {
  readonly workload: WorkloadName;
  /** The workload's size: pods (W1, W5), functions (W2), nodes (W3). */
  readonly n: number;
  readonly functions: number;
  readonly podsPerFunction: number;
  readonly nodes: number;
  readonly sandboxMs: number;
  readonly config: LimitsConfig;
}

/** The nodes of the paper's bursts (75 workers). */
const BURST_NODES = 75;

export const DESCRIPTIONS: Readonly<Record<WorkloadName, string>> = {
  W1: `one function scales 0 → n pods on ${BURST_NODES} nodes`,
  W2: `n functions scale 0 → 1 pod each, on ${BURST_NODES} nodes`,
  W3: 'one function scales 0 → 5 pods per node on n nodes',
  W5: `one function scales 0 → n pods on ${BURST_NODES} nodes; a stage crashes mid burst and restarts`,
};

/** The sizes of the full run, as the issue lists them. */
export const FULL_SIZES: Readonly<Record<WorkloadName, readonly number[]>> = {
  W1: [100, 200, 300, 600, 1000],
  W2: [100, 300, 600],
  W3: [500, 1000, 2000],
  W5: [600],
};

/** What W5 crashes in repetition i (every stage of the pipeline in turn). */
export const W5_CRASHES: readonly StageId[] = [
  'replicaset',
  'scheduler',
  'deployment',
  'kubelet/n1',
  'autoscaler',
];

export const crashOf = (cell: Cell, rep: number): StageId | null =>
  cell.workload === 'W5' ? (W5_CRASHES[rep % W5_CRASHES.length] as StageId) : null;

export const cellOf = (
  workload: WorkloadName,
  n: number,
  config: LimitsConfig,
  sandboxMs: number,
): Cell => {
  switch (workload) {
    case 'W1':
    case 'W5':
      return {
        workload,
        n,
        functions: 1,
        podsPerFunction: n,
        nodes: BURST_NODES,
        sandboxMs,
        config,
      };
    case 'W2':
      return {
        workload,
        n,
        functions: n,
        podsPerFunction: 1,
        nodes: BURST_NODES,
        sandboxMs,
        config,
      };
    case 'W3':
      return { workload, n, functions: 1, podsPerFunction: 5 * n, nodes: n, sandboxMs, config };
  }
};

export const podsOf = (cell: Cell): number => cell.functions * cell.podsPerFunction;
