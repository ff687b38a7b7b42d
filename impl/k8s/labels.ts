/**
 * The labels and annotations of protocol.md §2 that select the direct or the vanilla path
 * per object, plus the Kubernetes and Knative keys the builders and projections share.
 *
 * Boolean labels are set to the string "true"; any other value, or no label, means false,
 * so that flipping a path is a plain label edit (`kubectl label ... kubedirect/managed-`).
 */

/** Deployment, ReplicaSet: the object takes the direct path. */
export const MANAGED_LABEL = 'kubedirect/managed';
/** ReplicaSet: the Deployment controller scales it through the API. */
export const FALLBACK_SCALING_LABEL = 'kubedirect/fallback-scaling';
/** Template Pod: pods of its ReplicaSet are bound through the API. */
export const FALLBACK_BINDING_LABEL = 'kubedirect/fallback-binding';
/** The one template Pod per ReplicaSet; never scheduled. */
export const TEMPLATE_LABEL = 'kubedirect/template';
/** A pod the kubelet materialised and exposed (created through the API itself). */
export const PERSISTENT_LABEL = 'kubedirect/persistent';
/** ReplicaSet annotation: the version of the direct `replicaset.scale` that set replicas. */
export const REPLICAS_VERSION_ANNOTATION = 'kubedirect/replicas-version';

/** Every KubeDirect key shares this prefix; none of them is part of a pod template. */
export const KUBEDIRECT_PREFIX = 'kubedirect/';

/** Set by the Deployment controller on ReplicaSets and their pods (Kubernetes). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const TRUE = 'true';

/** True iff `labels[key]` is the string "true". */
export const hasTrueLabel = (
  labels: Readonly<Record<string, string>> | undefined,
  key: string,
): boolean => labels?.[key] === TRUE;

/** A copy of `labels` with `key` set to "true" when `on`, and removed otherwise. */
export const withFlag = (
  labels: Readonly<Record<string, string>> | undefined,
  key: string,
  on: boolean,
): Record<string, string> => {
  const copy: Record<string, string> = { ...labels };
  if (on) copy[key] = TRUE;
  else delete copy[key];
  return copy;
};
