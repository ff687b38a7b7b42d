/**
 * Scheduler: turns pod identities from the ReplicaSet controller into placements. It
 * *assumes* a pod on a node (counting it against the node's capacity before the API shows
 * it) and sends `kubelet.bindPod` to that node's kubelet.
 *
 *   schedulePods ──► pending ──(a node fits, link to it connected)──► assumed ──► evicted
 *                      ▲                                                 │  (informer shows
 *                      └────────────── node lost ────────────────────────┘   it persisted)
 *
 * Server of `replicaset -> scheduler`; client of `scheduler -> kubelet/<node>` for every node.
 * Placement is deterministic (first node in name order that fits), so the model explores
 * interleavings, not placement choices. Left out: scoring, affinity, preemption.
 */

import type { Config } from '../types/config.js';
import type { NodeName } from '../types/ids.js';
import { kubeletId, linkId } from '../types/ids.js';
import type { DataMessage, PodEntry } from '../types/messages.js';
import { toPodEntry } from '../types/messages.js';
import { withSent } from '../world/net.js';
import {
  type ClientRole,
  type ClientRound2,
  emptyRound2,
  type ServerRole,
} from '../world/session.js';
import type { HeldPod, SchedulerState, WorldState } from '../world/state.js';
import {
  cacheKey,
  editRecord,
  isServing,
  ownerKnownGone,
  round2Read,
  type Step,
  step,
  withAdmitted,
  withEntry,
  withoutEntries,
} from './common.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// Its state, `SchedulerState`, is in spec/world/state.ts with the world's other parts.

/**
 * Whether a held pod keeps its slot although its owner is gone (`holdSlotUntilFreed`): once
 * assumed on a node, its kubelet may hold and run it until the kubelet's own informer shows
 * the owner gone, so only round 2 towards that kubelet (or the API, or the node's loss)
 * frees the slot. A pending pod has no slot and goes at once.
 */
const holdsSlot = (cfg: Config, held: HeldPod | undefined): boolean =>
  held !== undefined && held.node !== null && cfg.switches.holdSlotUntilFreed;

