/**
 * What the benchmark sees of a run, the way the paper measures it: an API watch on the
 * pods (as `kubectl get pods -w` would), which pays its own decode per event like any
 * watcher, and records when each pod is first seen Ready. The per-stage milestones come
 * from the runtime's transition hook: when the scheduler first hears of a pod (a direct
 * `schedulePods`, or an unbound pod in its informer) and when a kubelet first hears of its
 * binding (a direct `bindPod`, or a pod bound to its node in its informer).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Watch } from '../../impl/apiserver/index.js';
import { TEMPLATE_LABEL, toPodView } from '../../impl/k8s/index.js';
import type { RealtimeCluster } from '../../impl/runtime/realtime/index.js';
import type { TransitionRecord } from '../../impl/runtime/sim/types.js';
import type { StageEvent } from '../../impl/stages/io.js';

/** Times (clock ms) at which pods reached a point, first time only. */
export class Milestone {
  readonly atMs = new Map<string, number>();

  mark(pod: string, nowMs: number): void {
    if (!this.atMs.has(pod)) this.atMs.set(pod, nowMs);
  }
}

export class Observer {
  readonly atScheduler = new Milestone();
  readonly atKubelet = new Milestone();
  readonly ready = new Milestone();
  private readonly readyNow = new Set<string>();
  private watch: Watch | null = null;
  private rt: RealtimeCluster | null = null;

  /** Ready, not deleting pods right now, as the watch shows them. */
  get readyCount(): number {
    return this.readyNow.size;
  }

  /** Opens the watch (after warm-up: only the burst's pods are seen). */
  open(rt: RealtimeCluster): void {
    this.rt = rt;
    this.watch = rt.cluster.api.watch('bench-observer', {
      kind: 'Pod',
      labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'DoesNotExist' }] },
    });
  }

  /** Takes every event the watch holds (after each step of the run). */
  drain(): void {
    const { watch, rt } = this;
    if (!watch || !rt) return;
    for (let event = watch.take(); event; event = watch.take()) {
      rt.wire.watchEvent('bench-observer', event);
      const pod = toPodView(event.object as V1Pod);
      if (event.type !== 'DELETED' && pod.ready && !pod.deleting) {
        this.readyNow.add(pod.key);
        this.ready.mark(pod.key, rt.clock.now());
      } else this.readyNow.delete(pod.key);
    }
  }

  close(): void {
    if (this.watch && this.rt) this.rt.cluster.api.closeWatch(this.watch);
    this.watch = null;
  }

  /** The runtime's `onTransition` hook (only events matter; snapshots are not read). */
  readonly onTransition = (record: TransitionRecord): void => {
    if (!this.rt?.clock.started) return;
    if (record.stage === 'scheduler') this.schedulerHeard(record.event);
    else if (record.stage.startsWith('kubelet/')) this.kubeletHeard(record.event);
  };

  private schedulerHeard(event: StageEvent): void {
    const nowMs = (this.rt as RealtimeCluster).clock.now();
    if (event.type === 'message' && event.message.type === 'scheduler.schedulePods')
      for (const pod of event.message.pods) this.atScheduler.mark(pod, nowMs);
    else if (event.type === 'informer.upsert' && event.object.kind === 'Pod')
      this.atScheduler.mark(event.object.view.key, nowMs);
  }

  private kubeletHeard(event: StageEvent): void {
    const nowMs = (this.rt as RealtimeCluster).clock.now();
    if (event.type === 'message' && event.message.type === 'kubelet.bindPod')
      this.atKubelet.mark(event.message.entry.key, nowMs);
    else if (
      event.type === 'informer.upsert' &&
      event.object.kind === 'Pod' &&
      event.object.view.nodeName !== null
    )
      this.atKubelet.mark(event.object.view.key, nowMs);
  }
}
