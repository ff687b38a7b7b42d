/**
 * The scheduler's context and the work it does after every event: handshake links that are
 * down, and, while serving, assume pending pods on nodes with room and send the binds
 * (direct path) or bind unbound API pods with a Binding (API path).
 */

import type { NodeName, PodKey, StageId } from '../../../spec/types/ids.js';
import { kubeletId } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import { toPodEntry } from '../../../spec/types/messages.js';
import type { PodEntryState, StagePhase } from '../../../spec/types/observation.js';
import { groupOf } from '../controller/grouped-by.js';
import {
  cacheKey,
  type InformerCache,
  ownerKnownGone,
  ownerSeenGone,
  templateOf,
  unboundPods,
} from '../controller/informer.js';
import type { LeaseState } from '../controller/lease.js';
import type { Step as ControllerStep } from '../controller/step.js';
import { copyTable } from '../controller/tables.js';
import type { Effect, StageInput } from '../io.js';
import {
  type ClientLink,
  type PendingRound2,
  recheckTimer,
  type ServerLinks,
  startHandshake,
} from '../link/index.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

export interface HeldPod extends PodEntry {
  readonly state: Extract<PodEntryState, 'pending' | 'assumed'>;
}

export interface SchedulerContext {
  readonly input: StageInput;
  /** As the server of `replicaset -> scheduler`. */
  readonly links: ServerLinks;
  /**
   * As the client of every `scheduler -> kubelet/<node>`: one link per node, kept in a map
   * rather than as xstate states because the number of nodes varies (nodes come and go).
   */
  readonly clients: Readonly<Record<string, ClientLink>>;
  /** Handshakes minted in this incarnation (the epoch counter, shared by all links). */
  readonly epochs: number;
  /** Pending and assumed pods, by cache key. */
  readonly pods: Readonly<Record<string, HeldPod>>;
  /** `schedulePodsPayload: count`: names the scheduler minted itself. */
  readonly minted: number;
  readonly informer: InformerCache;
  /**
   * Accepted replies waiting for round 2, by kubelet: for the informers to pass the API's
   * resourceVersion read after the reply, and (`round2Read: quorum`) for their pod GETs.
   */
  readonly round2: Readonly<Record<string, PendingRound2>>;
  /** How far every informer of the scheduler has delivered (`informer.progress`). */
  readonly progressRv: number;
  /** API path: Bindings issued, not yet shown by the informer, by pod. */
  readonly apiBinds: Readonly<Record<PodKey, NodeName>>;
  readonly nextRequest: number;
  /** Fallback binding: a create met an outage; no fallback create until the backoff timer. */
  readonly fallbackBackoff: boolean;
  /** This process's Lease: its incarnation, 0 until taken (controller/lease.ts). */
  readonly lease: LeaseState;
}

export type Phase = Exclude<StagePhase, 'down'>;

export type Step = ControllerStep<SchedulerContext>;

export const nodeOf = (kubelet: StageId): NodeName => kubelet.slice('kubelet/'.length);

/** A pod assumed on a node keeps its slot, whatever its owner (`holdSlotUntilFreed`). */
export const holdsSlot = (held: HeldPod | undefined, holdSlotUntilFreed: boolean): boolean =>
  held !== undefined && held.node !== null && holdSlotUntilFreed;

/**
 * Which held pods the scheduler keeps, given what its informer shows: not yet persisted,
 * node still there, and owner not known gone, unless the pod is assumed on a node
 * (`holdSlotUntilFreed`): its kubelet may still hold and run it, so its slot stays counted
 * until round 2 towards that kubelet finds it gone (the capacity-3 find: a slot freed at
 * the owner's deletion went to another function's pod while the kubelet still held the
 * first). Used when the informer moves and when round 2 adopts what a kubelet reports.
 * One answer per owner and template version: thousands of held pods share a few owners.
 */