/** Slots in use on `node` as this scheduler sees them. */
const used = (cfg: Config, s: SchedulerState, node: NodeName): number => {
  let count = 0;
  for (const pod of Object.values(s.view.objects.pods)) if (pod.nodeName === node) count += 1;
  if (!cfg.switches.schedulerCountsInflight) return count;
  for (const held of Object.values(s.pods)) {
    if (held.node === node && !s.view.objects.pods[held.key]) count += 1;
  }
  return count;
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const schedulerSteps = (state: WorldState, cfg: Config): Step[] => {
  const s = state.scheduler;
  if (!isServing(s)) return [];
  const steps: Step[] = [];
  for (const [ck, held] of Object.entries(s.pods)) {
    if (held.state !== 'pending') continue;
    const node = chooseNode(state, cfg);
    if (node === null) continue;
    steps.push(step('scheduler', `bind ${held.key} -> ${node}`, (w) => bind(w, ck, node)));
  }
  return steps;
};

const chooseNode = (state: WorldState, cfg: Config): NodeName | null => {
  const s = state.scheduler;
  for (const node of Object.values(s.view.objects.nodes).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const link = state.links[linkId('scheduler', kubeletId(node.name))];
    if (link?.phase !== 'connected') continue;
    if (used(cfg, s, node.name) < node.allocatable) return node.name;
  }
  return null;
};

const bind = (state: WorldState, ck: string, node: NodeName): WorldState => {
  const s = state.scheduler;
  const held = s.pods[ck];
  const link = state.links[linkId('scheduler', kubeletId(node))];
  if (!held || !link?.epoch) return state;
  const assumed: HeldPod = { ...held, node, state: 'assumed' };
  return withSent(
    { ...state, scheduler: { ...s, pods: withEntry(s.pods, ck, assumed) } },
    {
      type: 'kubelet.bindPod',
      source: 'scheduler',
      destination: kubeletId(node),
      epoch: link.epoch,
      entry: toPodEntry(assumed),
    },
  );
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery (`s` holds the new view): evict persisted pods, drop pods of deleted
 * owners (those assumed on a node only under the mutant `release-slot-on-owner-delete`) and
 * of lost nodes. On the plain state, as every delivery.
 */
export const onSchedulerSync = (cfg: Config, s: SchedulerState): SchedulerState => {
  const pods = withoutEntries(s.pods, (held) => {
    if (s.view.objects.pods[held.key]) return true;
    if (ownerKnownGone(s.view, held.ownerUid, held.templateRv) && !holdsSlot(cfg, held))
      return true;
    // A pod assumed on a lost node may have been exposed there and force-deleted since:
    // re-binding its identity elsewhere could resurrect it, so forget it, and the ReplicaSet
    // controller replaces it under a fresh name.
    return held.node !== null && !s.view.objects.nodes[held.node];
  });
  return pods === s.pods ? s : { ...s, pods };
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

export const schedulerServer: ServerRole = {
  snapshot: (state) => Object.values(state.scheduler.pods).map(toPodEntry),
  apply: (server, cfg, _events, message) => {
    const s = server as SchedulerState;
    if (message.type === 'scheduler.schedulePods') return onSchedulePods(cfg, s, message);
    if (!('entries' in message)) return s;
    const discarded = new Set(message.discard.map((key) => cacheKey(cfg, key)));
    const pods = withoutEntries(s.pods, (held, ck) => discarded.has(ck) && !holdsSlot(cfg, held));
    const entries = message.entries.filter((e): e is PodEntry => e.kind === 'pod');
    return withAccepted(cfg, pods === s.pods ? s : { ...s, pods }, entries);
  },
};

const onSchedulePods = (
  cfg: Config,
  s: SchedulerState,
  message: Extract<DataMessage, { type: 'scheduler.schedulePods' }>,
): SchedulerState => {
  const base = {
    kind: 'pod',
    ownerKey: message.ownerKey,
    ownerUid: message.ownerUid,
    node: null,
    templateRv: message.templateRv,
  } as const;
  const entries: PodEntry[] = message.pods.map((key) => ({ ...base, key }));
  // The artifact's count form: the scheduler names the pods itself, so a duplicate adds more.
  for (let i = 1; i <= message.count; i += 1)
    entries.push({ ...base, key: `${message.ownerKey}-s${s.incarnation}-${s.minted + i}` });
  const minted = s.minted + message.count;
  return withAccepted(cfg, minted === s.minted ? s : { ...s, minted }, entries);
};

/** Pod identities arrive from the ReplicaSet controller; idempotent by cache key. */
const withAccepted = (
  cfg: Config,
  s: SchedulerState,
  entries: readonly PodEntry[],
): SchedulerState => {
  const pods = withAdmitted(s.pods, entries, (entry, held): [string, HeldPod] | null => {
    const ck = cacheKey(cfg, entry.key);
    if (held[ck] || s.view.objects.pods[entry.key]) return null;
    if (ownerKnownGone(s.view, entry.ownerUid, entry.templateRv)) return null;
    return [ck, { ...entry, node: null, state: 'pending', templateHash: '', failed: false }];
  });
  return pods === s.pods ? s : { ...s, pods };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/** Round 2 towards one kubelet: adopt what it holds, forget or re-send what it lost. */
export const schedulerClient: ClientRole = {
  round2: (state, cfg, link, snapshot): ClientRound2 => {
    const s = state.scheduler;
    const node = link.server.slice('kubelet/'.length);
    const reported = new Set(snapshot.map((e) => e.key));
    const r = emptyRound2();
    const pods = editRecord(s.pods);
    for (const entry of snapshot) {
      // As at the ReplicaSet controller: adopt what the informer does not show yet.
      const ck = cacheKey(cfg, entry.key);
      if (entry.kind !== 'pod' || pods.current[ck] || s.view.objects.pods[entry.key]) continue;
      pods.set(ck, { ...entry, node, state: 'assumed', templateHash: '', failed: false });
      r.adopted.push(entry.key);
    }
    const read = round2Read(state, cfg, s);
    for (const [ck, held] of Object.entries(pods.current)) {
      if (held.node !== node || reported.has(held.key) || read.pods[held.key]) continue;
      // The kubelet let go of a pod whose owner is gone: its slot is free, and nothing re-sends it.
      const wanted = !ownerKnownGone(s.view, held.ownerUid, held.templateRv);
      if (cfg.switches.lostIdentity === 'reuse' && wanted) {
        r.entries.push(toPodEntry(held));
        r.resent.push(held.key);
      } else {
        // The scheduler does not own pod names: it forgets the pod, and the ReplicaSet
        // controller replaces it under a fresh name when it finds it lost.
        pods.remove(ck);
        r.forgotten.push(held.key);
      }
    }
    return { round2: r, client: pods.current === s.pods ? s : { ...s, pods: pods.current } };
  },
};
