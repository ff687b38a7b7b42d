/**
 * Ghost bookkeeping after every step: the history `bounded-overshoot` needs. For each
 * ReplicaSet, the highest desired count since its live pods last fitted the desired count.
 */
import type { ObjectKey } from '../types/ids.js';
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
 * The highest desired count for a ReplicaSet that some part of the system still holds and
 * may act on: the load, the persisted specs, the controllers' views and caches, and counts
 * in flight. The pipeline lags by design, so a pod created for a count that is still held
 * somewhere is not an overshoot; one created beyond every such count is.
 */
const desiredHeld = (s: WorldState, rsKey: ObjectKey): number => {
  let max = loadFor(s, rsKey);
  const consider = (n: number | undefined) => {
    if (n !== undefined && n > max) max = n;
  };
  consider(s.api.replicaSets[rsKey]?.replicas);
  consider(s.deployment.view.objects.replicaSets[rsKey]?.replicas);
  consider(s.replicaset.view.objects.replicaSets[rsKey]?.replicas);
  consider(s.deployment.counts[rsKey]?.replicas);
  consider(s.replicaset.desired[rsKey]?.replicas);
  const rs = s.api.replicaSets[rsKey] ?? s.deployment.view.objects.replicaSets[rsKey];
  const owner =
    rs && Object.values(s.deployment.view.objects.deployments).find((d) => d.uid === rs.ownerUid);
  consider(owner?.replicas);
  for (const m of s.net) {
    if ('entry' in m && m.entry.kind === 'count' && m.entry.key === rsKey)
      consider(m.entry.replicas);
    const entries = 'entries' in m ? m.entries : 'snapshot' in m ? m.snapshot : [];
    for (const e of entries) if (e.kind === 'count' && e.key === rsKey) consider(e.replicas);
  }
  return max;
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

/** Changes to `recentDesiredMax` after a step, computed on the finished (plain) state. */
export const ghostChanges = (s: WorldState): [ObjectKey, number][] => {
  const changes: [ObjectKey, number][] = [];
  for (const [rsKey, previous] of Object.entries(s.ghost.recentDesiredMax)) {
    const now = desiredHeld(s, rsKey);
    const next = liveCount(s, rsKey) <= now ? now : Math.max(previous, now);
    if (next !== previous) changes.push([rsKey, next]);
  }
  return changes;
};