export const stillHeld = (
  informer: InformerCache,
  holdSlotUntilFreed: boolean,
): ((held: HeldPod) => boolean) => {
  const gone = new Map<string, Map<number, boolean>>();
  const ownerGone = (held: HeldPod): boolean => {
    let byRv = gone.get(held.ownerUid);
    if (!byRv) {
      byRv = new Map();
      gone.set(held.ownerUid, byRv);
    }
    let known = byRv.get(held.templateRv);
    if (known === undefined) {
      known = ownerKnownGone(informer, held.ownerUid, held.templateRv);
      byRv.set(held.templateRv, known);
    }
    return known;
  };
  return (held) =>
    !informer.pods[held.key] &&
    (held.node === null || informer.nodes[held.node] !== undefined) &&
    (holdsSlot(held, holdSlotUntilFreed) || !ownerGone(held));
};

/**
 * Slots in use per node: persisted pods, plus assumed ones (`schedulerCountsInflight`).
 * Counted in one pass over the pods, not one pass per node and candidate pod (which was
 * cubic in a burst of thousands of pods on thousands of nodes).
 */
const usage = (ctx: SchedulerContext): Map<NodeName, number> => {
  const counts = new Map<NodeName, number>();
  const add = (node: NodeName) => counts.set(node, (counts.get(node) ?? 0) + 1);
  for (const pod of Object.values(ctx.informer.pods)) if (pod.nodeName !== null) add(pod.nodeName);
  for (const [key, target] of Object.entries(ctx.apiBinds))
    if (ctx.informer.pods[key]?.nodeName !== target) add(target);
  if (!ctx.input.config.switches.schedulerCountsInflight) return counts;
  for (const held of Object.values(ctx.pods))
    if (held.node !== null && !ctx.informer.pods[held.key]) add(held.node);
  return counts;
};

/** The held pods in `state`, in the table's order. */
const heldIn = (pods: SchedulerContext['pods'], state: HeldPod['state']): readonly HeldPod[] =>
  groupOf(pods, 'state', (held) => held.state, state);

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

/** Timer that ends `fallbackBackoff`. */
export const FALLBACK_RETRY_TIMER = 'scheduler.fallback-retry';

export const FALLBACK_RETRY_MS = 100;

/**
 * First-fit placement over the nodes in name order, for a run of placements in one step: the
 * usage is counted once and each placement adds one to its node (`take`). A node found full
 * stays full for the rest of the run (usage only grows), so the scan resumes after it.
 */
class Placer {
  private readonly nodes: readonly { readonly name: NodeName; readonly allocatable: number }[];
  private readonly counts: Map<NodeName, number>;
  private first = 0;

  constructor(
    ctx: SchedulerContext,
    private readonly direct: boolean,
  ) {
    this.nodes = Object.values(ctx.informer.nodes).sort((a, b) => (a.name < b.name ? -1 : 1));
    this.counts = usage(ctx);
  }

  /** The first node in name order that fits (and, on the direct path, whose link is connected). */
  choose(ctx: SchedulerContext): NodeName | null {
    while (this.first < this.nodes.length && this.full(this.nodes[this.first])) this.first += 1;
    for (let i = this.first; i < this.nodes.length; i += 1) {
      const node = this.nodes[i];
      if (!node) continue;
      if (this.direct && ctx.clients[kubeletId(node.name)]?.phase !== 'connected') continue;
      if (!this.full(node)) return node.name;
    }
    return null;
  }

  /** One more slot in use on `node`. */
  take(node: NodeName): void {
    this.counts.set(node, (this.counts.get(node) ?? 0) + 1);
  }

  private full(node: { readonly name: NodeName; readonly allocatable: number } | undefined) {
    return node !== undefined && (this.counts.get(node.name) ?? 0) >= node.allocatable;
  }
}

