/**
 * The ReplicaSet controller's vanilla path (mode `api`, a ReplicaSet without
 * `kubedirect/managed`, or one with `kubedirect/fallback-scaling`): Pods are created through
 * the API, as the Kubernetes ReplicaSet controller does it. Its target is the count this
 * controller holds (`targetOf`): a `fallback-scaling` ReplicaSet still gets its count by
 * `replicaset.scale`, and creates the pods without waiting for the write-back. That controller
 *
 * - acts on a ReplicaSet only when its *expectations* are satisfied: every creation and
 *   deletion it issued has been observed by its informer (or failed);
 * - creates missing pods in slow-start batches of 1, 2, 4, … (`slowStartBatch`): the next
 *   batch starts only when every call of the previous one succeeded, so a failing API costs
 *   one request, not hundreds; on a failure the rest of the sync is abandoned (and the
 *   expectations for pods never asked for are lowered), to be retried later;
 * - deletes surplus pods, not-ready first.
 *
 *   satisfied ─► diff < 0 ─► batch 1 ─ok─► batch 2 ─ok─► batch 4 … (any failure: stop, retry)
 *             └► diff > 0 ─► DELETE diff pods ─► satisfied once the informer shows them gone
 *
 * Each batch after the first is capped by what the informer shows missing then
 * (`capRemaining`; Kubernetes creates the whole diff counted at the start).
 *
 * An expectation of a creation the informer has passed without showing the pod is met
 * (`settleUnseen`; Kubernetes waits for its five-minute `ExpectationsTimeout` instead).
 *
 * Left out: the burst cap (500 per sync), adoption by selector.
 */
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import type { ApiIntent, ApiOutcome, Effect } from '../io.js';
import { request } from '../upstream/core.js';
import {
  activePods,
  createsDirectly,
  liveOf,
  mintName,
  type RsDraft,
  requestedOf,
  targetOf,
  type VanillaSync,
} from './context.js';
import { scaleDown } from './direct.js';

const IDLE: VanillaSync = {
  expectAdds: 0,
  expectDels: 0,
  remaining: 0,
  batch: 0,
  inBatch: 0,
  backoff: false,
  target: 0,
  createdRv: 0,
  awaited: [],
};

const satisfied = (v: VanillaSync): boolean =>
  v.expectAdds === 0 && v.expectDels === 0 && v.inBatch === 0 && v.remaining === 0 && !v.backoff;

/**
 * Expectations of creations the informer can no longer meet: once every call of the sync
 * is answered and the informer has passed the resourceVersion of each pod it created, a pod
 * it has not shown was deleted before it could show it (created and deleted while the
 * informer re-listed: found by `kd check`, counterexamples/check-small-hardened-replicas-converge-3.json),
 * and will never show. Kubernetes expires such expectations after five minutes
 * (`ExpectationsTimeout`); the informer's progress tells it exactly, and never early.
 */
const settleUnseen = (d: RsDraft, rsKey: string): boolean => {
  const v = d.vanilla[rsKey];
  if (!v || v.expectAdds === 0 || v.inBatch > 0 || v.remaining > 0) return false;
  if (v.createdRv === 0 || d.progressRv < v.createdRv || callsInFlight(d, rsKey)) return false;
  d.vanilla[rsKey] = { ...v, expectAdds: 0, awaited: [] };
  return true;
};

/** On informer progress: did it settle the expectations of any sync? */
export const settleAllUnseen = (d: RsDraft): boolean => {
  let settled = false;
  for (const rsKey of Object.keys(d.vanilla)) settled = settleUnseen(d, rsKey) || settled;
  return settled;
};

const callsInFlight = (d: RsDraft, rsKey: string): boolean =>
  Object.values(d.pending).some(
    (i) =>
      (i.op === 'createPod' && i.ownerKey === rsKey) ||
      (i.op === 'deletePod' && d.cache.pods[i.key]?.ownerKey === rsKey),
  );

/** The resync timer ends every back-off after a failed creation. */
export const endBackoff = (d: RsDraft): void => {
  for (const v of Object.values(d.vanilla)) v.backoff = false;
};

export const reconcileVanilla = (d: RsDraft, rs: ReplicaSetView, out: Effect[]): void => {
  settleUnseen(d, rs.key);
  const v = d.vanilla[rs.key] ?? IDLE;
  if (!satisfied(v)) return;
  // Pods still in flight on the direct path (the label flipped mid burst) are live too.
  const target = targetOf(d, rs);
  const diff = activePods(d, rs).length + requestedOf(d, rs) - target;
  if (diff < 0) {
    d.vanilla[rs.key] = { ...IDLE, expectAdds: -diff, remaining: -diff, target };
    launchBatch(d, rs, 1, out);
  } else if (diff > 0) {
    const asked = scaleDown(d, rs, diff, target, out);
    d.vanilla[rs.key] = { ...IDLE, expectDels: asked };
  }
};

