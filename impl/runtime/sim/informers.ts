/**
 * The informers of each stage, with the filters each stage needs, and the due times of
 * their undelivered events. A write appends one event to every watch it concerns; the
 * runtime notices the new events after the step (`refresh`) and stamps them with the
 * informer lag, so each informer is one pending choice whose due time is its oldest
 * event's. Delivery turns a watch event into the stage's `informer.*` event, with views
 * (template Pods as `TemplatePod`).
 */
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { nodeOfKubelet, type StageId, stageKindOf } from '../../../spec/types/ids.js';
import type {
  ApiServer,
  Informer,
  InformerEvent,
  Kind,
  KubeObject,
  ListFilter,
} from '../../apiserver/index.js';
import {
  isTemplatePod,
  TEMPLATE_LABEL,
  toDeploymentView,
  toNodeView,
  toPodView,
  toReplicaSetView,
  toTemplatePodView,
} from '../../k8s/index.js';
import type { ObjectView, StageEvent } from '../../stages/io.js';

interface InformerSpec {
  readonly tag: string;
  readonly filter: ListFilter;
}

const TEMPLATES: ListFilter = {
  kind: 'Pod',
  labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'Exists' }] },
};
const PODS_NOT_TEMPLATES: ListFilter = {
  kind: 'Pod',
  labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'DoesNotExist' }] },
};

/**
 * What each stage watches: the collections the model's stages read (`INFORMER_READS` in
 * spec/world/informer.ts). The scheduler and the kubelets need the ReplicaSets and template
 * Pods to tell a deleted owner ("the informer has passed the template's creation and does
 * not show it") from one not yet seen.
 */
export const informerSpecs = (stage: StageId): InformerSpec[] => {
  const node = nodeOfKubelet(stage);
  if (node !== null) {
    return [
      { tag: 'pods', filter: { kind: 'Pod', nodeName: node } },
      { tag: 'templates', filter: TEMPLATES },
      { tag: 'replicasets', filter: { kind: 'ReplicaSet' } },
    ];
  }
  switch (stageKindOf(stage)) {
    case 'autoscaler':
      return [{ tag: 'deployments', filter: { kind: 'Deployment' } }];
    case 'deployment':
      return [
        { tag: 'deployments', filter: { kind: 'Deployment' } },
        { tag: 'replicasets', filter: { kind: 'ReplicaSet' } },
      ];
    case 'replicaset':
      return [
        { tag: 'replicasets', filter: { kind: 'ReplicaSet' } },
        { tag: 'pods', filter: { kind: 'Pod' } },
      ];
    default:
      return [
        { tag: 'pods', filter: PODS_NOT_TEMPLATES },
        { tag: 'nodes', filter: { kind: 'Node' } },
        { tag: 'replicasets', filter: { kind: 'ReplicaSet' } },
        { tag: 'templates', filter: TEMPLATES },
      ];
  }
};

/** The view of a stored object, as stage logic sees it. */
export const viewOf = (kind: Exclude<Kind, 'Lease'>, object: KubeObject): ObjectView => {
  switch (kind) {
    case 'Deployment':
      return { kind, view: toDeploymentView(object as V1Deployment) };
    case 'ReplicaSet':
      return { kind, view: toReplicaSetView(object as V1ReplicaSet) };
    case 'Node':
      return { kind, view: toNodeView(object as V1Node) };
    case 'Pod':
      return isTemplatePod(object as V1Pod)
        ? { kind: 'TemplatePod', view: toTemplatePodView(object as V1Pod) }
        : { kind: 'Pod', view: toPodView(object as V1Pod) };
  }
};

/** A run of `count` undelivered events that become due together. */
interface DueRun {
  readonly dueAtMs: number;
  count: number;
}

/** One informer of one stage, with the due times of its undelivered events. */
export class StageInformer {
  readonly id: string;
  private readonly runs: DueRun[] = [];
  private known = 0;
  /** Events of the first successful list still undelivered (then `informer.synced`). */
  initialRemaining = -1;
  listedRv = 0;
  /**
   * client-go's last-synced resourceVersion: every event up to it has been delivered. Streamed
   * events (resourceVersion order) and bookmarks move it; a re-list's events (name order) do
   * not, a bookmark after them does.
   */
  progressRv = 0;

  constructor(
    readonly stage: StageId,
    readonly tag: string,
    readonly informer: Informer,
  ) {
    this.id = `${stage}:${tag}`;
  }

  get pending(): number {
    return this.known;
  }

  /** Listed and nothing queued: a bookmark sent now would be delivered next. */
  get idle(): boolean {
    return this.informer.hasListed && this.informer.pending === 0;
  }

  bookmark(rv: number): void {
    this.progressRv = Math.max(this.progressRv, rv);
  }

  get nextDueAtMs(): number | undefined {
    return this.runs[0]?.dueAtMs;
  }

  /** Stamps events appended since the last look with `dueAtMs`. */
  notice(dueAtMs: number, rv: number): void {
    const pending = this.informer.pending;
    if (this.initialRemaining < 0 && this.informer.hasListed) {
      this.initialRemaining = pending;
      this.listedRv = rv;
    }
    if (pending > this.known) this.runs.push({ dueAtMs, count: pending - this.known });
    else if (pending < this.known) this.restamp(dueAtMs, pending);
    this.known = pending;
  }

  /**
   * After a relist the queue is replaced: everything in it becomes due together. A relist
   * before the initial list was delivered replaces that list too, so what is left of the
   * initial list is the new queue (found by the fuzzer: a re-list that emptied the queue
   * left `initialRemaining` above zero for good, and the stage never heard `synced`).
   */
  restamp(dueAtMs: number, pending = this.informer.pending): void {
    if (this.initialRemaining > 0) this.initialRemaining = pending;
    this.runs.length = 0;
    if (pending > 0) this.runs.push({ dueAtMs, count: pending });
    this.known = pending;
  }

  /** Every undelivered event becomes due `ms` later (a delayed watch stream). */
  shift(ms: number): void {
    for (let i = 0; i < this.runs.length; i += 1) {
      const run = this.runs[i] as DueRun;
      this.runs[i] = { dueAtMs: run.dueAtMs + ms, count: run.count };
    }
  }

  deliver(): StageEvent | undefined {
    const event = this.informer.deliverNext();
    if (!event) return undefined;
    const head = this.runs[0];
    if (head) {
      head.count -= 1;
      if (head.count === 0) this.runs.shift();
    }
    this.known -= 1;
    if (this.initialRemaining > 0) this.initialRemaining -= 1;
    if (!event.relisted) this.progressRv = Math.max(this.progressRv, Number(event.resourceVersion));
    return toStageEvent(this.informer.filter.kind, event);
  }
}

const toStageEvent = (kind: Kind, event: InformerEvent): StageEvent => {
  // No stage watches Leases: a stage reads its own with a GET (lease.ts).
  if (kind === 'Lease') throw new Error('no stage has a Lease informer');
  const rv = Number(event.resourceVersion);
  const object = viewOf(kind, event.object);
  const relisted = event.relisted ? ({ relisted: true } as const) : {};
  if (event.type === 'DELETED')
    return { type: 'informer.delete', object, rv, tombstone: event.tombstone, ...relisted };
  return { type: 'informer.upsert', object, rv, ...relisted };
};

/** Opens a stage's informers (each starts with a list, accounted to the stage). */
export const openInformers = (api: ApiServer, stage: StageId): StageInformer[] =>
  informerSpecs(stage).map(
    (spec) => new StageInformer(stage, spec.tag, api.informer(stage, spec.filter)),
  );
