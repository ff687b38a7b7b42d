/** The report as terminal tables: rows, ratios, W5's checks, and the goals. */
import type { Report } from '../../bench/realtime/aggregate.js';
import { fmt, rowColumns } from '../../bench/realtime/columns.js';
import type { Goal } from '../../bench/realtime/goals.js';

/** A plain text table, columns padded to their widest entry. */
const textTable = (head: readonly string[], body: readonly (readonly string[])[]): string[] => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
};

const rowsTable = (report: Report): string[] => {
  const { head, body } = rowColumns(report.rows, 'terminal');
  return textTable(head, body);
};

const ratiosTable = (report: Report): string[] =>
  textTable(
    [
      'workload',
      'n',
      'config',
      'sandbox',
      'p90 ratio',
      'p50 ratio',
      'bind p90 ratio',
      'per pair (p90)',
    ],
    report.ratios.map((r) => [
      r.workload,
      String(r.n),
      r.config,
      `${r.sandboxMs} ms`,
      fmt(r.p90Ratio),
      fmt(r.p50Ratio),
      fmt(r.bindP90Ratio),
      r.pairP90Ratios.map(fmt).join(' '),
    ]),
  );

const checksTable = (report: Report): string[] =>
  textTable(
    [
      'workload',
      'n',
      'config',
      'path',
      'runs',
      'lost',
      'duplicated',
      'orphaned',
      'crashed: recovery ms',
    ],
    report.rows
      .filter((r) => r.workload === 'W5' || r.lost + r.duplicated + r.orphaned > 0)
      .map((r) => [
        r.workload,
        String(r.n),
        r.config,
        r.path,
        String(r.reps),
        String(r.lost),
        String(r.duplicated),
        String(r.orphaned),
        r.recoveries.map((x) => `${x.stage}: ${fmt(x.ms)}`).join(', '),
      ]),
  );

const goalsTable = (goals: readonly Goal[]): string[] =>
  textTable(
    ['goal', 'target', 'measured', 'met'],
    goals.map((g) => [g.name, g.target, g.measured, g.met === null ? '—' : g.met ? 'yes' : 'NO']),
  );

export const printReport = (report: Report, goals: readonly Goal[]): string =>
  [
    'Time to Ready through an API watch, medians over repetitions (ms from the load change)',
    ...rowsTable(report),
    '',
    'API ÷ direct (median of the per-pair ratios)',
    ...ratiosTable(report),
    '',
    'Pods lost, duplicated or orphaned (W5, and any other run that had one)',
    ...checksTable(report),
    '',
    ...goalsTable(goals),
  ].join('\n');
