/**
 * Narrow views of the Kubernetes objects the narrow waist reads and writes.
 *
 * The implementation keeps real `@kubernetes/client-node` objects in its API Server and
 * projects them onto these views at one boundary; the model works on the views directly.
 * Every field is required so that stage logic never guesses a default.
 *
 * `templateHash` stands for the whole pod template (spec and labels): two templates are
 * equal iff their hashes are equal. `rv` is the resourceVersion at the object's last write.
 */
import type { NodeName, ObjectKey, PodKey, Uid } from './ids.js';

/** Labels of protocol.md §2 that select the direct or the vanilla path per object. */
interface PathLabels {
  /** `kubedirect/managed`: the object takes the direct path. */
  readonly managed: boolean;
}

export interface DeploymentView extends PathLabels {
  readonly key: ObjectKey;
  readonly uid: Uid;
  readonly replicas: number;
  readonly templateHash: string;
  /** metadata.generation: incremented by the API Server on every change of the spec. */
  readonly generation: number;
  /**
   * Annotation `kubedirect/replicas-version` (`autoscalerLink: 'direct'` only): the version
   * of the autoscaler's `deployment.scale` that set `replicas`; 0 when written otherwise.
   */
  readonly replicasVersion: number;
  /** deletionTimestamp is set: garbage collection of dependents is under way. */
  readonly deleting: boolean;
  /** Written by the Deployment controller: the sum of its ReplicaSets' status. */
  readonly status: { readonly replicas: number; readonly readyReplicas: number };
  readonly rv: number;
}

export interface ReplicaSetView extends PathLabels {
  readonly key: ObjectKey;
  readonly uid: Uid;
  /** Owner reference: the Deployment's uid. */
  readonly ownerUid: Uid;
  readonly templateHash: string;
  readonly replicas: number;
  /**
   * Annotation `kubedirect/replicas-version`: the version of the direct `replicaset.scale`
   * that set `replicas`, so a late, older message never overwrites a newer persisted count.
   */
  readonly replicasVersion: number;
  /**
   * `kubedirect/fallback-scaling`: the ReplicaSet controller creates its pods through the API
   * (Pod CREATE, then the vanilla scheduler and kubelet); its count still comes directly.
   */
  readonly fallbackScaling: boolean;
  readonly status: { readonly replicas: number; readonly readyReplicas: number };
  readonly deleting: boolean;
  readonly rv: number;
}

/** The one template Pod per ReplicaSet that kubelets materialise pods from (protocol.md §2). */
export interface TemplatePodView {
  readonly key: ObjectKey;
  readonly uid: Uid;
  /** Owner reference: the ReplicaSet's uid. */
  readonly ownerUid: Uid;
  readonly ownerKey: ObjectKey;
  readonly templateHash: string;
  /** `kubedirect/fallback-binding`: pods of this ReplicaSet are bound through the API. */
  readonly fallbackBinding: boolean;
  readonly rv: number;
}

export interface PodView {
  readonly key: PodKey;
  readonly uid: Uid;
  /** Owner reference: the ReplicaSet's uid and key. */
  readonly ownerUid: Uid;
  readonly ownerKey: ObjectKey;
  /** Hash of the spec and labels the pod was materialised with. */
  readonly templateHash: string;
  readonly nodeName: NodeName | null;
  readonly ready: boolean;
  /** deletionTimestamp is set: the kubelet must stop the sandbox and remove the object. */
  readonly deleting: boolean;
  readonly rv: number;
}

export interface NodeView {
  readonly name: NodeName;
  /** Allocatable pod slots. */
  readonly allocatable: number;
  readonly rv: number;
}

/**
 * A stage's coordination.k8s.io/v1 Lease (one per stage that mints epochs or names): a
 * restarted stage reads it and takes it with `leaseTransitions + 1`, its incarnation.
 */
export interface LeaseView {
  readonly key: ObjectKey;
  readonly holder: string;
  /** `spec.leaseTransitions`. */
  readonly transitions: number;
  readonly rv: number;
}

/** The API Server's objects, keyed by object key (nodes by name). */
export interface ApiObjects {
  readonly deployments: Readonly<Record<ObjectKey, DeploymentView>>;
  readonly replicaSets: Readonly<Record<ObjectKey, ReplicaSetView>>;
  readonly templatePods: Readonly<Record<ObjectKey, TemplatePodView>>;
  readonly pods: Readonly<Record<PodKey, PodView>>;
  readonly nodes: Readonly<Record<NodeName, NodeView>>;
}
