/**
 * Each kind the stages use, as `@kubernetes/client-node`'s typed clients serve it: where it
 * is watched, the model type its JSON deserialises into, and the calls the stages' requests
 * need (read, list, create, replace, merge patch, the `status` and `scale` subresources,
 * delete, pod binding). A call the stages never make is absent, and the adapter refuses a
 * request for it as a bug (`unsupported`).
 */
import type {
  ConfigurationOptions,
  KubernetesListObject,
  V1DeleteOptions,
  V1Deployment,
  V1Lease,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import type { Kind, KubeObject } from '../../apiserver/index.js';
import type { ApiClients } from '../client.js';

/** An object by name; `namespace` is '' for cluster-scoped kinds. */
export interface Named {
  readonly namespace: string;
  readonly name: string;
}

export interface DeleteQuery {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: string;
  readonly body?: V1DeleteOptions;
}

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

type Options = ConfigurationOptions;
type Call<A, R = unknown> = (args: A, options: Options) => Promise<R>;
type Body = { readonly body: unknown };

export interface KindCalls {
  /** The collection across all namespaces, as a watch names it. */
  readonly watchPath: string;
  /** The client-node model type of one object (`ObjectSerializer`'s name for it). */
  readonly modelType: string;
  readonly read: Call<Named>;
  readonly list: Call<ListQuery, KubernetesListObject<KubeObject>>;
  readonly create?: Call<Named & Body>;
  readonly replace?: Call<Named & Body>;
  readonly replaceStatus?: Call<Named & Body>;
  /** Merge patches: the options carry the content type. */
  readonly patch?: Call<Named & Body>;
  readonly patchStatus?: Call<Named & Body>;
  readonly patchScale?: Call<Named & Body>;
  readonly delete?: Call<Named & DeleteQuery>;
  readonly bind?: Call<Named & Body>;
}

const list = <T extends KubeObject>(
  call: (query: ListQuery, options: Options) => Promise<KubernetesListObject<T>>,
): Call<ListQuery, KubernetesListObject<KubeObject>> => call;

const pods = ({ core }: ApiClients): KindCalls => ({
  watchPath: '/api/v1/pods',
  modelType: 'V1Pod',
  read: (a, o) => core.readNamespacedPod(a, o),
  list: list((q, o) => core.listPodForAllNamespaces(q, o)),
  create: ({ namespace, body }, o) =>
    core.createNamespacedPod({ namespace, body: body as V1Pod }, o),
  replace: (a, o) => core.replaceNamespacedPod({ ...a, body: a.body as V1Pod }, o),
  replaceStatus: (a, o) => core.replaceNamespacedPodStatus({ ...a, body: a.body as V1Pod }, o),
  patch: (a, o) => core.patchNamespacedPod(a, o),
  patchStatus: (a, o) => core.patchNamespacedPodStatus(a, o),
  delete: (a, o) => core.deleteNamespacedPod(a, o),
  bind: (a, o) => core.createNamespacedPodBinding({ ...a, body: a.body as never }, o),
});

const nodes = ({ core }: ApiClients): KindCalls => ({
  watchPath: '/api/v1/nodes',
  modelType: 'V1Node',
  read: ({ name }, o) => core.readNode({ name }, o),
  list: list((q, o) => core.listNode(q, o)),
  patch: ({ name, body }, o) => core.patchNode({ name, body }, o),
  patchStatus: ({ name, body }, o) => core.patchNodeStatus({ name, body }, o),
});

const deployments = ({ apps }: ApiClients): KindCalls => ({
  watchPath: '/apis/apps/v1/deployments',
  modelType: 'V1Deployment',
  read: (a, o) => apps.readNamespacedDeployment(a, o),
  list: list((q, o) => apps.listDeploymentForAllNamespaces(q, o)),
  create: ({ namespace, body }, o) =>
    apps.createNamespacedDeployment({ namespace, body: body as V1Deployment }, o),
  replace: (a, o) => apps.replaceNamespacedDeployment({ ...a, body: a.body as V1Deployment }, o),
  patch: (a, o) => apps.patchNamespacedDeployment(a, o),
  patchStatus: (a, o) => apps.patchNamespacedDeploymentStatus(a, o),
  patchScale: (a, o) => apps.patchNamespacedDeploymentScale(a, o),
  delete: (a, o) => apps.deleteNamespacedDeployment(a, o),
});

const replicaSets = ({ apps }: ApiClients): KindCalls => ({
  watchPath: '/apis/apps/v1/replicasets',
  modelType: 'V1ReplicaSet',
  read: (a, o) => apps.readNamespacedReplicaSet(a, o),
  list: list((q, o) => apps.listReplicaSetForAllNamespaces(q, o)),
  create: ({ namespace, body }, o) =>
    apps.createNamespacedReplicaSet({ namespace, body: body as V1ReplicaSet }, o),
  replace: (a, o) => apps.replaceNamespacedReplicaSet({ ...a, body: a.body as V1ReplicaSet }, o),
  patch: (a, o) => apps.patchNamespacedReplicaSet(a, o),
  patchStatus: (a, o) => apps.patchNamespacedReplicaSetStatus(a, o),
  patchScale: (a, o) => apps.patchNamespacedReplicaSetScale(a, o),
  delete: (a, o) => apps.deleteNamespacedReplicaSet(a, o),
});

const leases = ({ coordination }: ApiClients): KindCalls => ({
  watchPath: '/apis/coordination.k8s.io/v1/leases',
  modelType: 'V1Lease',
  read: (a, o) => coordination.readNamespacedLease(a, o),
  list: list((q, o) => coordination.listLeaseForAllNamespaces(q, o)),
  create: ({ namespace, body }, o) =>
    coordination.createNamespacedLease({ namespace, body: body as V1Lease }, o),
  replace: (a, o) => coordination.replaceNamespacedLease({ ...a, body: a.body as V1Lease }, o),
  patch: (a, o) => coordination.patchNamespacedLease(a, o),
  delete: (a, o) => coordination.deleteNamespacedLease(a, o),
});

/** The calls of every kind, over one set of clients. */
export const kindCallsFor = (clients: ApiClients): Readonly<Record<Kind, KindCalls>> => ({
  Pod: pods(clients),
  Node: nodes(clients),
  Deployment: deployments(clients),
  ReplicaSet: replicaSets(clients),
  Lease: leases(clients),
});
