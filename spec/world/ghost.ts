/**
 * Ghost bookkeeping after every step: the history `bounded-overshoot` needs. For each
 * ReplicaSet, the highest desired count since its live pods last fitted the desired count.
 */
import type { ObjectKey } from '../types/ids.js';
import type { Ctx, WorldState } from './state.js';

/** What the system is asked for this ReplicaSet right now: the load, or 0 if outdated/orphaned. */
const desiredNow = (s: WorldState, rsKey: ObjectKey): number => {
  const rs = s.api.replicaSets[rsKey];
  if (!rs) return 0;
  const owner = Object.values(s.api.deployments).find((d) => d.uid === rs.ownerUid);
  if (!owner || owner.templateHash !== rs.templateHash) return 0;
  return s.load[owner.key] ?? 0;
};

/** Live pods of a ReplicaSet anywhere: API (not being deleted) and every stage's cache. */
export const liveCount = (s: WorldState, rsKey: ObjectKey): number => {
  const live = new Set<string>();
  for (const p of Object.values(s.api.pods))
    if (p.ownerKey === rsKey && !p.deleting) live.add(p.key);
  const add = (held: { ownerKey: string; key: string }) => {
    if (held.ownerKey === rsKey && !s.api.pods[held.key]?.deleting) live.add(held.key);
  };
  for (const h of Object.values(s.replicaset.requested)) add(h);
  for (const h of Object.values(s.scheduler.pods)) add(h);
  for (const k of Object.values(s.kubelets)) for (const h of Object.values(k.bound)) add(h);
  return live.size;
};

export const updateGhost = (ctx: Ctx): void => {
  const s = ctx.w as WorldState;
  const recent = ctx.w.ghost.recentDesiredMax;
  for (const rsKey of Object.keys(recent)) {
    const now = desiredNow(s, rsKey);
    const previous = recent[rsKey] ?? 0;
    const next = liveCount(s, rsKey) <= now ? now : Math.max(previous, now);
    if (next !== previous) recent[rsKey] = next;
  }
};
