/**
 * `kd bench --live`: W1 on the live runtime, the API path and the direct path one after the
 * other in pairs (API, direct, API, direct, ...), every ratio taken within a pair and the
 * median of the pairs reported, as the in-process benchmark does (campaign.ts there).
 */
import type { Mode } from '../../impl/stages/io.js';
import { median, round } from '../realtime/stats.js';
import { type LiveRunResult, runLiveOnce } from './run-live.js';

export interface LivePlan {
  readonly sizes: readonly number[];
  readonly sandboxMs: readonly number[];
  readonly reps: number;
  readonly nodes: number;
  readonly kubeletProcesses: number;
  readonly timeoutMs: number;
}

export interface LivePair {
  readonly api: LiveRunResult;
  readonly direct: LiveRunResult;
  /** API p90 ÷ direct p90 (null when a run did not finish). */
  readonly ratio: number | null;
}

export interface LiveRow {
  readonly n: number;
  readonly sandboxMs: number;
  readonly pairs: readonly LivePair[];
  readonly p90Api: number | null;
  readonly p90Direct: number | null;
  readonly ratio: number | null;
  /** Runs with every pod Ready, of 2 × reps. */
  readonly complete: number;
}

const ratioOf = (api: LiveRunResult, direct: LiveRunResult, pods: number): number | null =>
  api.ready === pods && direct.ready === pods && api.p90 !== null && direct.p90
    ? api.p90 / direct.p90
    : null;

export const runLiveCampaign = async (
  plan: LivePlan,
  log: (line: string) => void,
): Promise<LiveRow[]> => {
  const rows: LiveRow[] = [];
  for (const n of plan.sizes)
    for (const sandboxMs of plan.sandboxMs) {
      const pairs: LivePair[] = [];
      for (let rep = 1; rep <= plan.reps; rep += 1) {
        const run = (mode: Mode) =>
          runLiveOnce({
            mode,
            pods: n,
            nodes: plan.nodes,
            kubeletProcesses: plan.kubeletProcesses,
            sandboxMs,
            timeoutMs: plan.timeoutMs,
          });
        const api = await run('api');
        const direct = await run('direct');
        const pair = { api, direct, ratio: ratioOf(api, direct, n) };
        pairs.push(pair);
        log(
          `W1 n=${n} sandbox ${sandboxMs} ms, pair ${rep}: p90 API ${api.p90 === null ? '—' : Math.round(api.p90)} ms (${api.ready} Ready), direct ${direct.p90 === null ? '—' : Math.round(direct.p90)} ms (${direct.ready} Ready), ratio ${pair.ratio === null ? '—' : round(pair.ratio)}`,
        );
      }
      rows.push({
        n,
        sandboxMs,
        pairs,
        p90Api: median(pairs.map((p) => p.api.p90)),
        p90Direct: median(pairs.map((p) => p.direct.p90)),
        ratio: median(pairs.map((p) => p.ratio)),
        complete: pairs.reduce(
          (sum, p) => sum + (p.api.ready === n ? 1 : 0) + (p.direct.ready === n ? 1 : 0),
          0,
        ),
      });
    }
  return rows;
};
