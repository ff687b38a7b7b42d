/**
 * The scheduler's context and the work it does after every event: handshake links that are
 * down, and, while serving, assume pending pods on nodes with room and send the binds
 * (direct path) or bind unbound API pods with a Binding (API path).
 */
import type { NodeName, PodKey, StageId } from '../../../spec/types/ids.js';
import { kubeletId } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type { PodEntryState, StagePhase } from '../../../spec/types/observation.js';
import { type InformerCache, toPodEntry } from '../common/informer.js';
import type { Effect, StageInput } from '../io.js';
import {
  type ClientLink,
  type PendingRound2,
  recheckTimer,
  type ServerLinks,
  startHandshake,
} from '../link/index.js';

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
  /** Replies waiting for quorum reads (`round2Read: quorum`), by kubelet. */
  readonly round2: Readonly<Record<string, PendingRound2>>;
  /** API path: Bindings issued, not yet shown by the informer, by pod. */
  readonly apiBinds: Readonly<Record<PodKey, NodeName>>;
  readonly nextRequest: number;
}

export type Phase = Exclude<StagePhase, 'down'>;

export interface Step {
  readonly context: SchedulerContext;
  readonly effects: readonly Effect[];
}

export const nodeOf = (kubelet: StageId): NodeName => kubelet.slice('kubelet/'.length);

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
  const epochs = ctx.epochs + 1;
  const s = startHandshake(link, ctx.input.incarnation, epochs);
  effects.push(...s.effects);
  const round2 = { ...ctx.round2 };
  delete round2[server];
  return { ...ctx, epochs, round2, clients: { ...ctx.clients, [server]: s.link } };
};

/** Slots in use on `node`: persisted pods, plus assumed ones (`schedulerCountsInflight`). */
export const used = (ctx: SchedulerContext, node: NodeName): number => {
  let count = 0;
  for (const pod of Object.values(ctx.informer.pods)) if (pod.nodeName === node) count += 1;
  for (const [key, target] of Object.entries(ctx.apiBinds))
    if (target === node && ctx.informer.pods[key]?.nodeName !== node) count += 1;
  if (!ctx.input.config.switches.schedulerCountsInflight) return count;
  for (const held of Object.values(ctx.pods))
    if (held.node === node && !ctx.informer.pods[held.key]) count += 1;
  return count;
};

/** The first node in name order that fits (and, on the direct path, whose link is connected). */
export const chooseNode = (ctx: SchedulerContext, direct: boolean): NodeName | null => {
  const nodes = Object.values(ctx.informer.nodes).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const node of nodes) {
    if (direct && ctx.clients[kubeletId(node.name)]?.phase !== 'connected') continue;
    if (used(ctx, node.name) < node.allocatable) return node.name;
  }
  return null;
};

/** Assume every pending pod that fits somewhere and send its bind under the link's epoch. */
export const bindPending = (ctx: SchedulerContext, effects: Effect[]): SchedulerContext => {
  let next = ctx;
  for (const [ck, held] of Object.entries(ctx.pods)) {
    if (held.state !== 'pending') continue;
    const node = chooseNode(next, true);
    const link = node === null ? undefined : next.clients[kubeletId(node)];
    if (node === null || !link?.epoch) continue;
    const assumed: HeldPod = { ...held, node, state: 'assumed' };
    next = { ...next, pods: { ...next.pods, [ck]: assumed } };
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
  return next;
};

/** API path: bind every unbound pod the informer shows with a Binding. */
export const bindApiPods = (ctx: SchedulerContext, effects: Effect[]): SchedulerContext => {
  let next = ctx;
  for (const pod of Object.values(ctx.informer.pods)) {
    if (pod.nodeName !== null || pod.deleting || next.apiBinds[pod.key]) continue;
    const node = chooseNode(next, false);
    if (node === null) continue;
    const id = next.nextRequest;
    effects.push({ type: 'api', id, intent: { op: 'bindPod', key: pod.key, node } });
    next = { ...next, nextRequest: id + 1, apiBinds: { ...next.apiBinds, [pod.key]: node } };
  }
  return next;
};
