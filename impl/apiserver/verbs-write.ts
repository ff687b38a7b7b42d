/**
 * CREATE, UPDATE (PUT), PATCH (JSON merge patch; `status` and `scale` subresources) and pod
 * binding, with Kubernetes' failure outcomes: AlreadyExists, NotFound, Conflict on a stale
 * resourceVersion or a uid precondition, Conflict when binding a bound or deleting pod.
 * A create is not checked against its owner references (Kubernetes does not either): an
 * object created with a dangling owner is accepted and the garbage collector removes it.
 */
import type { V1Pod, V1Scale } from '@kubernetes/client-node';
import { fnv1a, safeEncode } from '../k8s/hash.js';
import type { Core } from './core.js';
import {
  alreadyBound,
  alreadyExists,
  invalid,
  notFound,
  podDeleting,
  preconditionFailed,
  staleResourceVersion,
} from './errors.js';
import { isPlainObject, mergePatch } from './merge-patch.js';
import {
  API_VERSION,
  finalized,
  hasGeneration,
  initialStatus,
  isClusterScoped,
  keepServerOwned,
  type Loose,
  loose,
  nextGeneration,
  typed,
  unchanged,
  withMetadata,
} from './object-meta.js';
import { nodeNameOf } from './selectors.js';
import { storeKey } from './store.js';
import type {
  BindRequest,
  CreateRequest,
  ErrorResponse,
  Kind,
  KubeObject,
  ObjectResponse,
  PatchRequest,
  UpdateRequest,
} from './types.js';
import { validationError } from './validation.js';

type Result<T = KubeObject> = ObjectResponse<T> | ErrorResponse;

export const create = (core: Core, request: CreateRequest): Result => {
  const { kind } = request;
  const body = loose(request.object);
  const namespace = isClusterScoped(kind) ? undefined : (body.metadata?.namespace ?? 'default');
  const name =
    body.metadata?.name ?? generatedName(core, kind, namespace, body.metadata?.generateName);
  if (!name)
    return invalid(kind, '', 'metadata.name: Required value: name or generateName is required');
  const key = storeKey(namespace, name);
  if (core.store.get(kind, key)) return alreadyExists(kind, name);
  const badBody = validationError(kind, body);
  if (badBody) return invalid(kind, name, badBody);
  const metadata = newMetadata(core, kind, namespace, name, body);
  const status = initialStatus(kind, body);
  const object: Loose = {
    ...body,
    apiVersion: API_VERSION[kind],
    kind,
    metadata,
    ...(status ? { status } : {}),
  };
  return { ok: true, code: 201, object: core.write(kind, key, undefined, typed(object)) };
};

/** The client's metadata with the server's identity, time and generation. */
const newMetadata = (
  core: Core,
  kind: Kind,
  namespace: string | undefined,
  name: string,
  body: Loose,
) => {
  const generateName = body.metadata?.generateName;
  return keepServerOwned(
    {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      uid: core.store.mintUid(),
      creationTimestamp: core.timestamp(),
      ...(hasGeneration(kind) ? { generation: 1 } : {}),
      ...(generateName === undefined ? {} : { generateName }),
    },
    body.metadata,
  );
};

/** `generateName` plus five characters, deterministic: derived from the store's history. */
const generatedName = (
  core: Core,
  kind: Kind,
  namespace: string | undefined,
  prefix: string | undefined,
) => {
  if (prefix === undefined) return undefined;
  for (let attempt = 0; ; attempt += 1) {
    const seed = `${prefix}#${core.store.resourceVersion}#${attempt}`;
    const suffix = safeEncode(fnv1a(seed)).slice(-5);
    const name = `${prefix}${suffix}`;
    if (!core.store.get(kind, storeKey(namespace, name))) return name;
  }
};

/** Optimistic concurrency: a given uid or resourceVersion must be the current one. */
const preconditionError = (
  kind: Kind,
  current: Loose,
  uid: string | undefined,
  resourceVersion: string | undefined,
): ErrorResponse | undefined => {
  const name = current.metadata?.name ?? '';
  if (uid && uid !== current.metadata?.uid)
    return preconditionFailed('UidPrecondition', uid, current.metadata?.uid ?? '');
  if (resourceVersion && resourceVersion !== current.metadata?.resourceVersion)
    return staleResourceVersion(kind, name);
  return undefined;
};

/** The body of a client's full object, with server-owned metadata and status kept. */
const replaceBody = (current: Loose, body: Loose): Loose => {
  const next: Loose = {
    ...body,
    apiVersion: current.apiVersion ?? '',
    kind: current.kind ?? '',
    metadata: keepServerOwned(current.metadata, body.metadata),
  };
  if (current.status === undefined) delete next.status;
  else next.status = current.status;
  return next;
};

