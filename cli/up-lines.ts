// What `kd up` prints: the banner once its processes are ready (where the API, the
// kubeconfig and the control endpoint are, and a table of the processes), and one line per
// event of a process afterwards. Formatting only; the command decides when.
import type { ClusterEvent } from '../impl/runtime/live/cluster/cluster.js';
import type { StageId } from '../spec/types/ids.js';

export interface ReadyView {
  /** The API's URL, and whether kd up serves it (the embedded endpoint). */
  readonly apiUrl: string;
  readonly embedded: boolean;
  /** With etcd: where the objects are kept, and the pid of the API Server's process. */
  readonly etcd?: string;
  readonly apiPid?: number | undefined;
  readonly kubeconfig: string;
  readonly control: string;
  readonly stateFile: string;
  readonly processes: readonly {
    readonly name: string;
    readonly pid: number | undefined;
    readonly stages: readonly StageId[];
  }[];
  readonly book: Readonly<Partial<Record<StageId, { host: string; port: number }>>>;
  readonly startMs: number;
}

export const readyLines = (view: ReadyView): string[] => {
  const rows = view.processes.map((p) => [
    p.name,
    String(p.pid ?? '-'),
    p.stages.join(','),
    p.stages.map((s) => addressText(view.book[s])).join(','),
  ]);
  if (view.etcd !== undefined)
    rows.unshift(['apiserver', String(view.apiPid ?? '-'), '(API Server)', hostOf(view.apiUrl)]);
  const where =
    view.etcd !== undefined
      ? ` (embedded, its own process; objects in etcd at ${view.etcd})`
      : view.embedded
        ? ' (embedded, in this process)'
        : '';
  return [
    `API         ${view.apiUrl}${where}`,
    `kubeconfig  ${view.kubeconfig}`,
    `            kubectl --kubeconfig ${view.kubeconfig} get pods -A`,
    `control     ${view.control} (its token is in ${view.stateFile})`,
    '',
    ...table([['process', 'pid', 'stages', 'address'], ...rows]),
    '',
    `kd up: ready in ${(view.startMs / 1000).toFixed(1)} s; Ctrl-C stops it`,
  ];
};

const hostOf = (url: string): string => url.replace(/^https?:\/\//, '');

const addressText = (address: { host: string; port: number } | undefined): string =>
  address ? `${address.host}:${address.port}` : '-';

/** Columns padded to their widest cell, two spaces apart. */
const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
};

/**
 * One line for an event worth a log: an exit, a restart, a fault. A process's first ready
 * is not one (the banner shows them all); `pid` is the process's pid now.
 */
export const eventLine = (event: ClusterEvent, pid: number | undefined): string | null => {
  switch (event.type) {
    case 'ready':
      return event.starts > 1
        ? `${event.process} restarted (pid ${pid ?? '-'}, start ${event.starts})`
        : null;
    case 'exited': {
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      const last = event.stderr.trim().split('\n').at(-1);
      return `${event.process} exited (${how})${last ? `: ${last}` : ''}`;
    }
    case 'fault':
      return `fault in ${event.stage}: ${event.message.split('\n')[0]}`;
  }
};
