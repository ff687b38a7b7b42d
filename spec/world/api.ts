/**
 * The API Server of the model: resourceVersion, create / update / patch / delete with their
 * failure outcomes, deletionTimestamp, owner-reference garbage collection and an outage
 * switch. Each request is atomic (request and response in one step); the asynchrony the
 * protocol must survive comes from informer lag, the network and crashes instead.
 */

import { withEntry, withoutEntries } from '../stages/common.js';
import type { Config } from '../types/config.js';
import type { ObjectKey, PodKey, StageId } from '../types/ids.js';
import type { ApiObjects, PodView } from '../types/objects.js';
import type { AppliedEvent } from '../types/observation.js';
import type { HeldCount, WorldState } from './state.js';

type ApiState = WorldState['api'];

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

/** What a request leaves: the API after it, and its outcome. */
export interface Answer {
  readonly api: ApiState;
  readonly outcome: Outcome;
}

/**
 * Runs one request: fails during an outage, else `body` answers from `api` (which it never
 * changes); records the event.
 */
export const requestOn = (
  api: ApiState,
  events: AppliedEvent[],
  req: Request,
  body: () => Answer,
): Answer => {
  const answer: Answer = api.up ? body() : { api, outcome: 'outage' };
  events.push({ kind: 'api', retry: false, ...req, outcome: answer.outcome });
  return answer;
};

type Written = 'deployments' | 'replicaSets' | 'pods';

/** `api` with `object` written to its collection, the object and the API at the next rv. */
export const withWritten = <C extends Written>(
  api: ApiState,
  collection: C,
  object: ApiObjects[C][string],
): ApiState => {
  const rv = api.rv + 1;
  return { ...api, rv, [collection]: { ...api[collection], [object.key]: { ...object, rv } } };
};

/**
 * An update of the object `key` of `collection`, the body of a request: not found, or what
 * `change` makes of the object, written at the next rv; `change` may answer an outcome
 * instead (a refusal, or `ok` for a write that would change nothing).
 */
export const updateOn = <C extends Written>(
  api: ApiState,
  collection: C,
  key: ObjectKey,
  change: (object: ApiObjects[C][string]) => ApiObjects[C][string] | Outcome,
): Answer => {
  const object = api[collection][key] as ApiObjects[C][string] | undefined;
  if (!object) return { api, outcome: 'notFound' };
  const changed = change(object);
  if (typeof changed === 'string') return { api, outcome: changed };
  return { api: withWritten(api, collection, changed), outcome: 'ok' };
};

/**
 * A CREATE of the object `key` of `collection`, the body of a request: already there, or
 * what `make` builds with the next uid and rv. As in Kubernetes, owner references are not
 * checked: an object whose owner is gone is accepted, and the garbage collector removes it.
 */
export const createOn = <C extends 'pods' | 'templatePods'>(
  api: ApiState,
  collection: C,
  key: ObjectKey,
  make: (uid: string, rv: number) => ApiObjects[C][string],
): Answer => {
  if (api[collection][key]) return { api, outcome: 'alreadyExists' };
  const uidCounter = api.uidCounter + 1;
  const rv = api.rv + 1;
  const objects = { ...api[collection], [key]: make(`u${uidCounter}`, rv) };
  return { api: { ...api, uidCounter, rv, [collection]: objects }, outcome: 'ok' };
};

/** What a write-back leaves: the API after it, and the writer's table of held counts. */
export interface WrittenBack {
  readonly api: ApiState;
  readonly held: Readonly<Record<ObjectKey, HeldCount>>;
}

/**
 * The write-back of the count `held` holds for `key` to its Deployment or ReplicaSet, as the
 * Deployment and ReplicaSet controllers make it: `spec.replicas` and the version annotation,
 * `bump` adding what else the write changes. A newer persisted version is never overwritten:
 * the implementation patches with its cached copy's resourceVersion and on a 409 decides
 * again (switch `writeBackPrecondition`), which one atomic step stands for here. The count
 * is then `written` (a conflict too: a newer one is there), or forgotten with its object.
 */
export const writeBackOn = <C extends 'deployments' | 'replicaSets'>(
  api: ApiState,
  cfg: Config,
  events: AppliedEvent[],
  writer: { readonly actor: StageId; readonly collection: C },
  held: Readonly<Record<ObjectKey, HeldCount>>,
  key: ObjectKey,
  bump: (object: ApiObjects[C][string], count: HeldCount) => ApiObjects[C][string],
): WrittenBack => {
  const count = held[key];
  if (!count) return { api, held };
  const resource = writer.collection === 'deployments' ? 'deployment' : 'replicaset';
  const answer = requestOn(
    api,
    events,
    { actor: writer.actor, verb: 'update', resource, key },
    () =>
      updateOn(api, writer.collection, key, (object) =>
        object.replicasVersion >= count.version && cfg.switches.writeBackPrecondition
          ? 'conflict'
          : { ...bump(object, count), replicas: count.replicas, replicasVersion: count.version },
      ),
  );
  const after = answer.api;
  if (answer.outcome === 'ok' || answer.outcome === 'conflict')
    return { api: after, held: withEntry(held, key, { ...count, written: true }) };
  if (answer.outcome === 'notFound')
    return { api: after, held: withoutEntries(held, (_, k) => k === key) };
  return { api: after, held };
};