const launchBatch = (d: RsDraft, rs: ReplicaSetView, size: number, out: Effect[]): void => {
  const v = d.vanilla[rs.key];
  if (!v) return;
  const batch = Math.min(size, v.remaining);
  const names = Array.from({ length: batch }, () => mintName(d, rs));
  d.vanilla[rs.key] = {
    ...v,
    remaining: v.remaining - batch,
    batch,
    inBatch: batch,
    awaited: [...v.awaited, ...names],
  };
  for (const key of names) request(d, { op: 'createPod', key, ownerKey: rs.key }, out);
};

/** A createPod or deletePod answered: next batch, or abandon the sync after a failure. */
export const onVanillaDone = (
  d: RsDraft,
  intent: ApiIntent,
  outcome: ApiOutcome,
  createdRv: number | undefined,
  out: Effect[],
): void => {
  if (intent.op === 'deletePod') {
    const rsKey = Object.keys(d.vanilla).find((k) => d.cache.pods[intent.key]?.ownerKey === k);
    const v = rsKey === undefined ? undefined : d.vanilla[rsKey];
    // A refused deletion will never be observed: stop expecting it.
    if (rsKey !== undefined && v && outcome !== 'ok')
      d.vanilla[rsKey] = { ...v, expectDels: Math.max(0, v.expectDels - 1) };
    return;
  }
  if (intent.op !== 'createPod') return;
  const v = d.vanilla[intent.ownerKey];
  if (!v) return;
  const failed = outcome !== 'ok';
  // A failed creation already observed (its answer lost after it was applied) was met.
  const unmet = failed && v.awaited.includes(intent.key) ? 1 : 0;
  const next: VanillaSync = {
    ...v,
    inBatch: v.inBatch - 1,
    // Neither a failed creation nor the pods of an abandoned sync will ever be observed.
    expectAdds: Math.max(0, v.expectAdds - (failed ? unmet + v.remaining : 0)),
    awaited: failed ? v.awaited.filter((k) => k !== intent.key) : v.awaited,
    remaining: failed ? 0 : v.remaining,
    // The controller requeues a failed sync with a delay (the resync timer), not at once.
    backoff: v.backoff || failed,
    createdRv: Math.max(v.createdRv, createdRv ?? 0),
  };
  const rs = d.cache.replicaSets[intent.ownerKey];
  // Back on the direct path (the label flipped again): the direct path counts what this
  // sync has in flight, and the sync asks for nothing more.
  const direct = rs !== undefined && createsDirectly(d, rs);
  d.vanilla[intent.ownerKey] = direct
    ? { ...next, expectAdds: Math.max(0, next.expectAdds - next.remaining), remaining: 0 }
    : next;
  if (rs && !direct && next.inBatch === 0 && next.remaining > 0 && capRemaining(d, rs))
    launchBatch(d, rs, v.batch * 2, out);
};

/**
 * Before a sync's next batch: lowers what it still has to create to what the informer now
 * shows missing, and the expectations with it; is anything left to create? The diff the
 * sync began with may count as missing a pod whose creation answer was lost and which the
 * informer has shown since: Kubernetes creates the whole diff anyway and deletes the
 * surplus later; this controller does not create it (`kd check` seed 18,
 * bounded-overshoot-7).
 */
const capRemaining = (d: RsDraft, rs: ReplicaSetView): boolean => {
  const v = d.vanilla[rs.key];
  if (!v) return false;
  const missing = Math.max(0, v.target - liveOf(d, rs));
  const dropped = Math.max(0, v.remaining - missing);
  if (dropped > 0)
    d.vanilla[rs.key] = {
      ...v,
      remaining: v.remaining - dropped,
      expectAdds: v.expectAdds - dropped,
    };
  return v.remaining - dropped > 0;
};

/**
 * Informer: a pod of this ReplicaSet appeared (one of this sync's awaited creations: one
 * expectation met) or went (one deletion met).
 */
export const observeVanilla = (d: RsDraft, ownerKey: string, pod: string, added: boolean): void => {
  const v = d.vanilla[ownerKey];
  if (!v) return;
  if (!added) {
    d.vanilla[ownerKey] = { ...v, expectDels: Math.max(0, v.expectDels - 1) };
    return;
  }
  if (!v.awaited.includes(pod)) return;
  d.vanilla[ownerKey] = {
    ...v,
    expectAdds: Math.max(0, v.expectAdds - 1),
    awaited: v.awaited.filter((k) => k !== pod),
  };
};
