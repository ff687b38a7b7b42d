/**
 * The figures of one run: time to Ready through the API watch (p50/p90/p99 over every pod
 * of the burst; a pod never seen Ready counts as infinitely late, so a percentile that
 * falls on one is null), bind-delivered latency, the per-stage breakdown, API requests and
 * bytes per pod by verb, CPU per pod, the loop's lag and peak RSS.
 */
import type { AccountingSnapshot, Tally } from '../../impl/apiserver/index.js';
import type { RealtimeCluster } from '../../impl/runtime/realtime/index.js';
import type { Milestone, Observer } from './observer.js';
import type { Start } from './run-one.js';
import { percentile, sortedOf } from './stats.js';

export interface VerbFigures {
  readonly requests: number;
  readonly bytes: number;
}

export interface RunMeasures {
  readonly pods: number;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly bindP90Ms: number | null;
  /** p90 of each hop: load → scheduler hears the pod → kubelet hears its binding → Ready. */
  readonly stageP90Ms: {
    upstream: number | null;
    scheduler: number | null;
    kubelet: number | null;
  };
  /** Successful writes to Pod objects per pod (expose + Ready; create + bind + status). */
  readonly writesPerPod: number;
  /** API requests per pod by verb, and their bytes (request + response) per pod. */
  readonly perPodByVerb: Readonly<Record<string, VerbFigures>>;
  readonly apiBytesPerPod: number;
  readonly watchBytesPerPod: number;
  readonly cpuMsPerPod: number;
  /**
   * The modelled wire's JSON: wall time inside its encodes and decodes. On a quiet machine a
   * part of the CPU above; on a busy one an encode descheduled midway counts its wait too.
   */
  readonly wireJsonMsPerPod: number;
  /** From the load change until every pod was Ready (or the deadline). */
  readonly wallMs: number;
  /** How late the loop took events after they were due: p99 and max. */
  readonly lagP99Ms: number | null;
  readonly lagMaxMs: number | null;
  readonly peakRssMb: number;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'bind']);
const MB = 1024 ** 2;

/** Per-pod durations from `from` (a milestone or t0) to `to`; missing pods are Infinity. */
const spans = (pods: number, to: Milestone, from: Milestone | number): number[] => {
  const out: number[] = [];
  for (const [pod, atMs] of to.atMs) {
    const startMs = typeof from === 'number' ? from : from.atMs.get(pod);
    if (startMs !== undefined) out.push(Math.max(0, atMs - startMs));
  }
  while (out.length < pods) out.push(Number.POSITIVE_INFINITY);
  return sortedOf(out);
};

const finite = (value: number | null): number | null =>
  value === null || !Number.isFinite(value) ? null : value;

const p = (sorted: readonly number[], at: number) => finite(percentile(sorted, at));

const diffTally = (after: Tally, before: Tally | undefined) => ({
  count: after.count - (before?.count ?? 0),
  errors: after.errors - (before?.errors ?? 0),
  bytes:
    after.requestBytes +
    after.responseBytes -
    (before ? before.requestBytes + before.responseBytes : 0),
});

const apiFigures = (before: AccountingSnapshot, after: AccountingSnapshot, pods: number) => {
  const byVerb: Record<string, { requests: number; bytes: number }> = {};
  let writes = 0;
  for (const [verbKind, tally] of Object.entries(after.byVerbKind)) {
    const d = diffTally(tally, before.byVerbKind[verbKind]);
    const [verb = '', kind] = verbKind.split(' ');
    if (kind === 'Pod' && WRITE_VERBS.has(verb)) writes += d.count - d.errors;
    const entry = byVerb[verb] ?? { requests: 0, bytes: 0 };
    byVerb[verb] = entry;
    entry.requests += d.count / pods;
    entry.bytes += d.bytes / pods;
  }
  const watchBytes = (s: AccountingSnapshot) =>
    Object.values(s.watch).reduce((sum, w) => sum + w.bytes, 0);
  const apiBytes = diffTally(after.total, before.total).bytes;
  return {
    writesPerPod: writes / pods,
    perPodByVerb: byVerb,
    apiBytesPerPod: apiBytes / pods,
    watchBytesPerPod: (watchBytes(after) - watchBytes(before)) / pods,
  };
};

/** What is read the moment every pod is Ready: clock, the CPU since the load rose, the wire's. */
export interface AllReady {
  readonly atMs: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly wireJsonMs: number;
}

export const measure = (
  rt: RealtimeCluster,
  observer: Observer,
  start: Start,
  allReady: AllReady,
  pods: number,
): RunMeasures => {
  const ready = spans(pods, observer.ready, start.t0Ms);
  const late = sortedOf(rt.driver.lateMs);
  return {
    pods,
    p50Ms: p(ready, 50),
    p90Ms: p(ready, 90),
    p99Ms: p(ready, 99),
    bindP90Ms: p(spans(pods, observer.atKubelet, start.t0Ms), 90),
    stageP90Ms: {
      upstream: p(spans(pods, observer.atScheduler, start.t0Ms), 90),
      scheduler: p(spans(pods, observer.atKubelet, observer.atScheduler), 90),
      kubelet: p(spans(pods, observer.ready, observer.atKubelet), 90),
    },
    ...apiFigures(start.api, rt.cluster.api.stats(), pods),
    cpuMsPerPod: (allReady.cpu.user + allReady.cpu.system) / 1000 / pods,
    wireJsonMsPerPod: allReady.wireJsonMs / pods,
    wallMs: allReady.atMs - start.t0Ms,
    lagP99Ms: percentile(late, 99),
    lagMaxMs: late.length > 0 ? (late[late.length - 1] as number) : null,
    peakRssMb: start.peakRss / MB,
  };
};
