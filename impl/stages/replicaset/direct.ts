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
import type { PodView, ReplicaSetView } from '../../../spec/types/objects.js';
import { inFlight, request, requestAll, withKey } from '../controller/context.js';
import { cacheKey, templateOf } from '../controller/informer.js';
import { copyTable } from '../controller/tables.js';
import { knownWritten } from '../controller/written.js';
import type { ApiIntent, Effect } from '../io.js';
import {
  activePods,
  deletionOrder,
  liveOf,
  mintNames,
  type ReplicaSetContext,
  type RequestedPod,
  statusOf,
  targetOf,
} from './context.js';

type Ctx = ReplicaSetContext;

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const reconcileDirect = (c: Ctx, rs: ReplicaSetView, out: Effect[]): Ctx => {
  const target = targetOf(c, rs);
  const live = liveOf(c, rs);
  let next = c;
  // Template creation is left out: the template Pod exists with its ReplicaSet (fixtures).
  const template = templateOf(c.informer, rs.uid);
  if (template && live < target && c.link.phase === 'connected')
    next = scaleUp(next, rs, template.rv, target - live, out);
  // A restarted controller's persisted count may be older than the one its crash lost:
  // scale down only once the Deployment controller's round 2 re-sent what it holds.
  const settled = next.upstreamSynced || !next.input.config.switches.scaleDownAfterUpstreamSync;
  if (live > target && settled) next = scaleDown(next, rs, live - target, target, out).context;
  return writeBack(next, rs.key, out);
};

/** Names `count` new pods and sends them (or, in count form, only the number). */
const scaleUp = (
  c: Ctx,
  rs: ReplicaSetView,
  templateRv: number,
  count: number,
  out: Effect[],
): Ctx => {
  if (c.link.epoch === null) return c;
  const base = {
    type: 'scheduler.schedulePods',
    source: c.input.id,
    destination: c.link.server,
    epoch: c.link.epoch,
    ownerKey: rs.key,
    ownerUid: rs.uid,
    templateRv,
  } as const;
  if (c.input.config.switches.schedulePodsPayload === 'count') {
    out.push({ type: 'send', message: { ...base, pods: [], count } });
    return { ...c, expected: withKey(c.expected, rs.key, (c.expected[rs.key] ?? 0) + count) };
  }
  const minted = mintPods(c, rs, templateRv, count);
  out.push({ type: 'send', message: { ...base, pods: minted.pods.map((p) => p.key), count: 0 } });
  return minted.context;
};

/** Mints `count` pods and holds them as requested (one copy of the record for all). */
export const mintPods = (
  c: Ctx,
  rs: ReplicaSetView,
  templateRv: number,
  count: number,
): { readonly context: Ctx; readonly pods: RequestedPod[] } => {
  const minted = mintNames(c, rs, count);
  const pods = minted.names.map(
    (key): RequestedPod => ({
      kind: 'pod',
      key,
      ownerKey: rs.key,
      ownerUid: rs.uid,
      node: null,
      templateRv,
      state: 'requested',
    }),
  );
  if (pods.length === 0) return { context: minted.context, pods };
  const requested = copyTable(c.requested);
  for (const held of pods) requested[cacheKey(c.input.config.switches, held.key)] = held;
  return { context: { ...minted.context, requested }, pods };
};

/**
 * Deletes persisted pods only: requested ones have no API object yet and are deleted once
 * they are persisted (the overshoot is bounded by what was in flight). Deletions already
 * asked for count against the surplus, so a pod is never deleted twice. While pods in flight
 * make part of the surplus, persisted pods go only down to the target (switch
 * `surplusWaitsForInFlight`): those in flight may never run, so a Ready pod is not given up
 * for them (model-decisions §14). The delete carries the cached copy's resourceVersion
 * (switch `scaleDownPrecondition`). `asked`: how many deletions it sent.
 */
