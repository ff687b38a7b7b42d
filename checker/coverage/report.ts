/**
 * The coverage result as plain JSON: per machine, states and transitions visited out of
 * the total and the ids missing; and the raw visited ids, so that the results of shards
 * (`kd check --shard i/n`, `kd merge`) merge exactly. A report carries its own universe
 * (visited plus missing), so merging needs no machine definitions.
 */
import { UNREACHABLE_IDS } from './unreachable.js';

export interface Figures {
  readonly visited: number;
  readonly total: number;
  /** Ids not visited, in enumeration order. */
  readonly missing: readonly string[];
}

export interface MachineCoverage {
  readonly states: Figures;
  readonly transitions: Figures;
}

interface VisitedIds {
  readonly states: readonly string[];
  readonly transitions: readonly string[];
}

export interface CoverageReport {
  readonly version: 1;
  /** Events fed to machines while recording. */
  readonly records: number;
  /** By stage kind, in registry order. */
  readonly machines: Readonly<Record<string, MachineCoverage>>;
  /** By stage kind: the ids visited. */
  readonly visited: Readonly<Record<string, VisitedIds>>;
}

/** The union of two reports (of shards, or of campaigns): visited anywhere is visited. */
export const mergeCoverage = (a: CoverageReport, b: CoverageReport): CoverageReport => {
  const machines: Record<string, MachineCoverage> = {};
  const visited: Record<string, VisitedIds> = {};
  for (const name of unique([...Object.keys(a.machines), ...Object.keys(b.machines)])) {
    const part = (r: CoverageReport, field: keyof VisitedIds) => ({
      visited: r.visited[name]?.[field] ?? [],
      missing: r.machines[name]?.[field].missing ?? [],
    });
    const states = mergeFigures(part(a, 'states'), part(b, 'states'));
    const transitions = mergeFigures(part(a, 'transitions'), part(b, 'transitions'));
    machines[name] = { states: states.figures, transitions: transitions.figures };
    visited[name] = { states: states.visited, transitions: transitions.visited };
  }
  return { version: 1, records: a.records + b.records, machines, visited };
};

interface Part {
  readonly visited: readonly string[];
  readonly missing: readonly string[];
}

/**
 * Visited anywhere is visited; the universe is everything either report knows of. Missing
 * ids keep the order of `a` (enumeration order); visited ids are `a`'s, then `b`'s new ones.
 */
const mergeFigures = (a: Part, b: Part): { figures: Figures; visited: string[] } => {
  const visited = unique([...a.visited, ...b.visited]);
  const seen = new Set(visited);
  const missing = unique([...a.missing, ...b.missing]).filter((id) => !seen.has(id));
  return {
    figures: { visited: visited.length, total: visited.length + missing.length, missing },
    visited,
  };
};

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

/** The ids visited in total, for the `--json` summary and progress lines. */
export const totals = (report: CoverageReport) => {
  let statesVisited = 0;
  let statesTotal = 0;
  let transitionsVisited = 0;
  let transitionsTotal = 0;
  for (const m of Object.values(report.machines)) {
    statesVisited += m.states.visited;
    statesTotal += m.states.total;
    transitionsVisited += m.transitions.visited;
    transitionsTotal += m.transitions.total;
  }
  return { statesVisited, statesTotal, transitionsVisited, transitionsTotal };
};

export interface FormatOptions {
  /** Ids excused from coverage, counted apart and not listed as gaps (default `UNREACHABLE`). */
  readonly unreachable?: ReadonlySet<string>;
  /** List the ids not covered and not excused (default true). */
  readonly listMissing?: boolean;
}

/**
 * A short table for the CLI: machine | states v/t | transitions v/t | unreachable, then a
 * line per state or transition neither visited nor listed as unreachable.
 */
export const formatCoverage = (report: CoverageReport, options: FormatOptions = {}): string => {
  const excused = options.unreachable ?? UNREACHABLE_IDS;
  const rows = Object.entries(report.machines).map(([name, m]) => [
    name,
    `${m.states.visited}/${m.states.total}`,
    `${m.transitions.visited}/${m.transitions.total}`,
    String([...m.states.missing, ...m.transitions.missing].filter((id) => excused.has(id)).length),
  ]);
  const t = totals(report);
  const header = ['machine', 'states', 'transitions', 'unreachable'];
  const footer = [
    'total',
    `${t.statesVisited}/${t.statesTotal}`,
    `${t.transitionsVisited}/${t.transitionsTotal}`,
    String(rows.reduce((sum, r) => sum + Number(r[3]), 0)),
  ];
  const lines = table([header, ...rows, footer]);
  if (options.listMissing === false) return lines.join('\n');
  const gaps = Object.values(report.machines).flatMap((m) =>
    [...m.states.missing, ...m.transitions.missing].filter((id) => !excused.has(id)),
  );
  return [...lines, ...gaps.map((id) => `not covered: ${id}`)].join('\n');
};

const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(rows[0] ?? []), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1) ?? [])];
};
