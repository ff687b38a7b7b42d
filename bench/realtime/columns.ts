/**
 * The columns of the per-cell table, shared by the terminal (`table.ts`) and docs/bench.md
 * (`doc.ts`): one definition, each column with its header in each view; the terminal
 * leaves out a few and folds the API and watch bytes into one.
 */
import type { Row } from './aggregate.js';

/** A figure, or `—` when the run did not measure it. */
export const fmt = (x: number | string | null | undefined): string =>
  x === null || x === undefined ? '—' : String(x);

const kb = (bytes: number | null): number | null =>
  bytes === null ? null : Math.round(bytes / 1024);

interface Column {
  /** Header in docs/bench.md (null: not in the doc). */
  readonly doc: string | null;
  /** Header on the terminal (null: not on the terminal). */
  readonly terminal: string | null;
  readonly cell: (r: Row, view: View) => string;
}

type View = 'doc' | 'terminal';

const same = (header: string, cell: (r: Row) => string): Column => ({
  doc: header,
  terminal: header,
  cell,
});

const COLUMNS: readonly Column[] = [
  same('workload', (r) => r.workload),
  same('n', (r) => fmt(r.n)),
  same('pods', (r) => fmt(r.pods)),
  same('config', (r) => r.config),
  {
    doc: 'sandbox',
    terminal: 'sandbox',
    cell: (r, v) => (v === 'doc' ? `${r.sandboxMs}` : `${r.sandboxMs} ms`),
  },
  same('path', (r) => r.path),
  same('p50 ms', (r) => fmt(r.p50Ms)),
  same('p90 ms', (r) => fmt(r.p90Ms)),
  same('p99 ms', (r) => fmt(r.p99Ms)),
  { doc: 'bind p90 ms', terminal: 'bind p90', cell: (r) => fmt(r.bindP90Ms) },
  {
    doc: 'p90 per hop ms (upstream / scheduler / kubelet)',
    terminal: 'up/sched/kubelet p90',
    cell: (r, v) =>
      [r.stageP90Ms.upstream, r.stageP90Ms.scheduler, r.stageP90Ms.kubelet]
        .map(fmt)
        .join(v === 'doc' ? ' / ' : '/'),
  },
  { doc: 'pod writes / pod', terminal: 'writes/pod', cell: (r) => fmt(r.writesPerPod) },
  { doc: 'API KB / pod', terminal: null, cell: (r) => fmt(kb(r.apiBytesPerPod)) },
  { doc: 'watch KB / pod', terminal: null, cell: (r) => fmt(kb(r.watchBytesPerPod)) },
  {
    doc: null,
    terminal: 'KB/pod',
    cell: (r) =>
      fmt(r.apiBytesPerPod === null ? null : kb(r.apiBytesPerPod + (r.watchBytesPerPod ?? 0))),
  },
  { doc: 'CPU ms / pod', terminal: 'cpu ms/pod', cell: (r) => fmt(r.cpuMsPerPod) },
  { doc: 'of which JSON ms', terminal: 'json ms/pod', cell: (r) => fmt(r.wireJsonMsPerPod) },
  { doc: 'lag p99 ms', terminal: 'lag p99', cell: (r) => fmt(r.lagP99Ms) },
  {
    doc: 'peak RSS MB',
    terminal: null,
    cell: (r) => fmt(r.peakRssMb === null ? null : Math.round(r.peakRssMb)),
  },
  { doc: 'all Ready', terminal: 'done', cell: (r) => `${r.complete}/${r.reps}` },
];

/** The per-cell table in one view: its headers and one row of cells per report row. */
export const rowColumns = (
  rows: readonly Row[],
  view: View,
): { head: string[]; body: string[][] } => {
  const shown = COLUMNS.filter((col) => col[view] !== null);
  return {
    head: shown.map((col) => col[view] as string),
    body: rows.map((r) => shown.map((col) => col.cell(r, view))),
  };
};
