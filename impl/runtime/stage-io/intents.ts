/**
 * From a stage's `ApiIntent` to a real Kubernetes request and back, for every runtime: the
 * one place where a runtime builds objects for a stage (the ~17 KB pod of an expose, from
 * the template Pod in the kubelet's informer; the vanilla pod from the ReplicaSet in the
 * controller's informer) and projects the response onto a view for `api.done`. The sim
 * runtime hands the request to the in-memory API Server (sim/intents.ts); the client-node
 * adapter sends it over HTTP (impl/k8s/adapter/). Both classify the answer and build the
 * `api.done` event here, so they cannot drift apart.
 *
 * An intent that needs an object the stage cannot see (a template Pod its informer does
 * not hold) is answered `notFound` without a request, as a client that cannot build its
 * request never sends one.
 */
import type { V1Lease, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { type StageId, splitKey } from '../../../spec/types/ids.js';
import type { LeaseView } from '../../../spec/types/objects.js';
import type { AppliedEvent } from '../../../spec/types/observation.js';
import {
  type ApiRequest,
  type ApiResponse,
  type Kind,
  type KubeObject,
  outcomeOf,
} from '../../apiserver/index.js';
import {
  isTemplatePod,
  materialisePod,
  podFromReplicaSet,
  REPLICAS_VERSION_ANNOTATION,
  runningStatus,
  toLeaseView,
} from '../../k8s/index.js';
import type {
  ApiIntent,
  ApiOutcome,
  Effect,
  ObjectKind,
  ObjectView,
  StageEvent,
} from '../../stages/io.js';
import { viewOf } from './informers.js';

type ApiEvent = Extract<AppliedEvent, { kind: 'api' }>;

/** What a stage hears back about one request. */
export type ApiDone = Extract<StageEvent, { type: 'api.done' }>;
/** A stage's API request, as its machine emits it. */
export type ApiEffect = Extract<Effect, { type: 'api' }>;

/** What the runtime knows on a stage's behalf: its informer caches and its own writes. */
export interface IntentContext {
  readonly stage: StageId;
  readonly nowMs: number;
  known(kind: Kind, key: string): KubeObject | undefined;
}

export interface IntentResult {
  readonly outcome: ApiOutcome;
  readonly object?: ObjectView;
  readonly lease?: LeaseView;
  /** The stored object after a successful write (the stage's own copy from now on). */
  readonly stored?: KubeObject;
  readonly verb: ApiEvent['verb'];
  readonly resource: ApiEvent['resource'];
  /** A list's resourceVersion. */
  readonly rv?: number;
}

type Built = { request: ApiRequest } | { missing: true };

const kindOf = (kind: ObjectKind): Kind => (kind === 'TemplatePod' ? 'Pod' : kind);

const named = (key: string) => splitKey(key);

const buildPodWrite = (intent: ApiIntent, ctx: IntentContext): Built => {
  switch (intent.op) {
    case 'exposePod': {
      const template = ctx.known('Pod', intent.templateKey) as V1Pod | undefined;
      if (!template) return { missing: true };
      const object = materialisePod(template, named(intent.key).name, intent.node, ctx.nowMs);
      return {
        request: { verb: 'create', kind: 'Pod', object },
      };
    }
    case 'createPod': {
      const rs = ctx.known('ReplicaSet', intent.ownerKey) as V1ReplicaSet | undefined;
      if (!rs?.metadata?.uid || !rs.metadata.name) return { missing: true };
      const owner = rs as V1ReplicaSet & { metadata: { name: string; uid: string } };
      const object = podFromReplicaSet(owner, ctx.nowMs, named(intent.key).name);
      return { request: { verb: 'create', kind: 'Pod', object } };
    }
    case 'markReady': {
      const pod = ctx.known('Pod', intent.key) as V1Pod | undefined;
      if (!pod) return { missing: true };
      const status = runningStatus(pod, ctx.nowMs);
      if (intent.wholeObject)
        return {
          request: {
            verb: 'update',
            kind: 'Pod',
            object: { ...pod, status },
            subresource: 'status',
          },
        };
      return {
        request: {
          verb: 'patch',
          kind: 'Pod',
          ...named(intent.key),
          subresource: 'status',
          patch: { status },
        },
      };
    }
    default:
      return { missing: true };
  }
};

/**
 * A write of `spec.replicas` with the version annotation that orders counts, under the
 * cached copy's resourceVersion as a precondition when the intent carries one.
 */
const versionedScale = (
  kind: 'Deployment' | 'ReplicaSet',
  intent: {
    readonly key: string;
    readonly replicas: number;
    readonly version: number;
    readonly resourceVersion?: number;
  },
): ApiRequest => {
  const precondition =
    intent.resourceVersion === undefined ? {} : { resourceVersion: String(intent.resourceVersion) };
  const patch = {
    metadata: {
      ...precondition,
      annotations: { [REPLICAS_VERSION_ANNOTATION]: String(intent.version) },
    },
    spec: { replicas: intent.replicas },
  };
  return { verb: 'patch', kind, ...named(intent.key), patch };
};

type TakeLease = Extract<ApiIntent, { op: 'takeLease' }>;

/** A Lease's CREATE, or its UPDATE under a resourceVersion precondition. */
const leaseWrite = (intent: TakeLease): ApiRequest => {
  const { namespace, name } = named(intent.key);
  const spec = { holderIdentity: intent.holder, leaseTransitions: intent.transitions };
  const metadata =
    intent.resourceVersion === null
      ? { namespace, name }
      : { namespace, name, resourceVersion: String(intent.resourceVersion) };
  const object: V1Lease = { metadata, spec };
  return intent.resourceVersion === null
    ? { verb: 'create', kind: 'Lease', object }
    : { verb: 'update', kind: 'Lease', object };
};

/** The real request of an intent (or `missing` when the stage lacks what it needs). */
const buildRequest = (intent: ApiIntent, ctx: IntentContext): Built => {
  switch (intent.op) {
    case 'scaleDeployment':
      if (intent.version !== undefined)
        return { request: versionedScale('Deployment', { ...intent, version: intent.version }) };
      return {
        request: {
          verb: 'patch',
          kind: 'Deployment',
          ...named(intent.key),
          subresource: 'scale',
          patch: { spec: { replicas: intent.replicas } },
        },
      };
    case 'scaleReplicaSet':
      return { request: versionedScale('ReplicaSet', intent) };
    case 'replicaSetStatus':
    case 'deploymentStatus': {
      const kind = intent.op === 'replicaSetStatus' ? 'ReplicaSet' : 'Deployment';
      const status = { replicas: intent.replicas, readyReplicas: intent.readyReplicas };
      return {
        request: {
          verb: 'patch',
          kind,
          ...named(intent.key),
          subresource: 'status',
          patch: { status },
        },
      };
    }
    case 'bindPod':
      return {
        request: { verb: 'bind', kind: 'Pod', ...named(intent.key), nodeName: intent.node },
      };
    case 'deletePod':
      return {
        request: {
          verb: 'delete',
          kind: 'Pod',
          ...named(intent.key),
          preconditions: {
            uid: intent.uid,
            ...(intent.resourceVersion === undefined
              ? {}
              : { resourceVersion: String(intent.resourceVersion) }),
          },
        },
      };
    case 'removePod':
      return {
        request: {
          verb: 'delete',
          kind: 'Pod',
          ...named(intent.key),
          gracePeriodSeconds: 0,
          preconditions: { uid: intent.uid },
        },
      };
    case 'get':
      return { request: { verb: 'get', kind: kindOf(intent.kind), ...named(intent.key) } };
    case 'readResourceVersion':
      return { request: RESOURCE_VERSION_READ };
    case 'getLease':
      return { request: { verb: 'get', kind: 'Lease', ...named(intent.key) } };
    case 'takeLease':
      return { request: leaseWrite(intent) };
    default:
      return buildPodWrite(intent, ctx);
  }
};

/** The verb and resource an intent is reported under (`AppliedEvent` has no `bind` verb). */
const describeIntent = (intent: ApiIntent): Pick<IntentResult, 'verb' | 'resource'> => {
  switch (intent.op) {
    case 'scaleDeployment':
    case 'deploymentStatus':
      return { verb: 'patch', resource: 'deployment' };
    case 'scaleReplicaSet':
    case 'replicaSetStatus':
      return { verb: 'patch', resource: 'replicaset' };
    case 'createPod':
    case 'exposePod':
      return { verb: 'create', resource: 'pod' };
    case 'bindPod':
      return { verb: 'update', resource: 'pod' };
    case 'markReady':
      return { verb: intent.wholeObject ? 'update' : 'patch', resource: 'pod' };
    case 'deletePod':
    case 'removePod':
      return { verb: 'delete', resource: 'pod' };
    case 'get':
      return { verb: 'get', resource: resourceOfKind(intent.kind) };
    case 'readResourceVersion':
      return { verb: 'list', resource: 'deployment' };
    case 'getLease':
      return { verb: 'get', resource: 'lease' };
    case 'takeLease':
      return { verb: intent.resourceVersion === null ? 'create' : 'update', resource: 'lease' };
  }
};

/**
 * A consistent LIST that selects nothing: its only answer is the API's current
 * resourceVersion (what `limit=1` would give a real client, without the object).
 */
const RESOURCE_VERSION_READ: ApiRequest = {
  verb: 'list',
  kind: 'Deployment',
  labelSelector: {
    matchExpressions: [{ key: 'kubedirect/resource-version-read', operator: 'Exists' }],
  },
};

const resourceOfKind = (kind: ObjectKind | 'Lease'): ApiEvent['resource'] =>
  kind === 'TemplatePod' ? 'templatePod' : (kind.toLowerCase() as ApiEvent['resource']);

/** The resource word for a stored object (template Pods apart from pods). */
export const resourceOfObject = (
  kind: Kind,
  object: KubeObject | undefined,
): ApiEvent['resource'] =>
  kind === 'Pod' && object && isTemplatePod(object as V1Pod) ? 'templatePod' : resourceOfKind(kind);

/**
 * Whether the response to `request` is not the object the request wrote: a Binding's answer
 * is a Status, a scale write's a Scale. The runtime then finds the object after the write
 * itself (the sim looks it up; over HTTP it is read back).
 */
export const answersWithOtherObject = (
  request: ApiRequest,
): request is Extract<ApiRequest, { verb: 'bind' | 'patch' }> =>
  request.verb === 'bind' || (request.verb === 'patch' && request.subresource === 'scale');

/**
 * The request a stage sends for an intent, built when the stage emits it (a materialised
 * pod carries the time it was built); null when the stage lacks what it needs.
 */
export const requestFor = (intent: ApiIntent, ctx: IntentContext): ApiRequest | null => {
  const built = buildRequest(intent, ctx);
  return 'missing' in built ? null : ({ ...built.request, client: ctx.stage } as ApiRequest);
};

/**
 * What a stage learns from the answer to its request: the outcome, a list's resourceVersion,
 * and the object after a successful write or read (`stored`, found by the runtime: the
 * response's object, or the object itself where the response is something else, see
 * `answersWithOtherObject`; none after a delete). A null request was never sent: notFound.
 */
export const resultOf = (
  intent: ApiIntent,
  request: ApiRequest | null,
  response: ApiResponse | undefined,
  stored: KubeObject | undefined,
): IntentResult => {
  const described = describeIntent(intent);
  if (request === null || response === undefined) return { ...described, outcome: 'notFound' };
  const outcome = outcomeOf(response);
  if (request.verb === 'list')
    return response.ok && 'resourceVersion' in response
      ? { ...described, outcome, rv: Number(response.resourceVersion) }
      : { ...described, outcome };
  if (!response.ok || request.verb === 'delete' || !stored) return { ...described, outcome };
  if (request.kind === 'Lease')
    return { ...described, outcome, stored, lease: toLeaseView(stored as V1Lease) };
  return { ...described, outcome, stored, object: viewOf(request.kind, stored) };
};

/** The `api.done` event of a result: what the stage hears. */
export const apiDoneOf = (id: number, intent: ApiIntent, result: IntentResult): ApiDone => ({
  type: 'api.done',
  id,
  intent,
  outcome: result.outcome,
  ...(result.object ? { object: result.object } : {}),
  ...(result.rv !== undefined ? { rv: result.rv } : {}),
  ...(result.lease ? { lease: result.lease } : {}),
});

/** The key under which a runtime remembers a stage's own write (`knownTo`). */
export const writtenKey = (kind: Kind, key: string): string => `${kind} ${key}`;

/** The newer of two copies of an object by resourceVersion (the first of equal ones). */
export const newerOf = (
  best: KubeObject | undefined,
  copy: KubeObject | undefined,
): KubeObject | undefined =>
  copy &&
  Number(copy.metadata?.resourceVersion ?? -1) > Number(best?.metadata?.resourceVersion ?? -1)
    ? copy
    : best;

/**
 * What a stage can see of an object: the newer of its own last write and its informers'
 * copies (the first of equal resourceVersions wins).
 */
export const newestKnown = (
  written: KubeObject | undefined,
  cached: Iterable<KubeObject | undefined>,
): KubeObject | undefined => {
  let best = written;
  for (const copy of cached) best = newerOf(best, copy);
  return best;
};
