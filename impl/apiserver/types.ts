/**
 * The API Server's vocabulary as plain data: requests, responses and watch events. Plain
 * data so that a runtime can queue, delay, drop or log them as events, and so that the
 * same requests always give the same responses.
 *
 * Objects inside requests, responses and events are shared with the store and must never
 * be mutated: build a changed copy (copy-on-write) and send it in an update or patch.
 */
import type {
  V1Deployment,
  V1LabelSelector,
  V1Lease,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1Scale,
} from '@kubernetes/client-node';

/** `Lease` is coordination.k8s.io/v1: what a stage reads on start to learn its incarnation. */
export type Kind = 'Deployment' | 'ReplicaSet' | 'Pod' | 'Node' | 'Lease';

export interface KindMap {
  Deployment: V1Deployment;
  ReplicaSet: V1ReplicaSet;
  Pod: V1Pod;
  Node: V1Node;
  Lease: V1Lease;
}

export type KubeObject = KindMap[Kind];

/** Who sent a request, for accounting (`replicaset`, `kubelet/n1`, `user`, ...). */
interface Sender {
  readonly client?: string;
}

/** Nodes are cluster-scoped: their namespace is ''. */
export interface GetRequest<K extends Kind = Kind> extends Sender {
  readonly verb: 'get';
  readonly kind: K;
  readonly namespace: string;
  readonly name: string;
}

export interface ListFilter<K extends Kind = Kind> {
  readonly kind: K;
  /** Absent: every namespace. */
  readonly namespace?: string;
  readonly labelSelector?: V1LabelSelector;
  /** Field selector `spec.nodeName=<node>` (pods only); '' selects unbound pods. */
  readonly nodeName?: string;
}

export interface ListRequest<K extends Kind = Kind> extends Sender, ListFilter<K> {
  readonly verb: 'list';
}

export interface CreateRequest<K extends Kind = Kind> extends Sender {
  readonly verb: 'create';
  readonly kind: K;
  readonly object: KindMap[K];
}

/** PUT: the whole object; a non-empty `metadata.resourceVersion` must be the current one. */
export interface UpdateRequest<K extends Kind = Kind> extends Sender {
  readonly verb: 'update';
  readonly kind: K;
  readonly object: KindMap[K];
  readonly subresource?: 'status';
}

/**
 * JSON merge patch (RFC 7386). On `status` only the patch's `status` applies; on `scale`
 * the patch is a Scale (`{spec: {replicas}}`). A `metadata.resourceVersion` in the patch is
 * a precondition, as in Kubernetes.
 */
export interface PatchRequest<K extends Kind = Kind> extends Sender {
  readonly verb: 'patch';
  readonly kind: K;
  readonly namespace: string;
  readonly name: string;
  readonly patch: unknown;
  readonly subresource?: 'status' | 'scale';
}

interface DeletePreconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface DeleteRequest<K extends Kind = Kind> extends Sender {
  readonly verb: 'delete';
  readonly kind: K;
  readonly namespace: string;
  readonly name: string;
  /** Pods: 0 removes at once; otherwise a pod bound to a node is deleted gracefully. */
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: DeletePreconditions;
  /** Default Background. Foreground keeps the owner (deleting) until its dependents are gone. */
  readonly propagationPolicy?: 'Background' | 'Foreground';
}

/** POST pods/<name>/binding, as the vanilla scheduler binds a pod to a node. */
export interface BindRequest extends Sender {
  readonly verb: 'bind';
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly uid?: string;
}

export type ApiRequest =
  | GetRequest
  | ListRequest
  | CreateRequest
  | UpdateRequest
  | PatchRequest
  | DeleteRequest
  | BindRequest;

export type Verb = ApiRequest['verb'];

export interface ObjectResponse<T = KubeObject> {
  readonly ok: true;
  readonly code: 200 | 201;
  readonly object: T;
}

export interface ListResponse<T = KubeObject> {
  readonly ok: true;
  readonly code: 200;
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** Kubernetes `metav1.StatusReason` values the server returns. */
type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Forbidden'
  | 'Invalid'
  | 'BadRequest'
  | 'ServiceUnavailable';

/** Why a request failed, finer than the reason, so callers never parse messages. */
export type ErrorCause =
  | 'Unavailable'
  | 'NotFound'
  | 'AlreadyExists'
  | 'StaleResourceVersion'
  | 'UidPrecondition'
  | 'ResourceVersionPrecondition'
  | 'AlreadyBound'
  | 'PodDeleting'
  | 'Invalid';

export interface ErrorResponse {
  readonly ok: false;
  readonly code: 400 | 403 | 404 | 409 | 422 | 503;
  readonly reason: StatusReason;
  readonly cause: ErrorCause;
  readonly message: string;
}

export type ApiResponse = ObjectResponse<KubeObject | V1Scale> | ListResponse | ErrorResponse;

/** The response type of a request, so typed callers need no casts. */
export type ResponseOf<R extends ApiRequest> =
  R extends ListRequest<infer K>
    ? ListResponse<KindMap[K]> | ErrorResponse
    : R extends PatchRequest & { subresource: 'scale' }
      ? ObjectResponse<V1Scale> | ErrorResponse
      : R extends { kind: infer K extends Kind }
        ? ObjectResponse<KindMap[K]> | ErrorResponse
        : never;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent<T = KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
  /** The resourceVersion of the write that caused the event. */
  readonly resourceVersion: string;
}