/**
 * A controller's status patch of its Deployment or ReplicaSet on plain objects: `status` is
 * `replicas/readyReplicas`, as the controllers keep what they last wrote.
 */
export const patchStatusOn = (
  api: ApiState,
  events: AppliedEvent[],
  actor: 'deployment' | 'replicaset',
  key: ObjectKey,
  status: string,
): Answer => {
  const [replicas, ready] = status.split('/').map(Number);
  const collection = actor === 'deployment' ? 'deployments' : 'replicaSets';
  const patch = { replicas: replicas ?? 0, readyReplicas: ready ?? 0 };
  return requestOn(api, events, { actor, verb: 'patch', resource: actor, key }, () =>
    updateOn(api, collection, key, (object) => ({ ...object, status: patch })),
  );
};

/**
 * `state` with the pod object `key` removed for good (the API at the next rv) and recorded
 * in the ghost history.
 */
export const withoutPod = (state: WorldState, key: PodKey): WorldState => {
  const api = state.api;
  const pods = withoutEntries(api.pods, (_, k) => k === key);
  const deletedPods = withEntry(state.ghost.deletedPods, key, true);
  const ghost =
    deletedPods === state.ghost.deletedPods ? state.ghost : { ...state.ghost, deletedPods };
  return { ...state, api: { ...api, pods, rv: api.rv + 1 }, ghost };
};

/** Graceful deletion: set deletionTimestamp; the pod's kubelet finishes it. */
export const markPodDeletingOn = (api: ApiState, key: PodKey): Answer =>
  updateOn(api, 'pods', key, (pod) => (pod.deleting ? 'ok' : { ...pod, deleting: true }));

interface NewPod {
  readonly key: PodKey;
  readonly ownerKey: ObjectKey;
  readonly ownerUid: string;
  readonly templateHash: string;
  readonly nodeName: string;
}

/** Pod CREATE (`createOn`). */
export const createPodOn = (api: ApiState, pod: NewPod): Answer =>
  createOn(api, 'pods', pod.key, (uid, rv) => ({ ...pod, uid, ready: false, deleting: false, rv }));

/**
 * One garbage-collector sweep (background propagation), one level of ownership at a time,
 * as Kubernetes' collector works through its graph: ReplicaSets whose Deployment is gone
 * are removed first; only a later sweep removes the template Pods and Pods whose
 * ReplicaSet is gone (so an informer can show a template whose owner is already gone).
 * Pods on a node are deleted gracefully so that their kubelet stops the sandbox first. A
 * pod created after its owner was removed (a late expose) is collected like any other.
 * The API after the sweep.
 */
export const collectGarbage = (api: ApiState): ApiState => {
  const deploymentUids = new Set(Object.values(api.deployments).map((d) => d.uid));
  const replicaSets = withoutEntries(api.replicaSets, (rs) => !deploymentUids.has(rs.ownerUid));
  if (replicaSets !== api.replicaSets) {
    const removed = Object.keys(api.replicaSets).length - Object.keys(replicaSets).length;
    return { ...api, replicaSets, rv: api.rv + removed };
  }
  const rsUids = new Set(Object.values(api.replicaSets).map((r) => r.uid));
  const templatePods = withoutEntries(api.templatePods, (t) => !rsUids.has(t.ownerUid));
  // Each removal and each deletion mark takes the next rv, templates first.
  let rv = api.rv + Object.keys(api.templatePods).length - Object.keys(templatePods).length;
  let pods: Record<PodKey, PodView> | null = null;
  for (const pod of Object.values(api.pods)) {
    if (rsUids.has(pod.ownerUid) || pod.deleting) continue;
    rv += 1;
    pods ??= { ...api.pods };
    pods[pod.key] = { ...pod, deleting: true, rv };
  }
  return { ...api, templatePods, pods: pods ?? api.pods, rv };
};

/** True iff a sweep would change something (so the action is enabled only when useful). */
export const hasGarbage = (api: ApiState): boolean => {
  const deploymentUids = new Set(Object.values(api.deployments).map((d) => d.uid));
  if (Object.values(api.replicaSets).some((rs) => !deploymentUids.has(rs.ownerUid))) return true;
  const rsUids = new Set(Object.values(api.replicaSets).map((r) => r.uid));
  if (Object.values(api.templatePods).some((t) => !rsUids.has(t.ownerUid))) return true;
  return Object.values(api.pods).some((p) => !rsUids.has(p.ownerUid) && !p.deleting);
};
