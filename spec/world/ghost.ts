/**
 * Ghost bookkeeping after every step, computed by the world from the state before and after
 * the step, never by the stage code the properties judge:
 * - for each ReplicaSet, the highest desired count since its live pods last fitted the
 *   desired count (`bounded-overshoot`), and the smallest since its Ready pods last reached
 *   it (`deletes-only-surplus`);
 * - for each link, the epoch its server installed, read off the handshake replies it sent
 *   (`epoch-fencing`, `snapshot-complete`), and the epochs its client's handshakes carried
 *   (`handshake-epochs-increase`).
 */
import {
  type HeldCounts,
  heldCounts,
  isSettled,
  nextHandshakeEpochs,
  nextReadyFloor,
  readyTaken,
  sameFloor,
} from '../types/ghost.js';
import {
  type LinkId,
  linkId,
  nodeOfKubelet,
  type ObjectKey,
  type StageId,
  stageKindOf,
} from '../types/ids.js';
import type { CountEntry, LinkEntry, Message } from '../types/messages.js';
import type { HandshakeEpochs, InstalledEpoch, ReadyFloor } from '../types/observation.js';
import type { WorldState } from './state.js';

/** What the environment asks of this ReplicaSet right now: the load, or 0 if outdated/orphaned. */
const loadFor = (s: WorldState, rsKey: ObjectKey): number => {
  const rs = s.api.replicaSets[rsKey];
  if (!rs) return 0;
  const owner = Object.values(s.api.deployments).find((d) => d.uid === rs.ownerUid);
  if (!owner || owner.templateHash !== rs.templateHash) return 0;
  return s.load[owner.key] ?? 0;
};

/**
 * The desired counts for a ReplicaSet that some part of the system still holds and may act
 * on: the load, the persisted specs, the controllers' views and caches, and counts in
 * flight. The pipeline lags by design, so a pod created for a count that is still held
 * somewhere is not an overshoot (the highest of them bounds it); one created beyond every
 * such count is. Ready pods reaching the load raise the ready floor only once every part
 * holds the load (a count still on its way may be acted on).
 */
const desiredHeld = (s: WorldState, rsKey: ObjectKey): HeldCounts => {
  const counts: (number | undefined)[] = [
    s.api.replicaSets[rsKey]?.replicas,
    s.deployment.view.objects.replicaSets[rsKey]?.replicas,
    s.replicaset.view.objects.replicaSets[rsKey]?.replicas,
    s.deployment.counts[rsKey]?.replicas,
    s.replicaset.desired[rsKey]?.replicas,
  ];
  const rs = s.api.replicaSets[rsKey] ?? s.deployment.view.objects.replicaSets[rsKey];
  const owner =
    rs && Object.values(s.deployment.view.objects.deployments).find((d) => d.uid === rs.ownerUid);
  // The Deployment's own count, persisted or on its way from the autoscaler: a load of
  // 1 -> 0 -> 1 may leave a 0 there that the Deployment controller has yet to act on.
  const persistedOwner = rs && Object.values(s.api.deployments).find((d) => d.uid === rs.ownerUid);
  counts.push(owner?.replicas, persistedOwner?.replicas);
  const ownerKey = owner?.key ?? persistedOwner?.key;
  // `autoscalerLink: 'direct'`: a count the Deployment controller or the autoscaler holds.
  if (ownerKey)
    counts.push(s.deployment.scales[ownerKey]?.replicas, s.autoscaler.held[ownerKey]?.replicas);
  const isCountFor = (e: LinkEntry): e is CountEntry =>
    e.kind === 'count' && (e.key === rsKey || (ownerKey !== undefined && e.key === ownerKey));
  for (const m of s.net) {
    if ('entry' in m && isCountFor(m.entry)) counts.push(m.entry.replicas);
    const entries = 'entries' in m ? m.entries : 'snapshot' in m ? m.snapshot : [];
    for (const e of entries) if (isCountFor(e)) counts.push(e.replicas);
  }
  return heldCounts(loadFor(s, rsKey), counts);
};

/** Live pods of a ReplicaSet anywhere: API (not being deleted), every stage's cache, in flight. */
const liveCount = (s: WorldState, rsKey: ObjectKey): number => {
  const live = new Set<string>();
  for (const p of Object.values(s.api.pods))
    if (p.ownerKey === rsKey && !p.deleting) live.add(p.key);
  const add = (held: { ownerKey: string; key: string }) => {
    if (held.ownerKey !== rsKey || s.ghost.deletedPods[held.key]) return;
    if (!s.api.pods[held.key]?.deleting) live.add(held.key);
  };
  for (const h of Object.values(s.replicaset.requested)) add(h);
  for (const h of Object.values(s.scheduler.pods)) add(h);
  for (const k of Object.values(s.kubelets)) for (const h of Object.values(k.bound)) add(h);
  // Identities in flight are live too: they become cache entries on delivery.
  for (const m of s.net) {
    if (m.type === 'scheduler.schedulePods' && m.ownerKey === rsKey) {
      for (const key of m.pods) add({ ownerKey: rsKey, key });
      if (m.count > 0) add({ ownerKey: rsKey, key: `${rsKey}#count${m.count}` });
    }
    if (m.type === 'kubelet.bindPod') add(m.entry);
    const entries = 'entries' in m ? m.entries : 'snapshot' in m ? m.snapshot : [];
    for (const e of entries) if (e.kind === 'pod') add(e);
  }
  return live.size;
};

