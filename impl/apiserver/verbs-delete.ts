/**
 * DELETE with Kubernetes semantics. A pod bound to a node is deleted gracefully: it gets
 * `deletionTimestamp` (now + grace period) and stays until its kubelet deletes it again
 * with grace period 0; an unbound pod, or any delete with grace period 0, removes it at
 * once. A Deployment or ReplicaSet is removed at once (Background propagation: the garbage
 * collector then deletes its dependents) or, with Foreground, kept as deleting with the
 * `foregroundDeletion` finalizer until its dependents are gone. Objects with other
 * finalizers are only marked deleting.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { type Core, FOREGROUND_FINALIZER } from './core.js';
import { notFound, preconditionFailed } from './errors.js';
import { isClusterScoped, loose, typed, withMetadata } from './object-meta.js';
import { nodeNameOf } from './selectors.js';
import { storeKey } from './store.js';
import type { DeleteRequest, ErrorResponse, Kind, KubeObject, ObjectResponse } from './types.js';

type Result = ObjectResponse | ErrorResponse;

/** Kubernetes' default when the pod spec names none. */
const DEFAULT_GRACE_SECONDS = 30;

export const deleteObject = (core: Core, request: DeleteRequest): Result => {
  const { kind, name } = request;
  const key = storeKey(isClusterScoped(kind) ? undefined : request.namespace, name);
  const current = core.store.get(kind, key);
  if (!current) return notFound(kind, name);
  const refused = preconditionRefusal(current, request);
  if (refused) return refused;
  if (kind === 'Pod') return deletePod(core, key, current, request.gracePeriodSeconds);
  if (current.metadata?.deletionTimestamp !== undefined)
    return { ok: true, code: 200, object: current };
  if (request.propagationPolicy === 'Foreground')
    return deleteInForeground(core, kind, key, current);
  return finish(core, kind, key, current);
};

const preconditionRefusal = (
  current: KubeObject,
  request: DeleteRequest,
): ErrorResponse | undefined => {
  const { uid, resourceVersion } = request.preconditions ?? {};
  const meta = current.metadata ?? {};
  if (uid !== undefined && uid !== meta.uid)
    return preconditionFailed('UidPrecondition', uid, meta.uid ?? '');
  if (resourceVersion !== undefined && resourceVersion !== meta.resourceVersion) {
    return preconditionFailed(
      'ResourceVersionPrecondition',
      resourceVersion,
      meta.resourceVersion ?? '',
    );
  }
  return undefined;
};

const deletePod = (
  core: Core,
  key: string,
  pod: KubeObject,
  graceSeconds: number | undefined,
): Result => {
  if (graceSeconds === 0 || nodeNameOf(pod) === '') return finish(core, 'Pod', key, pod);
  if (pod.metadata?.deletionTimestamp !== undefined) return { ok: true, code: 200, object: pod };
  const spec = (pod as { spec?: { terminationGracePeriodSeconds?: number } }).spec;
  const seconds = graceSeconds ?? spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const next = markDeleting(pod, core.timestamp(seconds * 1000), seconds);
  return { ok: true, code: 200, object: core.write('Pod', key, pod, next) };
};

const deleteInForeground = (core: Core, kind: Kind, key: string, current: KubeObject): Result => {
  const finalizers = [...(current.metadata?.finalizers ?? []), FOREGROUND_FINALIZER];
  const next = markDeleting(current, core.timestamp(), 0, finalizers);
  const written = core.write(kind, key, current, next);
  core.gc.owner(written.metadata?.uid ?? '');
  return { ok: true, code: 200, object: written };
};

/** Removes the object, unless finalizers hold it: then it is only marked deleting. */
const finish = (core: Core, kind: Kind, key: string, current: KubeObject): Result => {
  if ((current.metadata?.finalizers?.length ?? 0) === 0) {
    return { ok: true, code: 200, object: core.remove(kind, key, current) };
  }
  if (current.metadata?.deletionTimestamp !== undefined)
    return { ok: true, code: 200, object: current };
  return {
    ok: true,
    code: 200,
    object: core.write(kind, key, current, markDeleting(current, core.timestamp(), 0)),
  };
};

const markDeleting = (
  object: KubeObject,
  at: Date,
  graceSeconds: number,
  finalizers?: string[],
): KubeObject => {
  const metadata: V1ObjectMeta = {
    ...object.metadata,
    deletionTimestamp: at,
    deletionGracePeriodSeconds: graceSeconds,
  };
  if (finalizers) metadata.finalizers = finalizers;
  return typed(withMetadata(loose(object), metadata));
};
