/**
 * The ReplicaSet controller's work on the direct path, level-triggered on its informer:
 * mint pod identities and send them to the scheduler (`schedulePods`), delete persisted pods
 * on scale-down, write desired counts back, keep the status, and settle counts held for
 * ReplicaSets the informer does not show (model-decisions §7).
 *
 *   live < target, link connected ─► mint names ─schedulePods─► requested ─(informer)─► evicted
 *   live > target ─► DELETE persisted pods down to the target (in-flight ones wait until persisted)
 *   desired not written ─► scaleReplicaSet(version) ─ ok / conflict ─► written ─(informer)─► evicted
 */
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import type { Effect } from '../io.js';
import { cacheKeyOf, inFlight, request, templateOf } from '../upstream/core.js';
import { knownWritten } from '../upstream/written.js';
import {
  activePods,
  deletionOrder,
  liveOf,
  mintName,
  type RequestedPod,
  type RsDraft,
  requestedDraft,
  statusOf,
  targetOf,
} from './context.js';

export const reconcileDirect = (d: RsDraft, rs: ReplicaSetView, out: Effect[]): void => {
  const target = targetOf(d, rs);
  const live = liveOf(d, rs);
  // Template creation is left out: the template Pod exists with its ReplicaSet (fixtures).
  const template = templateOf(d.cache, rs.uid);
  if (template && live < target && d.link.phase === 'connected')
    scaleUp(d, rs, template.rv, target - live, out);
  // A restarted controller's persisted count may be older than the one its crash lost:
  // scale down only once the Deployment controller's round 2 re-sent what it holds.
  const settled = d.upstreamSynced || !d.input.config.switches.scaleDownAfterUpstreamSync;
  if (live > target && settled) scaleDown(d, rs, live - target, target, out);
  writeBack(d, rs.key, out);
};

/** Names `count` new pods and sends them (or, in count form, only the number). */
const scaleUp = (
  d: RsDraft,
  rs: ReplicaSetView,
  templateRv: number,
  count: number,
  out: Effect[],
): void => {
  if (d.link.epoch === null) return;
  const base = {
    type: 'scheduler.schedulePods',
    source: d.input.id,
    destination: d.link.server,
    epoch: d.link.epoch,
    ownerKey: rs.key,
    ownerUid: rs.uid,
    templateRv,
  } as const;
  if (d.input.config.switches.schedulePodsPayload === 'count') {
    d.expected[rs.key] = (d.expected[rs.key] ?? 0) + count;
    out.push({ type: 'send', message: { ...base, pods: [], count } });
    return;
  }
  const pods = mintPods(d, rs, templateRv, count);
  out.push({ type: 'send', message: { ...base, pods: pods.map((p) => p.key), count: 0 } });
};

export const mintPods = (
  d: RsDraft,
  rs: ReplicaSetView,
  templateRv: number,
  count: number,
): RequestedPod[] => {
  const pods: RequestedPod[] = [];
  const requested = requestedDraft(d);
  for (let i = 0; i < count; i += 1) {
    const key = mintName(d, rs);
    const held: RequestedPod = {
      kind: 'pod',
      key,
      ownerKey: rs.key,
      ownerUid: rs.uid,
      node: null,
      templateRv,
      state: 'requested',
    };
    requested[cacheKeyOf(d.input.config, key)] = held;
    pods.push(held);
  }
  return pods;
};

/**
 * Deletes persisted pods only: requested ones have no API object yet and are deleted once
 * they are persisted (the overshoot is bounded by what was in flight). Deletions already
 * asked for count against the surplus, so a pod is never deleted twice. While pods in flight
 * make part of the surplus, persisted pods go only down to the target (switch
 * `surplusWaitsForInFlight`): those in flight may never run, so a Ready pod is not given up
 * for them (model-decisions §14). The delete carries the cached copy's resourceVersion
 * (switch `scaleDownPrecondition`).
 */
export const scaleDown = (
  d: RsDraft,
  rs: ReplicaSetView,
  surplus: number,
  target: number,
  out: Effect[],
): number => {
  const asked = Object.values(d.pending).filter(
    (i) => i.op === 'deletePod' && d.cache.pods[i.key]?.ownerUid === rs.uid,
  );
  const candidates = activePods(d, rs).filter(
    (p) => !asked.some((i) => 'key' in i && i.key === p.key),
  );
  const aboveTarget = d.input.config.switches.surplusWaitsForInFlight
    ? candidates.length - target
    : candidates.length;
  const victims = candidates
    .sort(deletionOrder)
    .slice(0, Math.max(0, Math.min(surplus - asked.length, aboveTarget)));
  // Ranked on the cached copy: with the precondition, a pod that changed since (it became
  // Ready) is refused with 409 and ranked again on a fresher copy.
  const onCopy = d.input.config.switches.scaleDownPrecondition;
  for (const pod of victims) {
    const resourceVersion = onCopy ? { resourceVersion: pod.rv } : {};
    request(d, { op: 'deletePod', key: pod.key, uid: pod.uid, ...resourceVersion }, out);
  }
  return victims.length;
};

/**
 * Persists an admitted direct count, with its version: a newer persisted one is never
 * overwritten. Also called for a ReplicaSet that left the direct path
 * (its `managed` label removed): a count admitted before still has to be written back, or
 * its sender holds it forever (found by the fuzzer).
 */
export const writeBack = (d: RsDraft, key: ObjectKey, out: Effect[]): void => {
  const held = d.desired[key];
  if (!held || held.written || inFlight(d, 'scaleReplicaSet', key)) return;
  const { replicas, version } = held;
  if (!d.input.config.switches.writeBackPrecondition)
    return void request(d, { op: 'scaleReplicaSet', key, replicas, version }, out);
  // Decided on the cached copy, and only valid while the ReplicaSet is still that copy: a
  // write of this incarnation's predecessor, still on the wire, must not land over it (a
  // kd check find). Without a copy there is nothing to decide on yet; with a newer version
  // in it, nothing to write (the informer handler evicts the count).
  const cached = d.cache.replicaSets[key];
  if (!cached || cached.replicasVersion >= version) return;
  request(d, { op: 'scaleReplicaSet', key, replicas, version, resourceVersion: cached.rv }, out);
};

/** ReplicaSet status (switch `writeStatus`; off only as an injected defect). */
export const writeStatus = (d: RsDraft, rs: ReplicaSetView, out: Effect[]): void => {
  if (!d.input.config.switches.writeStatus) return;
  const status = statusOf(d, rs);
  const shown = `${rs.status.replicas}/${rs.status.readyReplicas}`;
  if (status === shown || knownWritten(d.statusWritten[rs.key], status, shown, rs.rv)) return;
  if (inFlight(d, 'replicaSetStatus', rs.key)) return;
  const [replicas = 0, readyReplicas = 0] = status.split('/').map(Number);
  request(d, { op: 'replicaSetStatus', key: rs.key, replicas, readyReplicas }, out);
};

/**
 * A count held for a ReplicaSet the informer does not show: not seen yet, or deleted. A GET
 * tells which; a 404 drops the count (model-decisions §7).
 */
export const settleUnknownOwners = (d: RsDraft, out: Effect[]): void => {
  for (const key of Object.keys(d.desired).sort()) {
    if (d.cache.replicaSets[key] || d.seenByGet[key]) continue;
    const asked = Object.values(d.pending).some(
      (i) => i.op === 'get' && i.kind === 'ReplicaSet' && i.key === key,
    );
    if (!asked) request(d, { op: 'get', kind: 'ReplicaSet', key }, out);
  }
};
