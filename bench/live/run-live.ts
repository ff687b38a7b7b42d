/**
 * One live W1 run: the stages as processes (the kubelets of the 75 nodes spread over a few
 * processes) against the embedded API endpoint in this process, on one path. The cluster
 * starts and warms up (every stage serving), then one function's load goes 0 → n, and the
 * time until each pod is stored Ready is taken from a watch of this process on the API
 * Server, drained after every answered request (so no decode or delivery delay is added,
 * on either path).
 */
import { readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { TEMPLATE_LABEL, toPodView } from '../../impl/k8s/index.js';
import { LiveCluster } from '../../impl/runtime/live/cluster/cluster.js';
import { makeTempFolder } from '../../impl/runtime/live/cluster/temp-folder.js';
import type { Mode } from '../../impl/stages/io.js';
import { percentile, sortedOf } from '../realtime/stats.js';

export interface LiveRunOptions {
  readonly mode: Mode;
  readonly pods: number;
  readonly nodes: number;
  readonly kubeletProcesses: number;
  readonly sandboxMs: number;
  /** A run whose pods are not all Ready this long after the load change is incomplete. */
  readonly timeoutMs: number;
}

export interface LiveRunResult {
  readonly mode: Mode;
  /** Pods stored Ready, of `pods`. */
  readonly ready: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly warmUpMs: number;
  /** From the load change to the last Ready pod (or the timeout). */
  readonly burstMs: number;
  /**
   * CPU ms of this process (the API Server, its HTTP endpoint and watch streams, the garbage
   * collector, the nodes' runtimes) and of the stage processes together, over the burst.
   */
  readonly apiCpuMs: number;
  readonly stagesCpuMs: number;
}

const FUNCTION = 'kd/fn-1';

export const runLiveOnce = async (options: LiveRunOptions): Promise<LiveRunResult> => {
  // A Ctrl-C that ends the process stops the cluster before removing its folder.
  const folder = makeTempFolder('kd-bench-live', () => cluster.killAll());
  const dir = folder.dir;
  const nodes = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const cluster = new LiveCluster({
    dir,
    nodes,
    slotsPerNode: Math.ceil((options.pods * 2) / options.nodes),
    functions: [{ namespace: 'kd', name: 'fn-1' }],
    profile: 'hardened',
    mode: options.mode,
    kubeletProcesses: options.kubeletProcesses,
    sandboxStartMs: options.sandboxMs,
  });
  try {
    const started = performance.now();
    await cluster.start();
    await cluster.whenServing();
    const warmUpMs = Math.round(performance.now() - started);
    const stagesBefore = stagesCpuMs(cluster);
    const apiBefore = process.cpuUsage();
    const burstStart = performance.now();
    const readyMs = await burst(cluster, options);
    const burstMs = Math.round(performance.now() - burstStart);
    const api = process.cpuUsage(apiBefore);
    const stagesCpu = stagesCpuMs(cluster) - stagesBefore;
    const sorted = sortedOf(readyMs);
    return {
      burstMs,
      apiCpuMs: Math.round((api.user + api.system) / 1_000),
      stagesCpuMs: Math.round(stagesCpu),
      mode: options.mode,
      ready: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      warmUpMs,
    };
  } finally {
    await cluster.stop();
    folder.remove();
  }
};

/** Clock ticks per second of /proc/<pid>/stat's CPU times (Linux's USER_HZ). */
const TICKS_PER_S = 100;

/** User + system CPU ms of every stage process so far, from /proc (0 where it cannot be read). */
const stagesCpuMs = (cluster: LiveCluster): number => {
  let ms = 0;
  for (const child of cluster.processes) {
    try {
      const fields =
        readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ms += ((Number(fields[11]) + Number(fields[12])) * 1_000) / TICKS_PER_S;
    } catch {
      // Not Linux, or the process is gone: its share is not counted.
    }
  }
  return ms;
};

/** Sets the load and resolves with each pod's time to Ready, in ms from the load change. */
const burst = async (cluster: LiveCluster, options: LiveRunOptions): Promise<number[]> => {
  const api = cluster.api?.api;
  if (!api) throw new Error('a live benchmark runs on the embedded API Server');
  const watch = api.watch('bench-live', {
    kind: 'Pod',
    labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'DoesNotExist' }] },
  });
  const readyAt = new Map<string, number>();
  let start = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const drain = () => {
    const now = performance.now();
    for (let e = watch.take(); e; e = watch.take()) {
      if (e.type === 'DELETED') continue;
      const pod = toPodView(e.object as V1Pod);
      if (pod.ready && !readyAt.has(pod.key)) readyAt.set(pod.key, now - start);
    }
    if (readyAt.size >= options.pods) done();
  };
  const unsubscribe = api.onAnswered(drain);
  const timeout = setTimeout(done, options.timeoutMs);
  try {
    start = performance.now();
    cluster.setLoad(FUNCTION, options.pods);
    await finished;
  } finally {
    clearTimeout(timeout);
    unsubscribe();
    api.closeWatch(watch);
  }
  return [...readyAt.values()];
};
