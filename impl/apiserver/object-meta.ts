/**
 * Helpers over any stored kind: the fields the API Server owns (a client can never set
 * them), initial status, generation, and change detection. Objects are treated as loose
 * JSON here because the rules are the same for every kind.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { pendingStatus } from '../k8s/pod-status.js';
import { deepEqual } from './equal.js';
import type { Kind, KubeObject } from './types.js';

export interface Loose {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: object;
  status?: object;
}

export const loose = (object: KubeObject): Loose => object as Loose;
export const typed = (object: Loose): KubeObject => object as KubeObject;

export const API_VERSION: Readonly<Record<Kind, string>> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Pod: 'v1',
  Node: 'v1',
  Lease: 'coordination.k8s.io/v1',
};

export const isClusterScoped = (kind: Kind): boolean => kind === 'Node';

/** Kinds whose controllers read `metadata.generation` against `status.observedGeneration`. */
export const hasGeneration = (kind: Kind): boolean =>
  kind === 'Deployment' || kind === 'ReplicaSet';

/** Server-owned metadata, never taken from a client's body. */
const SERVER_OWNED: readonly (keyof V1ObjectMeta)[] = [
  'name',
  'namespace',
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'generateName',
  'resourceVersion',
];

/** `metadata` of a client body with every server-owned field taken from `current`. */
export const keepServerOwned = (
  current: V1ObjectMeta | undefined,
  body: V1ObjectMeta | undefined,
): V1ObjectMeta => {
  const merged: Record<string, unknown> = { ...body };
  for (const field of SERVER_OWNED) {
    const value = current?.[field];
    if (value === undefined) delete merged[field];
    else merged[field] = value;
  }
  return merged as V1ObjectMeta;
};

/** The status a new object gets, whatever the client sent: Kubernetes resets it on create. */
export const initialStatus = (kind: Kind, body: Loose): object | undefined => {
  if (kind === 'Node') return body.status;
  if (kind === 'Lease') return undefined;
  if (kind === 'Pod')
    return pendingStatus((body as { spec?: Parameters<typeof pendingStatus>[0] }).spec);
  return {};
};

/** `metadata.generation` of `next`: one more than `current`'s iff the spec changed. */
export const nextGeneration = (kind: Kind, current: Loose, next: Loose): number | undefined => {
  const generation = current.metadata?.generation;
  if (!hasGeneration(kind)) return generation;
  return deepEqual(current.spec, next.spec) ? generation : (generation ?? 0) + 1;
};

/** True iff `next` differs from `current` only in its resourceVersion. */
export const unchanged = (current: Loose, next: Loose): boolean =>
  deepEqual(current, {
    ...next,
    metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion },
  });

/**
 * An object being deleted whose last finalizer is gone is removed, as Kubernetes does on
 * update (pods waiting for their kubelet keep a grace period and stay).
 */
export const finalized = (object: Loose): boolean =>
  object.metadata?.deletionTimestamp !== undefined &&
  object.metadata.deletionGracePeriodSeconds === 0 &&
  (object.metadata.finalizers?.length ?? 0) === 0;

export const withMetadata = (object: Loose, metadata: V1ObjectMeta): Loose => ({
  ...object,
  metadata,
});
