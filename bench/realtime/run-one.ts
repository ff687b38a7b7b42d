/**
 * One run of one path on one cell, in real time: build and warm up a real-time cluster,
 * raise the load, drive the event loop until every pod is seen Ready through the API
 * watch (or the deadline), let it settle, and measure.
 */

import type { AccountingSnapshot } from '../../impl/apiserver/index.js';
import { createRealtimeCluster, type RealtimeCluster } from '../../impl/runtime/realtime/index.js';
import { scenarioConfig, topologyFor } from '../../impl/runtime/scenarios.js';
import { KUBERNETES_DEFAULT_LIMITS } from '../../impl/runtime/sim/rate-limit.js';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import { objectKey, type StageId, stageKindOf } from '../../spec/types/ids.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { checkPods, type PodChecks } from './checks.js';
import { type AllReady, measure, type RunMeasures } from './measure.js';
import { Observer } from './observer.js';
import { type Cell, podsOf } from './workloads.js';

/** A crashed stage's process comes back this long after the crash. */
const RESTART_AFTER_MS = 100;
/**
 * After the last pod is Ready the run goes on until the pods check clean (surplus pods of a
 * recovery are deleted at the client's rate), at most this long; then the check is final.
 */
const SETTLE_MAX_MS = 30_000;
/** How often (wall ms) the settle phase runs the check, which reads every pod. */
const SETTLE_CHECK_EVERY_MS = 50;
/** Every run is bounded: a fixed allowance plus this much per pod (20 QPS is 50 ms a pod). */
const DEADLINE_BASE_MS = 60_000;
const DEADLINE_PER_POD_MS = 250;

export interface RunResult extends RunMeasures {
  readonly path: Mode;
  /** Every pod was seen Ready before the deadline. */
  readonly complete: boolean;
  readonly checks: PodChecks;
  /** W5: the crashed stage, and from its restart until it is serving again (ms). */
  readonly crashed: StageId | null;
  readonly recoveryMs: number | null;
  /** From the last Ready until the pods checked clean (or the settle bound). */
  readonly settleMs: number;
}

/** True once no pod is lost, duplicated or orphaned (checked every 50 ms of wall time). */
const settledCheck = (rt: RealtimeCluster, desired: ReadonlyMap<string, number>) => {
  let lastMs = Number.NEGATIVE_INFINITY;
  return (): boolean => {
    const nowMs = rt.clock.now();
    if (nowMs - lastMs < SETTLE_CHECK_EVERY_MS) return false;
    lastMs = nowMs;
    const { lost, duplicated, orphaned } = checkPods(rt.cluster.observe(), desired);
    return lost + duplicated + orphaned === 0;
  };
};

const build = (cell: Cell, path: Mode, observer: Observer): RealtimeCluster =>
  createRealtimeCluster({
    config: scenarioConfig(makeConfig('up', 'hardened', null)),
    mode: path,
    registry: STAGES,
    topology: topologyFor({
      pods: cell.podsPerFunction,
      nodes: cell.nodes,
      functions: cell.functions,
    }),
    seed: 1,
    sandboxStartMs: cell.sandboxMs,
    onTransition: observer.onTransition,
    ...(cell.config === 'default-limits' ? { rateLimits: KUBERNETES_DEFAULT_LIMITS } : {}),
  });

/** Desired pods per function (Deployment key). */
const desiredOf = (rt: RealtimeCluster, cell: Cell): Map<string, number> =>
  new Map(
    rt.cluster.topology.functions.map((fn) => [
      objectKey(fn.namespace, fn.name),
      cell.podsPerFunction,
    ]),
  );

const isServing = (rt: RealtimeCluster, stage: StageId): boolean => {
  const snapshot = rt.cluster.snapshotOf(stage);
  if (snapshot === null) return false;
  const module = STAGES[stageKindOf(stage)];
  return module.report(snapshot as Parameters<typeof module.report>[0]).phase === 'serving';
};