export const scaleDown = (
  c: Ctx,
  rs: ReplicaSetView,
  surplus: number,
  target: number,
  out: Effect[],
): { readonly context: Ctx; readonly asked: number } => {
  const victims = victimsOf(c, rs, surplus, target);
  // Ranked on the cached copy: with the precondition, a pod that changed since (it became
  // Ready) is refused with 409 and ranked again on a fresher copy.
  const onCopy = c.input.config.switches.scaleDownPrecondition;
  const deletes = victims.map((pod): ApiIntent => {
    const resourceVersion = onCopy ? { resourceVersion: pod.rv } : {};
    return { op: 'deletePod', key: pod.key, uid: pod.uid, ...resourceVersion };
  });
  return { context: requestAll(c, deletes, out), asked: victims.length };
};

/** The pods `scaleDown` deletes, in order. */
const victimsOf = (c: Ctx, rs: ReplicaSetView, surplus: number, target: number): PodView[] => {
  const asked = Object.values(c.pending).filter(
    (i) => i.op === 'deletePod' && c.informer.pods[i.key]?.ownerUid === rs.uid,
  );
  const candidates = activePods(c, rs).filter(
    (p) => !asked.some((i) => 'key' in i && i.key === p.key),
  );
  const aboveTarget = c.input.config.switches.surplusWaitsForInFlight
    ? candidates.length - target
    : candidates.length;
  return candidates
    .sort(deletionOrder)
    .slice(0, Math.max(0, Math.min(surplus - asked.length, aboveTarget)));
};

/**
 * Persists an admitted direct count, with its version: a newer persisted one is never
 * overwritten. Also called for a ReplicaSet that left the direct path
 * (its `managed` label removed): a count admitted before still has to be written back, or
 * its sender holds it forever (found by the fuzzer).
 */
export const writeBack = (c: Ctx, key: ObjectKey, out: Effect[]): Ctx => {
  const held = c.desired[key];
  if (!held || held.written || inFlight(c, 'scaleReplicaSet', key)) return c;
  const { replicas, version } = held;
  if (!c.input.config.switches.writeBackPrecondition)
    return request(c, { op: 'scaleReplicaSet', key, replicas, version }, out);
  // Decided on the cached copy, and only valid while the ReplicaSet is still that copy: a
  // write of this incarnation's predecessor, still on the wire, must not land over it (a
  // kd check find). Without a copy there is nothing to decide on yet; with a newer version
  // in it, nothing to write (the informer handler evicts the count).
  const cached = c.informer.replicaSets[key];
  if (!cached || cached.replicasVersion >= version) return c;
  return request(
    c,
    { op: 'scaleReplicaSet', key, replicas, version, resourceVersion: cached.rv },
    out,
  );
};

/** ReplicaSet status (switch `writeStatus`; off only as an injected defect). */
export const writeStatus = (c: Ctx, rs: ReplicaSetView, out: Effect[]): Ctx => {
  if (!c.input.config.switches.writeStatus) return c;
  const status = statusOf(c, rs);
  const shown = `${rs.status.replicas}/${rs.status.readyReplicas}`;
  if (status === shown || knownWritten(c.statusWritten[rs.key], status, shown, rs.rv)) return c;
  if (inFlight(c, 'replicaSetStatus', rs.key)) return c;
  const [replicas = 0, readyReplicas = 0] = status.split('/').map(Number);
  return request(c, { op: 'replicaSetStatus', key: rs.key, replicas, readyReplicas }, out);
};

/**
 * A count held for a ReplicaSet the informer does not show: not seen yet, or deleted. A GET
 * tells which; a 404 drops the count (model-decisions §7).
 */
export const settleUnknownOwners = (c: Ctx, out: Effect[]): Ctx => {
  let next = c;
  for (const key of Object.keys(c.desired).sort()) {
    if (next.informer.replicaSets[key] || next.seenByGet[key]) continue;
    const asked = Object.values(next.pending).some(
      (i) => i.op === 'get' && i.kind === 'ReplicaSet' && i.key === key,
    );
    if (!asked) next = request(next, { op: 'get', kind: 'ReplicaSet', key }, out);
  }
  return next;
};
