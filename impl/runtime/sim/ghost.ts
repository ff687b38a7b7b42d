/**
 * Ghost bookkeeping that no stage reads (spec/world/ghost.ts, mirrored): pods removed from
 * the API, the template of every ReplicaSet ever created, and per ReplicaSet the highest
 * desired count since its live pods last fitted it. Two raw watches of the runtime's own
 * (not informers, not accounted) feed it, and the readiness accounting of the summary.
 */
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import {
  type HeldCounts,
  HeldFold,
  isSettled,
  nextHandshakeEpochs,
  nextReadyFloor,
  readyTaken,
} from '../../../spec/types/ghost.js';
import { linkId, type ObjectKey, type StageId, splitKey } from '../../../spec/types/ids.js';
import type { LinkEntry, Message } from '../../../spec/types/messages.js';
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import type { AppliedEvent } from '../../../spec/types/observation.js';
import type { Watch } from '../../apiserver/index.js';
import {
  scaleOf,
  TEMPLATE_LABEL,
  toDeploymentView,
  toPodView,
  toReplicaSetView,
} from '../../k8s/index.js';
import type { StageReport } from '../../stages/io.js';
import { type ApiViews, apiViews } from './api-views.js';
import { observedIncarnation } from './incarnation.js';
import type { ActorSlot, SimState } from './state.js';

/** Ready pods per function, for "virtual time until every desired pod is Ready". */
export class Readiness {
  /** Ready, not deleting pods: pod key → owning Deployment key. */
  private readonly ready = new Map<string, ObjectKey>();
  private readonly count = new Map<ObjectKey, number>();
  /** ReplicaSet uid → its Deployment's key. */
  readonly deploymentOfRs = new Map<string, ObjectKey>();

  readyFor(deployment: ObjectKey): number {
    return this.count.get(deployment) ?? 0;
  }

  update(key: string, pod: V1Pod | undefined): void {
    const view = pod ? toPodView(pod) : undefined;
    const deployment = view ? this.deploymentOfRs.get(view.ownerUid) : undefined;
    const isReady = view?.ready === true && !view.deleting && deployment !== undefined;
    const was = this.ready.get(key);
    if (was !== undefined) {
      this.ready.delete(key);
      this.count.set(was, (this.count.get(was) ?? 1) - 1);
    }
    if (isReady && deployment) {
      this.ready.set(key, deployment);
      this.count.set(deployment, (this.count.get(deployment) ?? 0) + 1);
    }
  }
}

export interface GhostWatches {
  readonly pods: Watch;
  readonly replicaSets: Watch;
}

export const openGhostWatches = (state: SimState): GhostWatches => ({
  pods: state.api.watch('sim-ghost', {
    kind: 'Pod',
    labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'DoesNotExist' }] },
  }),
  replicaSets: state.api.watch('sim-ghost', { kind: 'ReplicaSet' }),
});

/** Drains the ghost watches: deleted pods, new ReplicaSets, readiness. */
export const drainGhostWatches = (
  state: SimState,
  watches: GhostWatches,
  readiness: Readiness,
): void => {
  for (let e = watches.replicaSets.take(); e; e = watches.replicaSets.take()) {
    const rs = toReplicaSetView(e.object as V1ReplicaSet);
    if (e.type === 'DELETED') continue;
    if (state.ghost.rsTemplates[rs.uid] === undefined) state.ghost.templatesAdded += 1;
    state.ghost.rsTemplates[rs.uid] = rs.templateHash;
    if (state.ghost.recentDesiredMax[rs.key] === undefined)
      state.ghost.recentDesiredMax[rs.key] = 0;
    const owner = state.api.objects('Deployment').find((d) => d.metadata?.uid === rs.ownerUid);
    if (owner?.metadata)
      readiness.deploymentOfRs.set(rs.uid, `${owner.metadata.namespace}/${owner.metadata.name}`);
  }
  for (let e = watches.pods.take(); e; e = watches.pods.take()) {
    const pod = toPodView(e.object as V1Pod);
    if (e.type === 'DELETED') state.ghost.deletedPods.add(pod.key);
    readiness.update(pod.key, e.type === 'DELETED' ? undefined : (e.object as V1Pod));
  }
};

/** Adds every entry a message on the wire carries to `out`. */
const addEntriesOf = (m: Message, out: LinkEntry[]): void => {
  if ('entry' in m) out.push(m.entry);
  if ('entries' in m) for (const e of m.entries) out.push(e);
  if ('snapshot' in m) for (const e of m.snapshot) out.push(e);
};

type Reports = ReadonlyMap<string, StageReport>;

