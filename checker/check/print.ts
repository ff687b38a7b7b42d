/**
 * What `kd check` and `kd merge` print: the summary line, the property table, the fault ×
 * stage matrix, and the JSON of the issue (`runs`, `steps`, `seconds`, `stepsPerSecond`,
 * `properties`, `coverage`, `failure`, `counterexample`).
 */
import { makeConfig } from '../../spec/types/mutants.js';
import {
  type CoverageReport,
  gaps,
  type Unreachable,
  unreachableUnder,
} from '../coverage/index.js';
import { faultCount } from '../fuzz/run-schedule.js';
import { type CampaignSummary, propertyRows } from './summary.js';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export const stepsPerSecond = (s: CampaignSummary): number =>
  s.seconds > 0 ? s.steps / s.seconds : 0;

const faultTotal = (s: CampaignSummary): number => faultCount(s.faults);

export const summaryLine = (s: CampaignSummary): string =>
  `runs ${n(s.runs)}, steps ${n(s.steps)}, ${s.seconds.toFixed(1)} s (${n(stepsPerSecond(s))} steps/s), ` +
  `faults injected ${n(faultTotal(s))}`;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export const table = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string[] => {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

export const propertyTable = (s: CampaignSummary): string[] =>
  table(
    ['property', 'kind', 'status'],
    propertyRows(s).map((p) => [p.name, p.kind, p.status]),
  );

const STAGE_KINDS = ['autoscaler', 'deployment', 'replicaset', 'scheduler', 'kubelet'];

/**
 * Faults by kind (rows) and target stage kind (columns). Faults that target no stage (an
 * outage, a user write, a load change) have a row of their own, counted under `api/other`.
 */
export const faultMatrix = (s: CampaignSummary): string[] => {
  const rowOf = (key: string): string => {
    const [kind = key, target = ''] = key.split(' ');
    return STAGE_KINDS.includes(target) ? kind : key;
  };
  const rows = [...new Set(Object.keys(s.faults).map(rowOf))].sort().map((row) => {
    const cells = STAGE_KINDS.map((stage) => n(s.faults[`${row} ${stage}`] ?? 0));
    return [row, ...cells, n(row.includes(' ') ? (s.faults[row] ?? 0) : 0)];
  });
  return table(['fault', ...STAGE_KINDS, 'api/other'], rows);
};

/**
 * A campaign's coverage judged under its profile and mutant: what it missed that no run
 * under them can take (with the reason), and what it missed otherwise.
 */
export const judgeCoverage = (
  profile: string,
  mutant: string | null,
  report: CoverageReport,
): { unreachable: readonly Unreachable[]; uncovered: readonly string[] } => {
  const listed = unreachableUnder(makeConfig('up', profile, mutant).switches);
  const { uncovered, stale, contradicted } = gaps(report, listed);
  // Listed and indeed missing: not taken by this campaign, nor unknown to the machines.
  const notMissing = new Set([...stale, ...contradicted]);
  return { unreachable: listed.filter((u) => !notMissing.has(u.id)), uncovered };
};

const judgedJson = (s: CampaignSummary) => {
  const report = s.coverage as CoverageReport | null;
  if (report === null) return { machines: null, unreachable: [], uncovered: [] };
  return { machines: report.machines, ...judgeCoverage(s.profile, s.mutant, report) };
};

/**
 * What `--json` says of a failure, also with `--no-save` (no file, but the rest): the
 * property, when the campaign met it, and how small the shrunk case is.
 */
const failureJson = (f: NonNullable<CampaignSummary['failure']>) => ({
  property: f.property,
  kind: f.kind,
  message: f.message,
  runsToDetect: f.runsToDetect,
  secondsToDetect: Number(f.secondsToDetect.toFixed(1)),
  choices: f.choices,
  traceSteps: f.traceSteps,
  livenessStepMax: f.case.livenessStepMax,
  counterexample: f.counterexample,
});

/** The `--json` output. */
export const jsonSummary = (s: CampaignSummary) => ({
  runs: s.runs,
  steps: s.steps,
  seconds: Number(s.seconds.toFixed(1)),
  stepsPerSecond: Math.round(stepsPerSecond(s)),
  properties: propertyRows(s).map(({ name, kind, status }) => ({ name, kind, status })),
  coverage: {
    faults: s.faults,
    ...judgedJson(s),
  },
  failure: s.failure === null ? null : failureJson(s.failure),
  counterexample: s.failure?.counterexample ?? null,
});