/** W5: crashes `stage` once half the pods have reached their kubelet; restarts it later. */
class CrashPlan {
  private crashedAtMs: number | null = null;
  private restartAtMs: number | null = null;
  recoveryMs: number | null = null;

  constructor(
    private readonly rt: RealtimeCluster,
    readonly stage: StageId | null,
    private readonly halfway: number,
  ) {}

  afterStep(observer: Observer): void {
    if (this.stage === null) return;
    const nowMs = this.rt.clock.now();
    if (this.crashedAtMs === null && observer.atKubelet.atMs.size >= this.halfway) {
      this.crashedAtMs = nowMs;
      this.restartAtMs = nowMs + RESTART_AFTER_MS;
      this.rt.driver.at(nowMs, { type: 'crash', stage: this.stage });
      this.rt.driver.at(this.restartAtMs, { type: 'restart', stage: this.stage });
    } else if (this.restartAtMs !== null && this.recoveryMs === null && nowMs >= this.restartAtMs) {
      if (isServing(this.rt, this.stage)) this.recoveryMs = nowMs - this.restartAtMs;
    }
  }
}

export const runOne = async (cell: Cell, path: Mode, crash: StageId | null): Promise<RunResult> => {
  const pods = podsOf(cell);
  const observer = new Observer();
  const rt = build(cell, path, observer);
  const plan = new CrashPlan(rt, crash, Math.ceil(pods / 2));
  observer.open(rt);
  const before = snapshotNow(rt);
  for (const deployment of desiredOf(rt, cell).keys())
    rt.cluster.apply({ type: 'load', deployment, load: cell.podsPerFunction });
  const onStep = () => {
    observer.drain();
    plan.afterStep(observer);
    before.sample();
  };
  const deadlineMs = before.t0Ms + DEADLINE_BASE_MS + DEADLINE_PER_POD_MS * pods;
  const end = await rt.driver.drive({
    until: () => observer.readyCount >= pods,
    deadlineMs,
    onStep,
  });
  const allReady = before.stop();
  const settleStartMs = rt.clock.now();
  // W5 also waits for the crashed stage to serve again: a burst can finish on the stages
  // still up before the restarted one has resynced, and its recovery is a figure too.
  const clean = settledCheck(rt, desiredOf(rt, cell));
  await rt.driver.drive({
    until: () => (crash === null || plan.recoveryMs !== null) && clean(),
    deadlineMs: settleStartMs + SETTLE_MAX_MS,
    onStep,
  });
  const settleMs = rt.clock.now() - settleStartMs;
  const checks = checkPods(rt.cluster.observe(), desiredOf(rt, cell));
  observer.close();
  return {
    path,
    complete: end === 'until',
    checks,
    crashed: crash,
    recoveryMs: plan.recoveryMs,
    settleMs,
    ...measure(rt, observer, before, allReady, pods),
  };
};

/** What is read when the load rises: clock, CPU, API accounting, the wire's JSON time. */
export interface Start {
  readonly t0Ms: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly api: AccountingSnapshot;
  readonly wireJsonMs: number;
  peakRss: number;
  sample(): void;
  stop(): AllReady;
}

/** Samples RSS every this many steps (memoryUsage is not free). */
const RSS_EVERY = 500;

const snapshotNow = (rt: RealtimeCluster): Start => {
  let steps = 0;
  const start: Start = {
    t0Ms: rt.clock.now(),
    cpu: process.cpuUsage(),
    api: rt.cluster.api.stats(),
    wireJsonMs: rt.wire.tally.jsonMs,
    peakRss: process.memoryUsage().rss,
    sample() {
      steps += 1;
      if (steps % RSS_EVERY === 0)
        start.peakRss = Math.max(start.peakRss, process.memoryUsage().rss);
    },
    stop: () => ({
      atMs: rt.clock.now(),
      cpu: process.cpuUsage(start.cpu),
      wireJsonMs: rt.wire.tally.jsonMs - start.wireJsonMs,
    }),
  };
  return start;
};