const deploymentByUid = (deployments: readonly V1Deployment[], uid: string) =>
  deployments.find((d) => d.metadata?.uid === uid);

/** What the environment asks of a ReplicaSet now: the load, or 0 if outdated or orphaned. */
const loadFor = (state: SimState, api: ApiViews, rs: ReplicaSetView): number => {
  const owner = api.deploymentByUid(rs.ownerUid);
  if (!owner) return 0;
  return owner.templateHash === rs.templateHash ? (state.load.get(owner.key) ?? 0) : 0;
};

/** The Deployment and ReplicaSet controllers' informer caches, looked up once per step. */
interface ControllerCaches {
  /** A ReplicaSet's desired count in the ReplicaSet controller's cache. */
  countInReplicaSet(rsKey: ObjectKey): number | undefined;
  /** A ReplicaSet in the Deployment controller's cache. */
  replicaSetInDeployment(rsKey: ObjectKey): ReplicaSetView | undefined;
  /** A Deployment in the Deployment controller's cache, by uid. */
  deploymentByUid(uid: string): V1Deployment | undefined;
}

const informerOf = (state: SimState, stage: StageId, tag: string) =>
  state.slot(stage)?.informers.find((i) => i.tag === tag)?.informer;

const controllerCaches = (state: SimState): ControllerCaches => {
  const inDeployment = informerOf(state, 'deployment', 'replicasets');
  const inReplicaSet = informerOf(state, 'replicaset', 'replicasets');
  const deployments = informerOf(state, 'deployment', 'deployments');
  const view = (informer: typeof inDeployment, rsKey: ObjectKey) => {
    const rs = informer?.get(rsKey) as V1ReplicaSet | undefined;
    return rs && toReplicaSetView(rs);
  };
  // Listed on first use, once per step: a list is a new array each time.
  let listed: V1Deployment[] | undefined;
  return {
    countInReplicaSet: (rsKey) => view(inReplicaSet, rsKey)?.replicas,
    replicaSetInDeployment: (rsKey) => view(inDeployment, rsKey),
    deploymentByUid: (uid) => {
      if (!deployments) return undefined;
      listed ??= deployments.list() as V1Deployment[];
      return deploymentByUid(listed, uid);
    },
  };
};

/** `desiredHeld`'s fold, started over at each call: it runs once per ReplicaSet per step. */
const fold = new HeldFold();

const NO_COUNTS: readonly number[] = [];
const NO_ENTRIES: readonly LinkEntry[] = [];

/** The stages whose held entries may carry a ReplicaSet's or its Deployment's count. */
const COUNT_HOLDERS = ['autoscaler', 'deployment', 'replicaset'] as const;

/** Adds to `fold` the counts `entries` carry for the ReplicaSet or for its Deployment. */
const addCountsOf = (
  entries: readonly LinkEntry[],
  rsKey: ObjectKey,
  ownerKey: ObjectKey | undefined,
): void => {
  for (const e of entries)
    if (e.kind === 'count' && (e.key === rsKey || e.key === ownerKey)) fold.add(e.replicas);
};

/** Adds every one of `counts` to `fold`. */
const addAll = (counts: readonly number[] | undefined): void => {
  for (const count of counts ?? NO_COUNTS) fold.add(count);
};

/**
 * The desired counts for a ReplicaSet that some part of the system still holds and may act
 * on: the load, the persisted specs, the controllers' informer views and caches, and counts
 * in flight (spec/world/ghost.ts `desiredHeld`).
 */
const desiredHeld = (
  state: SimState,
  api: ApiViews,
  caches: ControllerCaches,
  rsKey: ObjectKey,
  reports: Reports,
  agenda: AgendaScan,
  queued: ReadonlyMap<ObjectKey, number[]>,
): HeldCounts => {
  const stored = api.objects.replicaSets[rsKey];
  const inDeployment = caches.replicaSetInDeployment(rsKey);
  fold.start(stored ? loadFor(state, api, stored) : 0);
  fold.add(stored?.replicas);
  fold.add(inDeployment?.replicas);
  fold.add(caches.countInReplicaSet(rsKey));
  const ownerUid = (stored ?? inDeployment)?.ownerUid;
  const owner = ownerUid ? caches.deploymentByUid(ownerUid) : undefined;
  const ownerInCache = owner && toDeploymentView(owner);
  // The Deployment's own count, persisted or on its way from the autoscaler: a load of
  // 1 -> 0 -> 1 may leave a 0 there that the Deployment controller has yet to act on.
  const ownerView = ownerUid ? api.deploymentByUid(ownerUid) : undefined;
  fold.add(ownerInCache?.replicas);
  fold.add(ownerView?.replicas);
  const ownerKey = ownerView ? ownerView.key : ownerInCache?.key;
  for (const stage of COUNT_HOLDERS)
    addCountsOf(reports.get(stage)?.dirty ?? NO_ENTRIES, rsKey, ownerKey);
  addCountsOf(agenda.inFlight, rsKey, ownerKey);
  addAll(queued.get(rsKey));
  if (ownerKey !== undefined) {
    addAll(agenda.deploymentScales.get(ownerKey));
    addAll(queued.get(ownerKey));
  }
  return fold.result();
};

