/**
 * The one boundary between real Kubernetes objects and the narrow views of
 * `spec/types/objects.ts`: stage logic only ever sees views. Projections are memoised per
 * object; stored objects are immutable, so a view is computed once per object version.
 */
import type {
  V1Deployment,
  V1Lease,
  V1Node,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { objectKey } from '../../spec/types/ids.js';
import type {
  ApiObjects,
  DeploymentView,
  LeaseView,
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../spec/types/objects.js';
import { templateHash } from './hash.js';
import {
  FALLBACK_BINDING_LABEL,
  FALLBACK_SCALING_LABEL,
  hasTrueLabel,
  MANAGED_LABEL,
  REPLICAS_VERSION_ANNOTATION,
  TEMPLATE_LABEL,
} from './labels.js';

/** Memoises a projection per object identity. */
const memoised = <T extends object, V>(project: (object: T) => V): ((object: T) => V) => {
  const memo = new WeakMap<T, V>();
  return (object) => {
    let view = memo.get(object);
    if (view === undefined) {
      view = project(object);
      memo.set(object, view);
    }
    return view;
  };
};

const rvOf = (meta: V1ObjectMeta | undefined): number => Number(meta?.resourceVersion ?? 0);

const keyOf = (meta: V1ObjectMeta | undefined): string =>
  objectKey(meta?.namespace ?? 'default', meta?.name ?? '');

/** A Deployment's or a ReplicaSet's key and `spec.replicas`, read off the object. */
export const scaleOf = (
  object: V1Deployment | V1ReplicaSet,
): { key: string; replicas: number } => ({
  key: keyOf(object.metadata),
  replicas: object.spec?.replicas ?? 1,
});

/** The controller owner reference (the first one if none is marked controller). */
const controllerRefOf = (meta: V1ObjectMeta | undefined): V1OwnerReference | undefined =>
  meta?.ownerReferences?.find((ref) => ref.controller === true) ?? meta?.ownerReferences?.[0];

const ownerOf = (meta: V1ObjectMeta | undefined): { ownerUid: string; ownerKey: string } => {
  const ref = controllerRefOf(meta);
  return {
    ownerUid: ref?.uid ?? '',
    ownerKey: ref ? objectKey(meta?.namespace ?? 'default', ref.name) : '',
  };
};

export const isTemplatePod = (pod: V1Pod): boolean =>
  hasTrueLabel(pod.metadata?.labels, TEMPLATE_LABEL);

/** The PodReady condition is True. */
const isPodReady = (pod: V1Pod): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export const toDeploymentView = memoised(
  (d: V1Deployment): DeploymentView => ({
    key: keyOf(d.metadata),
    uid: d.metadata?.uid ?? '',
    replicas: d.spec?.replicas ?? 1,
    templateHash: templateHash(d.spec?.template ?? {}),
    generation: d.metadata?.generation ?? 0,
    replicasVersion: Number(d.metadata?.annotations?.[REPLICAS_VERSION_ANNOTATION] ?? 0) || 0,
    deleting: d.metadata?.deletionTimestamp !== undefined,
    status: {
      replicas: d.status?.replicas ?? 0,
      readyReplicas: d.status?.readyReplicas ?? 0,
    },
    rv: rvOf(d.metadata),
    managed: hasTrueLabel(d.metadata?.labels, MANAGED_LABEL),
  }),
);

export const toReplicaSetView = memoised(
  (rs: V1ReplicaSet): ReplicaSetView => ({
    key: keyOf(rs.metadata),
    uid: rs.metadata?.uid ?? '',
    ownerUid: ownerOf(rs.metadata).ownerUid,
    templateHash: templateHash(rs.spec?.template ?? {}),
    replicas: rs.spec?.replicas ?? 1,
    replicasVersion: Number(rs.metadata?.annotations?.[REPLICAS_VERSION_ANNOTATION] ?? 0) || 0,
    fallbackScaling: hasTrueLabel(rs.metadata?.labels, FALLBACK_SCALING_LABEL),
    status: {
      replicas: rs.status?.replicas ?? 0,
      readyReplicas: rs.status?.readyReplicas ?? 0,
    },
    deleting: rs.metadata?.deletionTimestamp !== undefined,
    rv: rvOf(rs.metadata),
    managed: hasTrueLabel(rs.metadata?.labels, MANAGED_LABEL),
  }),
);

export const toTemplatePodView = memoised(
  (pod: V1Pod): TemplatePodView => ({
    key: keyOf(pod.metadata),
    uid: pod.metadata?.uid ?? '',
    ...ownerOf(pod.metadata),
    templateHash: templateHash(pod),
    fallbackBinding: hasTrueLabel(pod.metadata?.labels, FALLBACK_BINDING_LABEL),
    rv: rvOf(pod.metadata),
  }),
);

export const toPodView = memoised(
  (pod: V1Pod): PodView => ({
    key: keyOf(pod.metadata),
    uid: pod.metadata?.uid ?? '',
    ...ownerOf(pod.metadata),
    templateHash: templateHash(pod),
    nodeName: pod.spec?.nodeName || null,
    ready: isPodReady(pod),
    deleting: pod.metadata?.deletionTimestamp !== undefined,
    rv: rvOf(pod.metadata),
  }),
);

export const toNodeView = memoised(
  (node: V1Node): NodeView => ({
    name: node.metadata?.name ?? '',
    allocatable: Number(node.status?.allocatable?.pods ?? 0) || 0,
    rv: rvOf(node.metadata),
  }),
);

export const toLeaseView = memoised(
  (lease: V1Lease): LeaseView => ({
    key: objectKey(lease.metadata?.namespace ?? '', lease.metadata?.name ?? ''),
    holder: lease.spec?.holderIdentity ?? '',
    transitions: lease.spec?.leaseTransitions ?? 0,
    rv: rvOf(lease.metadata),
  }),
);

interface StoredObjects {
  readonly deployments: Iterable<V1Deployment>;
  readonly replicaSets: Iterable<V1ReplicaSet>;
  /** Template Pods and pods together, as the API Server stores them. */
  readonly pods: Iterable<V1Pod>;
  readonly nodes: Iterable<V1Node>;
}

/** The `ApiObjects` of an Observation: every stored object, projected and keyed. */
export const toApiObjects = (stored: StoredObjects): ApiObjects => {
  const byKey = <T extends { key: string }>(views: Iterable<T>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const view of views) out[view.key] = view;
    return out;
  };
  const templates: TemplatePodView[] = [];
  const pods: PodView[] = [];
  for (const pod of stored.pods) {
    if (isTemplatePod(pod)) templates.push(toTemplatePodView(pod));
    else pods.push(toPodView(pod));
  }
  const nodes: Record<string, NodeView> = {};
  for (const node of stored.nodes) nodes[node.metadata?.name ?? ''] = toNodeView(node);
  return {
    deployments: byKey(Array.from(stored.deployments, toDeploymentView)),
    replicaSets: byKey(Array.from(stored.replicaSets, toReplicaSetView)),
    templatePods: byKey(templates),
    pods: byKey(pods),
    nodes,
  };
};
