/** The goals, judged on a report (null: the run did not include the cells needed). */
import type { Ratio, Report, Row } from './aggregate.js';

export interface Goal {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

const GOAL_N = 600;

const fmt = (x: number | null): string => (x === null ? '—' : `${x}×`);

const w1Ratios = (report: Report, config: Ratio['config']): Ratio[] =>
  report.ratios.filter((r) => r.workload === 'W1' && r.n === GOAL_N && r.config === config);

const ratioGoal = (
  name: string,
  target: number,
  ratios: readonly Ratio[],
  pick: (r: Ratio) => number | null,
): Goal => ({
  name,
  target: `≥ ${target}×`,
  measured:
    ratios.length === 0
      ? 'not run'
      : ratios.map((r) => `${fmt(pick(r))} (sandbox ${r.sandboxMs} ms)`).join(', '),
  met: ratios.length === 0 ? null : ratios.every((r) => (pick(r) ?? 0) >= target),
});

const writesGoal = (rows: readonly Row[]): Goal => {
  const direct = rows.filter((r) => r.path === 'direct').map((r) => r.writesPerPod ?? Infinity);
  const api = rows.filter((r) => r.path === 'api').map((r) => r.writesPerPod ?? 0);
  const range = (xs: number[]) => (xs.length === 0 ? '—' : `${Math.min(...xs)}–${Math.max(...xs)}`);
  return {
    name: 'API writes to pods per pod',
    target: 'direct ≤ 2, API ≥ 3',
    measured: `direct ${range(direct)}, API ${range(api)}`,
    met: rows.length === 0 ? null : Math.max(...direct) <= 2 && Math.min(...api) >= 3,
  };
};

/**
 * Judged on both paths, after each run has settled: the pods are checked once they check
 * clean or 30 s after the last Ready, so a recovery's surplus that the restarted controller
 * is still deleting at its client's rate is not a duplicate, and one that stays is.
 */
const w5Goal = (rows: readonly Row[]): Goal => {
  const w5 = rows.filter((r) => r.workload === 'W5');
  const count = (path: string) =>
    w5.filter((r) => r.path === path).reduce((s, r) => s + r.lost + r.duplicated + r.orphaned, 0);
  const runs = (path: string) => w5.filter((r) => r.path === path).reduce((s, r) => s + r.reps, 0);
  return {
    name: 'W5: no lost, duplicated or orphaned pod',
    target: '0 in every repetition',
    measured:
      w5.length === 0
        ? 'not run'
        : `direct ${count('direct')} over ${runs('direct')} runs, API path ${count('api')} over ${runs('api')}`,
    met: w5.length === 0 ? null : count('direct') + count('api') === 0,
  };
};

export const goalsOf = (report: Report): Goal[] => [
  ratioGoal(
    `end-to-end p90 ratio, W1 n = ${GOAL_N}, default limits`,
    10,
    w1Ratios(report, 'default-limits'),
    (r) => r.p90Ratio,
  ),
  ratioGoal(
    `bind-delivered p90 ratio, W1 n = ${GOAL_N}, unthrottled`,
    5,
    w1Ratios(report, 'unthrottled'),
    (r) => r.bindP90Ratio,
  ),
  writesGoal(report.rows),
  {
    ...ratioGoal(
      `end-to-end p90 ratio, W1 n = ${GOAL_N}, unthrottled`,
      0,
      w1Ratios(report, 'unthrottled'),
      (r) => r.p90Ratio,
    ),
    target: 'report as measured',
    met: null,
  },
  w5Goal(report.rows),
];