/**
 * The counts on their way to the controllers that act on them: `spec.replicas` of the
 * ReplicaSets and Deployments in the undelivered events of the Deployment and ReplicaSet
 * controllers' informers, by object key. A controller acts on each event as it comes, so an
 * intermediate count (a user's scale the Deployment controller has since undone) is still
 * held while its event is queued (`kd check` seed 13, deletes-only-surplus-3).
 */
const queuedCounts = (state: SimState): Map<ObjectKey, number[]> => {
  const counts = new Map<ObjectKey, number[]>();
  const add = (key: ObjectKey, replicas: number) => {
    const list = counts.get(key) ?? [];
    list.push(replicas);
    counts.set(key, list);
  };
  for (const stage of ['deployment', 'replicaset'] as const) {
    for (const { informer } of state.slot(stage)?.informers ?? []) {
      const kind = informer.filter.kind;
      if (kind !== 'ReplicaSet' && kind !== 'Deployment') continue;
      // Read off the raw object, not a whole view: queues hold thousands of status
      // updates in a burst.
      informer.forEachQueued((event) => {
        if (event.type === 'DELETED') return;
        const { key, replicas } = scaleOf(event.object as V1ReplicaSet | V1Deployment);
        add(key, replicas);
      });
    }
  }
  return counts;
};

/** What the agenda holds for one ReplicaSet, gathered in one pass per step. */
interface PendingOf {
  /** Pods on their way: API-path creates and `schedulePods` names (or count markers). */
  readonly pods: string[];
  /**
   * API-path creates that a crashed ReplicaSet controller left in flight: the restarted one
   * cannot know them (a controller's expectations live in its memory), counts them missing
   * and creates again, and deletes the surplus once it sees it. That is vanilla
   * Kubernetes' bound on overshoot, so each such create counts as desired while it is in
   * flight and keeps counting through `recentDesiredMax` until the surplus is gone. The
   * direct path has no such allowance: round 2 tells a restarted controller what is in
   * flight.
   */
  orphanedCreates: number;
}

/** The agenda, read once per step. */
interface AgendaScan {
  /** Every entry a message on the wire carries. */
  readonly inFlight: readonly LinkEntry[];
  /** What is on its way for each ReplicaSet, by its key. */
  readonly pods: ReadonlyMap<ObjectKey, PendingOf>;
  /** Autoscaler writes of a Deployment's count on their way to the API, by Deployment key. */
  readonly deploymentScales: ReadonlyMap<ObjectKey, number[]>;
  /** ReplicaSet-controller pod deletions on their way to the API: request id → ReplicaSet key. */
  readonly deletions: ReadonlyMap<string, ObjectKey>;
}

const scanAgenda = (state: SimState): AgendaScan => {
  const slot = state.slot('replicaset');
  const current = slot?.snapshot ? slot.incarnation : null;
  const pods = new Map<ObjectKey, PendingOf>();
  const deploymentScales = new Map<ObjectKey, number[]>();
  const deletions = new Map<string, ObjectKey>();
  const inFlight: LinkEntry[] = [];
  const of = (rsKey: ObjectKey): PendingOf => {
    let entry = pods.get(rsKey);
    if (!entry) {
      entry = { pods: [], orphanedCreates: 0 };
      pods.set(rsKey, entry);
    }
    return entry;
  };
  for (const p of state.agenda.all()) {
    // An API-path create on its way to the API Server is a pod too: it lands even if its
    // ReplicaSet is scaled down or deleted meanwhile (then the garbage collector removes it).
    if (p.kind === 'api' && p.intent.op === 'createPod') {
      const entry = of(p.intent.ownerKey);
      entry.pods.push(p.intent.key);
      if (p.incarnation !== current) entry.orphanedCreates += 1;
    } else if (p.kind === 'api' && p.intent.op === 'scaleDeployment') {
      const scales = deploymentScales.get(p.intent.key) ?? [];
      scales.push(p.intent.replicas);
      deploymentScales.set(p.intent.key, scales);
    } else if (p.kind === 'api' && p.intent.op === 'deletePod' && p.stage === 'replicaset') {
      const { namespace, name } = splitKey(p.intent.key);
      const pod = state.api.lookup('Pod', namespace, name);
      if (pod) deletions.set(p.id, toPodView(pod as V1Pod).ownerKey);
    } else if (p.kind === 'message') {
      addEntriesOf(p.message, inFlight);
      if (p.message.type !== 'scheduler.schedulePods') continue;
      const m = p.message;
      const entry = of(m.ownerKey);
      entry.pods.push(...m.pods);
      if (m.count > 0) entry.pods.push(`${m.ownerKey}#count${m.count}`);
    }
  }
  return { inFlight, pods, deploymentScales, deletions };
};