/**
 * Ready pods per ReplicaSet key in the API, not being deleted. Memoised per pods record:
 * every step reads it for the state before and after, and most steps leave the pods as
 * they were (the maps are only read).
 */
const readyByOwner = (s: WorldState): ReadonlyMap<ObjectKey, ReadonlySet<string>> => {
  let ready = readyMemo.get(s.api.pods);
  if (ready !== undefined) return ready;
  const built = new Map<ObjectKey, Set<string>>();
  for (const p of Object.values(s.api.pods)) {
    if (!p.ready || p.deleting) continue;
    const set = built.get(p.ownerKey) ?? new Set<string>();
    set.add(p.key);
    built.set(p.ownerKey, set);
  }
  ready = built;
  readyMemo.set(s.api.pods, ready);
  return ready;
};

const readyMemo = new WeakMap<object, ReadonlyMap<ObjectKey, ReadonlySet<string>>>();

const NONE: ReadonlySet<string> = new Set();

/** The step deleted a pod as the ReplicaSet controller. */
const controllerDeleted = (s: WorldState): boolean =>
  s.events.some(
    (e) =>
      e.kind === 'api' && e.actor === 'replicaset' && e.verb === 'delete' && e.resource === 'pod',
  );

export interface ReplicaSetGhostChanges {
  readonly desiredMax: [ObjectKey, number][];
  readonly readyFloor: [ObjectKey, ReadyFloor][];
}

/**
 * Changes to `recentDesiredMax` and `readyFloor` after a step, computed on the finished
 * (plain) states before and after it.
 */
export const replicaSetGhostChanges = (
  before: WorldState,
  s: WorldState,
): ReplicaSetGhostChanges => {
  const changes: ReplicaSetGhostChanges = { desiredMax: [], readyFloor: [] };
  const byController = controllerDeleted(s);
  const readyBefore = readyByOwner(before);
  const readyAfter = readyByOwner(s);
  // `for … in`, not `Object.entries`: this runs after every step, for every transition.
  for (const rsKey in s.ghost.recentDesiredMax) {
    const previous = s.ghost.recentDesiredMax[rsKey] as number;
    const held = desiredHeld(s, rsKey);
    const max = liveCount(s, rsKey) <= held.max ? held.max : Math.max(previous, held.max);
    if (max !== previous) changes.desiredMax.push([rsKey, max]);
    const ready = readyAfter.get(rsKey) ?? NONE;
    const taken = readyTaken(readyBefore.get(rsKey) ?? NONE, ready, byController);
    const floor = s.ghost.readyFloor[rsKey];
    const next = nextReadyFloor(floor, ready.size, held.load, isSettled(held), taken);
    if (!sameFloor(floor, next)) changes.readyFloor.push([rsKey, next]);
  }
  return changes;
};

const incarnationOf = (s: WorldState, id: StageId): number => {
  const node = nodeOfKubelet(id);
  if (node !== null) return s.kubelets[node]?.incarnation ?? 0;
  return s[stageKindOf(id) as Exclude<ReturnType<typeof stageKindOf>, 'kubelet'>].incarnation;
};

export interface SessionGhostChanges {
  readonly installed: [LinkId, InstalledEpoch][];
  /** Links whose server restarted since it installed its epoch: it holds none now. */
  readonly cleared: LinkId[];
  readonly handshakes: [LinkId, HandshakeEpochs][];
}

/**
 * What the step's new messages tell the session ghost. A message is new if it was not in
 * flight before the step (a duplicate is the same frozen message again, so it is not new):
 * a handshake reply means its server installed that epoch; a handshake, that its client
 * started one with that epoch.
 */
export const sessionGhostChanges = (
  before: WorldState,
  next: WorldState,
): SessionGhostChanges | null => {
  const cleared: LinkId[] = [];
  // `for … in`, not `Object.entries`: this runs after every step, for every transition.
  for (const link in next.ghost.installedEpochs) {
    const held = next.ghost.installedEpochs[link as LinkId];
    if (held && held.serverIncarnation !== incarnationOf(next, serverOf(link as LinkId)))
      cleared.push(link as LinkId);
  }
  if (next.net === before.net) return cleared.length === 0 ? null : noChanges(cleared);
  const old = new Set<Message>(before.net);
  const installed: [LinkId, InstalledEpoch][] = [];
  const handshakes: [LinkId, HandshakeEpochs][] = [];
  for (const m of next.net) {
    if (old.has(m)) continue;
    if (m.type.endsWith('.handshakeReply')) {
      installed.push([
        linkId(m.destination, m.source),
        { epoch: m.epoch, serverIncarnation: incarnationOf(next, m.source) },
      ]);
    } else if (m.type.endsWith('.handshake')) {
      const link = linkId(m.source, m.destination);
      const known = handshakes.find(([l]) => l === link)?.[1] ?? next.ghost.handshakeEpochs[link];
      handshakes.push([link, nextHandshakeEpochs(known, m.epoch)]);
    }
  }
  return installed.length + handshakes.length + cleared.length === 0
    ? null
    : { installed, cleared, handshakes };
};

const noChanges = (cleared: LinkId[]): SessionGhostChanges => ({
  installed: [],
  cleared,
  handshakes: [],
});

/** Memoised: the links are a handful, and this runs for each of them after every step. */
const serverOf = (link: LinkId): StageId => {
  let server = servers.get(link);
  if (server === undefined) {
    server = link.slice(link.indexOf('->') + 2) as StageId;
    servers.set(link, server);
  }
  return server;
};

const servers = new Map<LinkId, StageId>();
