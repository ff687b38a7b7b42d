/**
 * What each stage watches and how a watch event becomes what the stage hears, for every
 * runtime: the sim's informers over the in-memory API Server (sim/informers.ts) and the
 * client-node adapter's list + watch over HTTP (impl/k8s/adapter/) both deliver
 * `informer.*` events built here, with views from impl/k8s/views.ts (template Pods as
 * `TemplatePod`).
 */
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Config } from '../../../spec/types/config.js';
import { nodeOfKubelet, type StageId, stageKindOf } from '../../../spec/types/ids.js';
import type { Kind, KubeObject, ListFilter, WatchEventType } from '../../apiserver/index.js';
import {
  isTemplatePod,
  TEMPLATE_LABEL,
  toDeploymentView,
  toNodeView,
  toPodView,
  toReplicaSetView,
  toTemplatePodView,
} from '../../k8s/index.js';
import type { Mode, ObjectView, StageEvent } from '../../stages/io.js';

export interface InformerSpec {
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

/**
 * Whether a stage listens to `informer.progress`: only the clients of direct links (the
 * Deployment and ReplicaSet controllers, the scheduler, and the autoscaler with
 * `autoscalerLink: 'direct'` on the direct path) ever wait for a resourceVersion.
 */
export const listensToProgress = (stage: StageId, config: Config, mode: Mode): boolean => {
  const kind = stageKindOf(stage);
  if (kind === 'deployment' || kind === 'replicaset' || kind === 'scheduler') return true;
  return kind === 'autoscaler' && config.switches.autoscalerLink === 'direct' && mode === 'direct';
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

/** One event an informer delivers, whichever runtime's informer it is. */
export interface DeliveredEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
  readonly resourceVersion: string;
  /** A re-list found the object gone; `object` is the last state the informer knew. */
  readonly tombstone: boolean;
  /** Part of a (re-)list, in list order, not streamed from the watch. */
  readonly relisted: boolean;
}

/** What a stage hears of one delivered event. */
export const stageEventOf = (kind: Kind, event: DeliveredEvent): StageEvent => {
  // No stage watches Leases: a stage reads its own with a GET (lease.ts).
  if (kind === 'Lease') throw new Error('no stage has a Lease informer');
  const rv = Number(event.resourceVersion);
  const object = viewOf(kind, event.object);
  const relisted = event.relisted ? ({ relisted: true } as const) : {};
  if (event.type === 'DELETED')
    return { type: 'informer.delete', object, rv, tombstone: event.tombstone, ...relisted };
  return { type: 'informer.upsert', object, rv, ...relisted };
};