/** `liveCount`'s sets, emptied at each call (it never runs within itself). */
const live = new Set<string>();
const deleting = new Set<string>();

/** Live pods of a ReplicaSet anywhere: API (not deleting), every stage's cache, in flight. */
const liveCount = (
  state: SimState,
  api: ApiViews,
  rsKey: ObjectKey,
  reports: Reports,
  inFlight: readonly LinkEntry[],
  pending: PendingOf | undefined,
): number => {
  live.clear();
  deleting.clear();
  for (const view of api.podsOf(rsKey)) {
    if (view.deleting) deleting.add(view.key);
    else live.add(view.key);
  }
  const deleted = state.ghost.deletedPods;
  const add = (ownerKey: string, key: string) => {
    if (ownerKey === rsKey && !deleted.has(key) && !deleting.has(key)) live.add(key);
  };
  for (const report of reports.values())
    for (const e of report.dirty) if (e.kind === 'pod') add(e.ownerKey, e.key);
  for (const e of inFlight) if (e.kind === 'pod') add(e.ownerKey, e.key);
  for (const key of pending?.pods ?? NO_KEYS) add(rsKey, key);
  return live.size;
};

const NO_KEYS: readonly string[] = [];

const NONE: ReadonlySet<string> = new Set();

/** A ReplicaSet's Ready pods in the API, not being deleted. */
const readyOf = (api: ApiViews, rsKey: ObjectKey): ReadonlySet<string> => {
  let ready: Set<string> | null = null;
  for (const view of api.podsOf(rsKey)) {
    if (!view.ready || view.deleting) continue;
    ready ??= new Set();
    ready.add(view.key);
  }
  return ready ?? NONE;
};

/** The step deleted a pod as the ReplicaSet controller. */
const controllerDeleted = (events: readonly AppliedEvent[]): boolean =>
  events.some(
    (e) =>
      e.kind === 'api' && e.actor === 'replicaset' && e.verb === 'delete' && e.resource === 'pod',
  );

/**
 * Updates `recentDesiredMax` and `readyFloor` after a step (reports: every live stage's,
 * by id).
 */
export const updateRecentDesired = (state: SimState, reports: Reports): void => {
  const agenda = scanAgenda(state);
  const inFlight = agenda.inFlight;
  const queued = queuedCounts(state);
  const caps = capByDeletions(state, agenda.deletions);
  const unanswered = unansweredLive(state);
  const api = apiViews(state);
  const byController = controllerDeleted(state.events);
  const caches = controllerCaches(state);
  const ghost = state.ghost.recentDesiredMax;
  for (const rsKey in ghost) {
    const previous = ghost[rsKey] as number;
    const mine = agenda.pods.get(rsKey);
    const held = desiredHeld(state, api, caches, rsKey, reports, agenda, queued);
    const now = held.max + (mine?.orphanedCreates ?? 0) + (unanswered.get(rsKey) ?? 0);
    ghost[rsKey] =
      liveCount(state, api, rsKey, reports, inFlight, mine) <= now ? now : Math.max(previous, now);
    const readyNow = readyOf(api, rsKey);
    const taken = readyTaken(state.ghost.readyPods[rsKey] ?? NONE, readyNow, byController);
    state.ghost.readyPods[rsKey] = readyNow;
    const floor = nextReadyFloor(
      state.ghost.readyFloor[rsKey],
      readyNow.size,
      held.load,
      isSettled(held),
      taken,
    );
    state.ghost.heldMin[rsKey] = held.min;
    const cap = caps.get(rsKey);
    state.ghost.readyFloor[rsKey] =
      cap === undefined || cap >= floor.desired ? floor : { ...floor, desired: cap };
  }
};

