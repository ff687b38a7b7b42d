/**
 * Owner-reference garbage collection as an explicit, schedulable step rather than hidden
 * work: writes only queue GC items (core.ts), and `collectGarbage` works the items queued
 * so far (not those its own deletions queue: the next sweep takes them) through ordinary
 * API requests from the `garbage-collector` client, so its
 * requests are accounted, watched and refused during an outage like anyone else's.
 *
 * - An owner uid that is no longer live: every dependent with no live owner left is
 *   deleted (Background; pods on a node gracefully, so their kubelet stops the sandbox).
 *   This also collects objects created later with a dangling owner reference.
 * - An owner deleting in the foreground: its dependents are deleted (Foreground again,
 *   as Kubernetes propagates it), and once none is left its finalizer is dropped.
 * - A lost node (the pod GC controller): the pods bound to it are force-deleted.
 *
 * Left out: removing one dangling reference from an object that still has a live owner
 * (Kubernetes patches it out; here the object is simply kept), and Orphan propagation.
 */
import { type Core, FOREGROUND_FINALIZER, isForegroundDeleting } from './core.js';
import type { ObjectRef } from './store.js';
import type { ApiRequest, ApiResponse, KubeObject } from './types.js';

export const GC_CLIENT = 'garbage-collector';
export const POD_GC_CLIENT = 'pod-garbage-collector';

export interface GcReport {
  /** False when the API Server was unavailable: nothing was done, the work stays queued. */
  readonly ok: boolean;
  readonly requests: readonly { readonly request: ApiRequest; readonly response: ApiResponse }[];
}

type Handle = (request: ApiRequest) => ApiResponse;

export const collectGarbage = (core: Core, handle: Handle, available: boolean): GcReport => {
  if (!available) return { ok: false, requests: [] };
  const requests: { request: ApiRequest; response: ApiResponse }[] = [];
  const send = (request: ApiRequest): void => {
    requests.push({ request, response: handle(request) });
  };
  // One level of ownership per sweep, as Kubernetes' collector works: the work its own
  // deletions queue (a deleted ReplicaSet's template Pod and pods) waits for the next
  // sweep, so an informer can see a ReplicaSet gone while its template is still there.
  for (let left = core.gc.size; left > 0; left -= 1) {
    const item = core.gc.take();
    if (!item) break;
    if (item.type === 'node') collectNode(core, item.id, send);
    else collectOwner(core, item.id, send);
  }
  return { ok: true, requests };
};

const collectOwner = (core: Core, ownerUid: string, send: (request: ApiRequest) => void): void => {
  const owner = core.store.byUidRef(ownerUid);
  if (owner && !isForegroundDeleting(owner.object)) return;
  const foreground = owner !== undefined;
  for (const ref of core.store.dependentsOf(ownerUid)) {
    const dependent = core.store.get(ref.kind, ref.key);
    if (!dependent || dependent.metadata?.deletionTimestamp !== undefined) continue;
    if (!foreground && hasLiveOwner(core, dependent)) continue;
    send(deleteRequest(ref, dependent, foreground));
  }
  if (owner && core.store.dependentsOf(ownerUid).length === 0) {
    const finalizers =
      owner.object.metadata?.finalizers?.filter((f) => f !== FOREGROUND_FINALIZER) ?? [];
    send({
      verb: 'patch',
      kind: owner.kind,
      namespace: owner.object.metadata?.namespace ?? '',
      name: owner.object.metadata?.name ?? '',
      patch: { metadata: { finalizers: finalizers.length > 0 ? finalizers : null } },
      client: GC_CLIENT,
    });
  }
};

const hasLiveOwner = (core: Core, object: KubeObject): boolean =>
  object.metadata?.ownerReferences?.some((ref) => core.store.isLive(ref.uid)) ?? false;

const deleteRequest = (ref: ObjectRef, object: KubeObject, foreground: boolean): ApiRequest => ({
  verb: 'delete',
  kind: ref.kind,
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
  preconditions: { uid: object.metadata?.uid ?? '' },
  propagationPolicy: foreground && ref.kind !== 'Pod' ? 'Foreground' : 'Background',
  client: GC_CLIENT,
});

const collectNode = (core: Core, nodeName: string, send: (request: ApiRequest) => void): void => {
  if (core.store.get('Node', nodeName)) return;
  for (const key of core.store.podKeysOn(nodeName)) {
    const pod = core.store.get('Pod', key);
    if (!pod) continue;
    send({
      verb: 'delete',
      kind: 'Pod',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata?.uid ?? '' },
      client: POD_GC_CLIENT,
    });
  }
};