export const update = (core: Core, request: UpdateRequest): Result => {
  const { kind } = request;
  const body = loose(request.object);
  const name = body.metadata?.name ?? '';
  const key = storeKey(
    isClusterScoped(kind) ? undefined : (body.metadata?.namespace ?? 'default'),
    name,
  );
  const current = core.store.get(kind, key);
  if (!current) return notFound(kind, name);
  const refused = preconditionError(
    kind,
    loose(current),
    body.metadata?.uid,
    body.metadata?.resourceVersion,
  );
  if (refused) return refused;
  const next =
    request.subresource === 'status'
      ? withStatus(loose(current), body.status)
      : replaceBody(loose(current), body);
  return commitChange(core, kind, key, current, next);
};

const withStatus = (current: Loose, status: object | undefined): Loose => {
  const next = { ...current };
  if (status === undefined) delete next.status;
  else next.status = status;
  return next;
};

export const patch = (core: Core, request: PatchRequest): Result<KubeObject | V1Scale> => {
  const { kind, name } = request;
  const key = storeKey(isClusterScoped(kind) ? undefined : request.namespace, name);
  const current = core.store.get(kind, key);
  if (!current || (request.subresource === 'scale' && !hasGeneration(kind)))
    return notFound(kind, name);
  if (!isPlainObject(request.patch))
    return invalid(kind, name, 'a merge patch must be a JSON object');
  const meta = isPlainObject(request.patch.metadata) ? request.patch.metadata : {};
  const refused = preconditionError(
    kind,
    loose(current),
    stringOr(meta.uid),
    stringOr(meta.resourceVersion),
  );
  if (refused) return refused;
  const next = patched(loose(current), request);
  if (typeof next === 'string') return invalid(kind, name, next);
  const result = commitChange(core, kind, key, current, next);
  return result.ok && request.subresource === 'scale'
    ? { ...result, object: scaleOf(loose(result.object)) }
    : result;
};

const stringOr = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The patched object, or why the patch is invalid. */
const patched = (current: Loose, request: PatchRequest): Loose | string => {
  const body = request.patch as Record<string, unknown>;
  if (request.subresource === 'status') {
    return body.status === undefined
      ? current
      : withStatus(current, mergePatch(current.status, body.status) as object);
  }
  if (request.subresource === 'scale') {
    const replicas = isPlainObject(body.spec) ? body.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      return 'spec.replicas: Invalid value: must be a non-negative integer';
    }
    return { ...current, spec: { ...current.spec, replicas } };
  }
  const { status: _ignored, ...rest } = body;
  return replaceBody(current, mergePatch(current, rest) as Loose);
};

/** The Scale subresource view of a Deployment or ReplicaSet. */
export const scaleOf = (object: Loose): V1Scale => {
  const spec = object.spec as {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
  };
  const status = object.status as { replicas?: number } | undefined;
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata ?? {};
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp } as V1Scale['metadata'] &
      object,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, selector },
  };
};

/**
 * The common tail of update and patch: pods cannot move between nodes, the generation
 * follows the spec, a no-op writes nothing (no new resourceVersion, no watch event), and a
 * finalized deletion removes the object.
 */
const commitChange = (
  core: Core,
  kind: Kind,
  key: string,
  current: KubeObject,
  next: Loose,
): Result => {
  const name = current.metadata?.name ?? '';
  if (kind === 'Pod' && nodeNameOf(current) !== nodeNameOf(typed(next))) {
    return invalid(
      kind,
      name,
      'spec.nodeName: Forbidden: pod updates may not change the node; use pods/binding',
    );
  }
  const badBody = validationError(kind, next);
  if (badBody) return invalid(kind, name, badBody);
  const generation = nextGeneration(kind, loose(current), next);
  const candidate =
    generation === undefined ? next : withMetadata(next, { ...next.metadata, generation });
  if (unchanged(loose(current), candidate)) return { ok: true, code: 200, object: current };
  if (finalized(candidate))
    return { ok: true, code: 200, object: core.remove(kind, key, current, typed(candidate)) };
  return { ok: true, code: 200, object: core.write(kind, key, current, typed(candidate)) };
};

export const bind = (core: Core, request: BindRequest): Result => {
  const key = storeKey(request.namespace, request.name);
  const pod = core.store.get('Pod', key);
  if (!pod) return notFound('Pod', request.name);
  const refused = preconditionError('Pod', loose(pod), request.uid, undefined);
  if (refused) return refused;
  if (pod.metadata?.deletionTimestamp !== undefined) return podDeleting(request.name);
  const bound = nodeNameOf(pod);
  if (bound) return alreadyBound(request.name, bound);
  const next: V1Pod = {
    ...pod,
    spec: { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName: request.nodeName },
    status: { ...pod.status, conditions: scheduledConditions(pod, core.timestamp()) },
  };
  return { ok: true, code: 201, object: core.write('Pod', key, pod, next) };
};

/** The pod's conditions with PodScheduled True, as the binding registry sets it. */
const scheduledConditions = (pod: V1Pod, at: Date) => [
  ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
  { lastTransitionTime: at, status: 'True', type: 'PodScheduled' },
];
