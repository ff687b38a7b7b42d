/**
 * From a stage's `ApiIntent` to a real Kubernetes request and back: the one place where
 * the runtime builds objects for a stage (the ~17 KB pod of an expose, from the template
 * Pod in the kubelet's informer; the vanilla pod from the ReplicaSet in the controller's
 * informer) and projects the response onto a view for `api.done`.
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
  type ApiServer,
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
import type { ApiIntent, ApiOutcome, ObjectKind, ObjectView } from '../../stages/io.js';
import { viewOf } from './informers.js';

type ApiEvent = Extract<AppliedEvent, { kind: 'api' }>;

/** What the runtime knows on a stage's behalf: its informer caches and its own writes. */
interface IntentContext {
  readonly stage: StageId;
  readonly nowMs: number;
  known(kind: Kind, key: string): KubeObject | undefined;
}

interface IntentResult {
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

/** The stored object a response is about (a Scale or a Binding answer names its object). */
const storedAfter = (
  api: ApiServer,
  request: ApiRequest,
  response: ApiResponse,
): KubeObject | undefined => {
  if (!response.ok || !('object' in response)) return undefined;
  if (request.verb === 'delete') return undefined;
  if (request.verb === 'bind' || (request.verb === 'patch' && request.subresource === 'scale'))
    return api.lookup(request.kind, request.namespace, request.name);
  return response.object as KubeObject;
};

/**
 * The request a stage sends for an intent, built when the stage emits it (a materialised
 * pod carries the time it was built); null when the stage lacks what it needs.
 */
export const requestFor = (intent: ApiIntent, ctx: IntentContext): ApiRequest | null => {
  const built = buildRequest(intent, ctx);
  return 'missing' in built ? null : ({ ...built.request, client: ctx.stage } as ApiRequest);
};

/** Runs one request against the API Server (a null request is answered `notFound`). */
export const executeIntent = (
  api: ApiServer,
  intent: ApiIntent,
  request: ApiRequest | null,
): IntentResult => {
  const described = describeIntent(intent);
  if (request === null) return { ...described, outcome: 'notFound' };
  const response = api.handle(request);
  const outcome = outcomeOf(response);
  if (request.verb === 'list')
    return response.ok && 'resourceVersion' in response
      ? { ...described, outcome, rv: Number(response.resourceVersion) }
      : { ...described, outcome };
  const stored = storedAfter(api, request, response);
  if (!stored) return { ...described, outcome };
  if (request.kind === 'Lease')
    return { ...described, outcome, stored, lease: toLeaseView(stored as V1Lease) };
  return { ...described, outcome, stored, object: viewOf(request.kind, stored) };
};
