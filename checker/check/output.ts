/**
 * The report `kd check` and `kd merge` print: coverage (faults by kind and target; stage
 * machines, and why what was missed is unreachable), the property table, on a failure its
 * shrunk trace (what changed per step), its file and the command that reruns it, and last
 * the summary line with steps/s and the verdict; or the JSON of the issue with `--json`.
 */
import { type CoverageReport, formatCoverage } from '../coverage/index.js';
import { changedFieldsView, rerunLine } from '../trace/changes.js';
import { faultMatrix, jsonSummary, judgeCoverage, propertyTable, summaryLine } from './print.js';
import { type CampaignSummary, propertyRows } from './summary.js';

export function print(
  summary: CampaignSummary,
  target: string | null,
  json: boolean,
  _cwd: string,
): string[] {
  if (json) return [JSON.stringify(jsonSummary(summary))];
  // What explains the result first; the result itself last, where a reader's eye lands.
  const lines = [
    'faults injected, by kind and target',
    ...faultMatrix(summary).map((l) => `  ${l}`),
  ];
  if (summary.coverage !== null) lines.push('', ...coverageLines(summary));
  lines.push('', ...propertyTable(summary));
  const failure = summary.failure;
  if (failure !== null) {
    lines.push(
      '',
      `violated ${failure.property} (${failure.kind}) in run ${failure.runsToDetect}, after ${failure.secondsToDetect.toFixed(1)} s: ${failure.message}`,
      `shrunk to ${failure.choices} choices, ${failure.traceSteps} steps after the warm-up` +
        ` (liveness bound ${failure.case.livenessStepMax.toLocaleString('en-US')} steps):`,
      ...changedFieldsView(failure.trace).map((line) => `  ${line}`),
    );
    if (failure.counterexample !== null)
      lines.push(`  saved ${failure.counterexample}`, `  ${rerunLine(failure.counterexample)}`);
  }
  lines.push('', summaryLine(summary), verdictLine(summary, target));
  return lines;
}

/** What the campaign found, in the words of what it ran: the last line printed. */
const verdictLine = (summary: CampaignSummary, target: string | null): string => {
  if (target === null) {
    if (summary.violated.length > 0)
      return `violation found: ${summary.violated.join(', ')} (first in run ${summary.failure?.runsToDetect ?? '?'})`;
    const rows = propertyRows(summary);
    const count = (status: string) => rows.filter((row) => row.status === status).length;
    return `no violation in ${summary.runs.toLocaleString('en-US')} runs: ${count('holds')} properties hold, ${count('unexercised')} unexercised`;
  }
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
    ...unreachable.flatMap((u) => wrapWords(`  unreachable: ${u.id}: ${u.reason}`, '      ')),
  ];
};

/** Lines are wrapped to this many columns: a reason runs to 400 characters and more. */
const WRAP_COLUMNS = 100;

/**
 * `text` in lines of at most `WRAP_COLUMNS` columns, broken between words, the lines after
 * the first indented by `hang`; a word longer than a line keeps a line of its own.
 */
export const wrapWords = (text: string, hang: string): string[] => {
  const lines: string[] = [];
  const lead = /^ */.exec(text)?.[0] ?? '';
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const joined = line === lead || line === hang ? `${line}${word}` : `${line} ${word}`;
    if (joined.length > WRAP_COLUMNS && line.trim() !== '') {
      lines.push(line);
      line = `${hang}${word}`;
    } else line = joined;
  }
  lines.push(line);
  return lines;
};

const indent = (text: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`);
