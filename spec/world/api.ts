/**
 * The API Server of the model: resourceVersion, create / update / patch / delete with their
 * failure outcomes, deletionTimestamp, owner-reference garbage collection and an outage
 * switch. Each request is atomic (request and response in one step); the asynchrony the
 * protocol must survive comes from informer lag, the network and crashes instead.
 */

import type { ObjectKey, PodKey, StageId } from '../types/ids.js';
import type { PodView } from '../types/objects.js';
import type { AppliedEvent } from '../types/observation.js';
import type { Ctx } from './state.js';

type Actor = StageId | 'user' | 'gc' | 'nodeLifecycle';
type Resource = Extract<AppliedEvent, { kind: 'api' }>['resource'];
type Verb = Extract<AppliedEvent, { kind: 'api' }>['verb'];
export type Outcome = Extract<AppliedEvent, { kind: 'api' }>['outcome'];

interface Request {
  readonly actor: Actor;
  readonly verb: Verb;
  readonly resource: Resource;
  readonly key: ObjectKey;
  readonly retry?: boolean;
  /** An expose whose owner the exposer's informer already showed gone (evidence). */
  readonly ownerSeenGone?: true;
}

/** Runs one request: fails during an outage, else applies `body`, and records the event. */
export const request = (ctx: Ctx, req: Request, body: () => Outcome): Outcome => {
  const outcome: Outcome = ctx.w.api.up ? body() : 'outage';
  ctx.events.push({ kind: 'api', retry: false, ...req, outcome });
  return outcome;
};

export const nextRv = (ctx: Ctx): number => {
  ctx.w.api.rv += 1;
  return ctx.w.api.rv;
};

const nextUid = (ctx: Ctx): string => {
  ctx.w.api.uidCounter += 1;
  return `u${ctx.w.api.uidCounter}`;
};

/** Removes a pod object for good and records it in the ghost history. */
export const removePod = (ctx: Ctx, key: PodKey): void => {
  delete ctx.w.api.pods[key];
  nextRv(ctx);
  ctx.w.ghost.deletedPods[key] = true;
};

/** Graceful deletion: set deletionTimestamp; the pod's kubelet finishes it. */
export const markPodDeleting = (ctx: Ctx, key: PodKey): Outcome => {
  const pod = ctx.w.api.pods[key];
  if (!pod) return 'notFound';
  if (pod.deleting) return 'ok';
  pod.deleting = true;
  pod.rv = nextRv(ctx);
  return 'ok';
};

interface NewPod {
  readonly key: PodKey;
  readonly ownerKey: ObjectKey;
  readonly ownerUid: string;
  readonly templateHash: string;
  readonly nodeName: string;
}

/**
 * Pod CREATE. As in Kubernetes, the owner reference is not checked: a pod whose owner
 * ReplicaSet is gone or being deleted is accepted, and the garbage collector removes it.
 */
export const createPod = (ctx: Ctx, pod: NewPod): Outcome => {
  const api = ctx.w.api;
  if (api.pods[pod.key]) return 'alreadyExists';
  const view: PodView = { ...pod, uid: nextUid(ctx), ready: false, deleting: false, rv: 0 };
  api.pods[pod.key] = { ...view, rv: nextRv(ctx) };
  return 'ok';
};

/**
 * One garbage-collector sweep (background propagation), one level of ownership at a time,
 * as Kubernetes' collector works through its graph: ReplicaSets whose Deployment is gone
 * are removed first; only a later sweep removes the template Pods and Pods whose
 * ReplicaSet is gone (so an informer can show a template whose owner is already gone).
 * Pods on a node are deleted gracefully so that their kubelet stops the sandbox first. A
 * pod created after its owner was removed (a late expose) is collected like any other.
 */
export const collectGarbage = (ctx: Ctx): void => {
  const api = ctx.w.api;
  const deploymentUids = new Set(Object.values(api.deployments).map((d) => d.uid));
  let removed = false;
  for (const rs of Object.values(api.replicaSets)) {
    if (!deploymentUids.has(rs.ownerUid)) {
      delete api.replicaSets[rs.key];
      nextRv(ctx);
      removed = true;
    }
  }
  if (removed) return;
  const rsUids = new Set(Object.values(api.replicaSets).map((r) => r.uid));
  for (const template of Object.values(api.templatePods)) {
    if (!rsUids.has(template.ownerUid)) {
      delete api.templatePods[template.key];
      nextRv(ctx);
    }
  }
  for (const pod of Object.values(api.pods)) {
    if (!rsUids.has(pod.ownerUid) && !pod.deleting) markPodDeleting(ctx, pod.key);
  }
};

/** True iff a sweep would change something (so the action is enabled only when useful). */
export const hasGarbage = (api: Ctx['w']['api']): boolean => {
  const deploymentUids = new Set(Object.values(api.deployments).map((d) => d.uid));
  if (Object.values(api.replicaSets).some((rs) => !deploymentUids.has(rs.ownerUid))) return true;
  const rsUids = new Set(Object.values(api.replicaSets).map((r) => r.uid));
  if (Object.values(api.templatePods).some((t) => !rsUids.has(t.ownerUid))) return true;
  return Object.values(api.pods).some((p) => !rsUids.has(p.ownerUid) && !p.deleting);
};
