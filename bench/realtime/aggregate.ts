/**
 * From runs to the report: one row per cell and path (medians over repetitions) and one
 * ratio per cell (API ÷ direct, computed per pair and then the median, so each ratio
 * compares two runs made one after the other).
 */
import type { CellResult } from './campaign.js';
import type { VerbFigures } from './measure.js';
import type { RunResult } from './run-one.js';
import { median, round } from './stats.js';
import type { LimitsConfig, WorkloadName } from './workloads.js';

export interface Row {
  readonly workload: WorkloadName;
  readonly n: number;
  readonly path: 'api' | 'direct';
  readonly config: LimitsConfig;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly writesPerPod: number | null;
  readonly cpuMsPerPod: number | null;
  readonly wireJsonMsPerPod: number | null;
  readonly sandboxMs: number;
  readonly pods: number;
  readonly reps: number;
  /** Repetitions in which every pod was seen Ready before the deadline. */
  readonly complete: number;
  readonly bindP90Ms: number | null;
  readonly stageP90Ms: {
    upstream: number | null;
    scheduler: number | null;
    kubelet: number | null;
  };
  readonly perPodByVerb: Readonly<Record<string, VerbFigures>>;
  readonly apiBytesPerPod: number | null;
  readonly watchBytesPerPod: number | null;
  readonly lagP99Ms: number | null;
  readonly peakRssMb: number | null;
  /** Summed over every repetition. */
  readonly lost: number;
  readonly duplicated: number;
  readonly orphaned: number;
  /** W5: per repetition, the crashed stage and its recovery time (ms). */
  readonly recoveries: readonly { stage: string; ms: number | null }[];
  /** The longest time from the last Ready until the pods checked clean (ms). */
  readonly settleMaxMs: number | null;
}

export interface Ratio {
  readonly workload: WorkloadName;
  readonly n: number;
  readonly config: LimitsConfig;
  readonly p90Ratio: number | null;
  readonly sandboxMs: number;
  readonly bindP90Ratio: number | null;
  readonly p50Ratio: number | null;
  /** The p90 ratio of every pair, in repetition order. */
  readonly pairP90Ratios: readonly (number | null)[];
}

export interface Report {
  readonly rows: readonly Row[];
  readonly ratios: readonly Ratio[];
}

const med = (runs: readonly RunResult[], pick: (r: RunResult) => number | null): number | null => {
  const m = median(runs.map(pick));
  return m === null ? null : round(m);
};

const verbsOf = (runs: readonly RunResult[]): Record<string, VerbFigures> => {
  const verbs = new Set(runs.flatMap((r) => Object.keys(r.perPodByVerb)));
  const out: Record<string, VerbFigures> = {};
  for (const verb of [...verbs].sort()) {
    const requests = med(runs, (r) => r.perPodByVerb[verb]?.requests ?? 0) ?? 0;
    if (requests > 0)
      out[verb] = { requests, bytes: med(runs, (r) => r.perPodByVerb[verb]?.bytes ?? 0) ?? 0 };
  }
  return out;
};

const rowOf = (result: CellResult, path: 'api' | 'direct'): Row => {
  const { cell } = result;
  const runs = result.pairs.map((pair) => pair[path]);
  const sum = (pick: (r: RunResult) => number) => runs.reduce((s, r) => s + pick(r), 0);
  return {
    workload: cell.workload,
    n: cell.n,
    path,
    config: cell.config,
    p50Ms: med(runs, (r) => r.p50Ms),
    p90Ms: med(runs, (r) => r.p90Ms),
    p99Ms: med(runs, (r) => r.p99Ms),
    writesPerPod: med(runs, (r) => r.writesPerPod),
    cpuMsPerPod: med(runs, (r) => r.cpuMsPerPod),
    wireJsonMsPerPod: med(runs, (r) => r.wireJsonMsPerPod),
    sandboxMs: cell.sandboxMs,
    pods: runs[0]?.pods ?? 0,
    reps: runs.length,
    complete: runs.filter((r) => r.complete).length,
    bindP90Ms: med(runs, (r) => r.bindP90Ms),
    stageP90Ms: {
      upstream: med(runs, (r) => r.stageP90Ms.upstream),
      scheduler: med(runs, (r) => r.stageP90Ms.scheduler),
      kubelet: med(runs, (r) => r.stageP90Ms.kubelet),
    },
    perPodByVerb: verbsOf(runs),
    apiBytesPerPod: med(runs, (r) => r.apiBytesPerPod),
    watchBytesPerPod: med(runs, (r) => r.watchBytesPerPod),
    lagP99Ms: med(runs, (r) => r.lagP99Ms),
    peakRssMb: med(runs, (r) => r.peakRssMb),
    lost: sum((r) => r.checks.lost),
    duplicated: sum((r) => r.checks.duplicated),
    orphaned: sum((r) => r.checks.orphaned),
    recoveries: runs
      .filter((r) => r.crashed !== null)
      .map((r) => ({
        stage: r.crashed as string,
        ms: r.recoveryMs === null ? null : round(r.recoveryMs),
      })),
    settleMaxMs: runs.length === 0 ? null : round(Math.max(...runs.map((r) => r.settleMs))),
  };
};

const ratio = (a: number | null, d: number | null): number | null =>
  a === null || d === null || d <= 0 ? null : a / d;

const ratioOf = (result: CellResult): Ratio => {
  const { cell, pairs } = result;
  const per = (pick: (r: RunResult) => number | null) =>
    pairs.map((p) => ratio(pick(p.api), pick(p.direct)));
  const rounded = (xs: (number | null)[]) => {
    const m = median(xs);
    return m === null ? null : round(m);
  };
  const p90s = per((r) => r.p90Ms);
  return {
    workload: cell.workload,
    n: cell.n,
    config: cell.config,
    p90Ratio: rounded(p90s),
    sandboxMs: cell.sandboxMs,
    bindP90Ratio: rounded(per((r) => r.bindP90Ms)),
    p50Ratio: rounded(per((r) => r.p50Ms)),
    pairP90Ratios: p90s.map((x) => (x === null ? null : round(x))),
  };
};

export const reportOf = (results: readonly CellResult[]): Report => ({
  rows: results.flatMap((r) => [rowOf(r, 'api'), rowOf(r, 'direct')]),
  ratios: results.map(ratioOf),
});