/**
 * API-path creations executed whose answer was lost, per ReplicaSet, while their pods live.
 * The controller takes such a creation for failed (it cannot tell a lost answer from a lost
 * request) and creates again once its informer, lagging, does not show the pod: vanilla
 * Kubernetes' bound on overshoot includes them, as it includes a crashed controller's
 * creations in flight (`orphanedCreates`), until the surplus is deleted (`kd check` seed 14,
 * bounded-overshoot-5): `recentDesiredMax` keeps the allowance until then. A pod drops out
 * once deleted, gone, or shown by the controller's informer (the controller knows it).
 */
const unansweredLive = (state: SimState): Map<ObjectKey, number> => {
  const counts = new Map<ObjectKey, number>();
  const seen = state.slot('replicaset')?.informers.find((i) => i.tag === 'pods')?.informer;
  for (const [pod, rsKey] of state.ghost.unansweredCreates) {
    const { namespace, name } = splitKey(pod);
    const stored = state.api.lookup('Pod', namespace, name);
    if (!stored || toPodView(stored as V1Pod).deleting || seen?.get(pod) !== undefined) {
      state.ghost.unansweredCreates.delete(pod);
      continue;
    }
    counts.set(rsKey, (counts.get(rsKey) ?? 0) + 1);
  }
  return counts;
};

/**
 * A request outlives the step that sends it: a pod deletion of the ReplicaSet controller may
 * land after the count it was decided for is gone (a user's scale to 0 that the Deployment
 * controller undid before the deletion landed: `kd check` seed 1, deletes-only-surplus-2).
 * That count is a desired count too, so while the deletion is on its way the floor of its
 * ReplicaSet rises no higher than the smallest count held when it was decided (after the
 * step before the one that sent it). The readiness the deletion was ranked on is not
 * excused: a pod that became Ready meanwhile is judged at the landing (the mutant
 * `delete-on-stale-readiness`). The model needs no such rule: its requests land in the
 * step that sends them. Returns the caps by ReplicaSet key.
 */
const capByDeletions = (state: SimState, deletions: ReadonlyMap<string, ObjectKey>) => {
  const noted = state.ghost.deletionCounts;
  for (const id of [...noted.keys()]) if (!deletions.has(id)) noted.delete(id);
  const caps = new Map<ObjectKey, number>();
  for (const [id, rsKey] of deletions) {
    let decided = noted.get(id);
    if (decided === undefined) {
      decided = state.ghost.heldMin[rsKey] ?? 0;
      noted.set(id, decided);
    }
    caps.set(rsKey, Math.min(caps.get(rsKey) ?? decided, decided));
  }
  return caps;
};

/**
 * A user's scale of a Deployment or a ReplicaSet is a desired count too (protocol.md §7: the
 * API's word wins), so a scale-down that follows it deletes no more than the surplus: the
 * ready floor of the ReplicaSets it scales drops to it, and rises again only once every part
 * holds the load (`nextReadyFloor`).
 */
export const noteUserScale = (
  state: SimState,
  kind: 'Deployment' | 'ReplicaSet',
  key: ObjectKey,
  replicas: number,
): void => {
  const scaled = (rs: ReplicaSetView): boolean => {
    if (kind === 'ReplicaSet') return rs.key === key;
    const owner = deploymentByUid(state.api.objects('Deployment'), rs.ownerUid);
    return owner !== undefined && toDeploymentView(owner).key === key;
  };
  for (const stored of state.api.objects('ReplicaSet')) {
    const rs = toReplicaSetView(stored);
    const floor = state.ghost.readyFloor[rs.key];
    if (scaled(rs) && floor !== undefined)
      state.ghost.readyFloor[rs.key] = { ...floor, desired: Math.min(floor.desired, replicas) };
  }
};

/**
 * A message a stage sent (not a duplicate the network made): a handshake reply means its
 * server installed that epoch, a handshake that its client started one with that epoch
 * (spec/world/ghost.ts `sessionGhostChanges`).
 */
export const noteSent = (state: SimState, sender: ActorSlot, message: Message): void => {
  if (message.type.endsWith('.handshakeReply')) {
    state.ghost.installedEpochs[linkId(message.destination, message.source)] = {
      epoch: message.epoch,
      // As the observation shows it (a leased server's comes from its Lease).
      serverIncarnation: observedIncarnation(
        state,
        sender.id,
        sender.snapshot ? sender.module.report(sender.snapshot) : undefined,
      ),
    };
  } else if (message.type.endsWith('.handshake')) {
    const link = linkId(message.source, message.destination);
    state.ghost.handshakeEpochs[link] = nextHandshakeEpochs(
      state.ghost.handshakeEpochs[link],
      message.epoch,
    );
  }
};
