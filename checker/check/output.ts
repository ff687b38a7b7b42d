/**
 * The report `kd check` and `kd merge` print: the property table, the summary line with
 * steps/s, coverage (stage machines; faults by kind and target), and on a failure its
 * shrunk trace and counterexample file; or the JSON of the issue with `--json`.
 */
import { type CoverageReport, formatCoverage } from '../coverage/index.js';
import { faultMatrix, jsonSummary, judgeCoverage, propertyTable, summaryLine } from './print.js';
import type { CampaignSummary } from './summary.js';

export function print(
  summary: CampaignSummary,
  target: string | null,
  json: boolean,
  _cwd: string,
): string[] {
  if (json) return [JSON.stringify(jsonSummary(summary))];
  const lines = [
    ...propertyTable(summary),
    '',
    summaryLine(summary),
    '',
    'faults injected, by kind and target',
    ...faultMatrix(summary).map((line) => `  ${line}`),
  ];
  if (summary.coverage !== null) lines.push('', ...coverageLines(summary));
  const failure = summary.failure;
  if (failure !== null) {
    lines.push(
      '',
      `violated ${failure.property} (${failure.kind}) in run ${failure.runsToDetect}, after ${failure.secondsToDetect.toFixed(1)} s: ${failure.message}`,
      `shrunk to ${failure.choices} choices, ${failure.traceSteps} steps after the warm-up` +
        ` (liveness bound ${failure.case.livenessStepMax.toLocaleString('en-US')} steps):`,
      ...failure.trace.map((line) => `  ${line}`),
    );
    if (failure.counterexample !== null) lines.push(`  saved ${failure.counterexample}`);
  }
  if (target !== null) lines.push('', verdictLine(summary, target));
  return lines;
}

/** What a campaign with a target property found, in the words of what it ran. */
const verdictLine = (summary: CampaignSummary, target: string): string => {
  const found = summary.violated.includes(target);
  const subject =
    summary.mutant !== null ? `mutant ${summary.mutant}` : `the ${summary.profile} profile`;
  if (summary.mutant !== null)
    return found
      ? `${subject} caught by ${target}, as expected`
      : `${subject} NOT caught by ${target} in ${summary.runs} runs`;
  return found
    ? `${subject} violates ${target}`
    : `${subject}: no violation of ${target} in ${summary.runs} runs`;
};

/**
 * The coverage table, then why each transition the campaign could not take is unreachable
 * under its profile and mutant (a switch-gated one names the setting it needs).
 */
const coverageLines = (summary: CampaignSummary): string[] => {
  const report = summary.coverage as CoverageReport;
  const { unreachable } = judgeCoverage(summary.profile, summary.mutant, report);
  return [
    'stage machines covered',
    ...indent(formatCoverage(report, { unreachable: new Set(unreachable.map((u) => u.id)) })),
    ...unreachable.map((u) => `  unreachable: ${u.id}: ${u.reason}`),
  ];
};

const indent = (text: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`);