/** Assume every pending pod that fits somewhere and send its bind under the link's epoch. */
export const bindPending = (ctx: SchedulerContext, effects: Effect[]): SchedulerContext => {
  // Made at the first pending pod: most events find none, and counting usage is a pass over all pods.
  let placer: Placer | null = null;
  const countsInflight = ctx.input.config.switches.schedulerCountsInflight;
  let pods: Record<string, HeldPod> | null = null;
  let nextRequest = ctx.nextRequest;
  // Only the pending pods: a pass over every held pod per event was quadratic in a burst.
  // Held pods are kept by the cache key of their own pod key.
  for (const held of heldIn(ctx.pods, 'pending')) {
    const ck = cacheKey(ctx.input.config.switches, held.key);
    const template = templateOf(ctx.informer, held.ownerUid);
    if (template?.fallbackBinding && ctx.fallbackBackoff) continue;
    // Best effort, as the kubelet's expose (switch exposeChecksOwner): the API would accept
    // an orphan. The entry waits until the owner is known gone and it is dropped.
    const checksOwner = ctx.input.config.switches.exposeChecksOwner;
    if (template?.fallbackBinding && checksOwner && ownerSeenGone(ctx.informer, held)) continue;
    placer ??= new Placer(ctx, true);
    const node = placer.choose(ctx);
    const link = node === null ? undefined : ctx.clients[kubeletId(node)];
    if (node === null || !link?.epoch) continue;
    const assumed: HeldPod = { ...held, node, state: 'assumed' };
    pods ??= copyTable(ctx.pods);
    pods[ck] = assumed;
    if (countsInflight && !ctx.informer.pods[held.key]) placer.take(node);
    if (template?.fallbackBinding) {
      // `kubedirect/fallback-binding`: this hop goes back to the API path. The scheduler
      // creates the pod, bound to the node, from the template; the kubelet runs what the API
      // binds to it. The entry stays assumed until the informer shows the pod persisted.
      const intent = {
        op: 'exposePod',
        key: held.key,
        templateKey: template.key,
        node,
        ownerKey: held.ownerKey,
      } as const;
      // The re-check timer also re-places the pod if the create meets an outage.
      effects.push({ type: 'api', id: nextRequest, intent }, recheckTimer(link));
      nextRequest += 1;
      continue;
    }
    effects.push(
      {
        type: 'send',
        message: {
          type: 'kubelet.bindPod',
          source: ctx.input.id,
          destination: link.server,
          epoch: link.epoch,
          entry: toPodEntry(assumed),
        },
      },
      recheckTimer(link),
    );
  }
  return pods === null ? ctx : { ...ctx, pods, nextRequest };
};

/** API path: bind every unbound pod the informer shows with a Binding. */
export const bindApiPods = (ctx: SchedulerContext, effects: Effect[]): SchedulerContext => {
  let placer: Placer | null = null;
  let apiBinds: Record<PodKey, NodeName> | null = null;
  let nextRequest = ctx.nextRequest;
  // Only the unbound pods: a pass over every pod per event was quadratic in a burst.
  for (const pod of unboundPods(ctx.informer)) {
    if (pod.deleting || (apiBinds ?? ctx.apiBinds)[pod.key]) continue;
    placer ??= new Placer(ctx, false);
    const node = placer.choose(ctx);
    if (node === null) continue;
    const id = nextRequest;
    effects.push({ type: 'api', id, intent: { op: 'bindPod', key: pod.key, node } });
    nextRequest = id + 1;
    apiBinds ??= copyTable(ctx.apiBinds);
    apiBinds[pod.key] = node;
    // The pod is unbound, so its Binding counts against the node (as `used` counts it).
    placer.take(node);
  }
  return apiBinds === null ? ctx : { ...ctx, nextRequest, apiBinds };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/** Handshake every link that is down (the first handshake, or after an epochMismatch). */
export const handshakeDown = (ctx: SchedulerContext, effects: Effect[]): SchedulerContext => {
  let next = ctx;
  for (const link of Object.values(ctx.clients)) {
    if (link.phase === 'disconnected') next = handshake(next, link.server, effects);
  }
  return next;
};

export const handshake = (
  ctx: SchedulerContext,
  server: StageId,
  effects: Effect[],
): SchedulerContext => {
  const link = ctx.clients[server];
  if (!link) return ctx;
  // Mutant `epoch-counter-resets`: a link that reconnects starts the counter again.
  const reconnect = link.phase === 'disconnected' && link.epoch !== null;
  const restart = reconnect && !ctx.input.config.switches.epochCounterPerIncarnation;
  const epochs = (restart ? 0 : ctx.epochs) + 1;
  const s = startHandshake(link, ctx.lease.incarnation, epochs);
  effects.push(...s.effects);
  const round2 = copyTable(ctx.round2);
  delete round2[server];
  return { ...ctx, epochs, round2, clients: { ...ctx.clients, [server]: s.link } };
};
