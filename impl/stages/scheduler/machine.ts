/**
 * Scheduler: turns pod identities from the ReplicaSet controller into placements. It
 * *assumes* a pod on a node (counting it against the node's capacity before the API shows
 * it) and sends `kubelet.bindPod` to that node's kubelet.
 *
 * Neighbours: server of `replicaset -> scheduler`; client of `scheduler -> kubelet/<node>`
 * for every node; the API Server (its informer on pods, nodes, ReplicaSets, template Pods;
 * Bindings on the API path; quorum reads in round 2).
 *
 *   lifecycle:  syncing ──informer.synced──► recovering ──every kubelet link connected──► serving
 *                                            (handshake every kubelet; answer the ReplicaSet
 *                                             controller notReady, unless recovery: topDown)
 *
 *   a pod:  schedulePods ──► pending ──(a node fits, its link connected)──► assumed ──► evicted
 *                              ▲                                                │ (informer shows
 *                              └─── never re-queued: a lost node's pods are forgotten┘ it persisted)
 *
 * The kubelet links live in a map in the context (`clients`), not as xstate states, because
 * their number varies with the nodes; the stage lifecycle is explicit xstate states.
 * Placement is deterministic (first node in name order that fits), as in the model
 * (`spec/stages/scheduler.ts`). On the API path (mode `api`, or a template Pod with
 * `fallbackBinding`) it binds the unbound pods its informer shows with a Binding.
 *
 * Assumes: the runtime delivers a handshake reply after the informer is reasonably fresh
 * (model-decisions.md §1 is not enforced here). Left out: scoring, affinity, preemption.
 */

import { enqueueActions, setup } from 'xstate';
import type { StageId } from '../../../spec/types/ids.js';
import { kubeletId } from '../../../spec/types/ids.js';
import type { Message, PodEntry, SchedulePods, Sync } from '../../../spec/types/messages.js';
import { isSync, toPodEntry } from '../../../spec/types/messages.js';
import type { DirtyEntry } from '../../../spec/types/observation.js';
import { onLease } from '../controller/context.js';
import { noteEdit } from '../controller/grouped-by.js';
import {
  applyInformer,
  cacheKey,
  emptyInformer,
  type InformerCache,
  ownerKnownGone,
} from '../controller/informer.js';
import { isLeaseAnswer, isLeaseTimer, noLease } from '../controller/lease.js';
import { collect, none, onEach } from '../controller/step.js';
import { copyTable, emptyTable } from '../controller/tables.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import {
  admitThenApply,
  answersHandshakes,
  applyEvent,
  onHandshake as linkHandshake,
  linkOfRetryTimer,
  newClientLink,
  notReady,
  onEpochMismatch,
  onNotReady,
  onServerDown,
  onSyncAck,
  rearmRetry,
  recheckTimer,
  retryVerdict,
  serverEpochs,
  sourceOfApplyTimer,
  syncAck,
  takeQueued,
} from '../link/index.js';
import {
  bindApiPods,
  bindPending,
  FALLBACK_RETRY_MS,
  FALLBACK_RETRY_TIMER,
  type HeldPod,
  handshake,
  handshakeDown,
  holdsSlot,
  type Phase,
  type SchedulerContext,
  type Step,
  stillHeld,
} from './context.js';
import {
  heldOn,
  onBarrier,
  onHandshakeReply,
  onInformerProgress,
  onRead,
  waiting,
} from './round2.js';

export type { SchedulerContext } from './context.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// The context type, `SchedulerContext`, and the readings of it are in context.ts.

const initialContext = (input: StageInput): SchedulerContext => ({
  input,
  links: {},
  clients: Object.fromEntries(input.downstream.map((k) => [k, newClientLink(input.id, k)])),
  epochs: 0,
  pods: {},
  minted: 0,
  informer: emptyInformer,
  round2: {},
  progressRv: 0,
  apiBinds: {},
  nextRequest: 1,
  fallbackBackoff: false,
  lease: noLease,
});

// ── Machine ──────────────────────────────────────────────────────────────────────────────────

/**
 * The events the scheduler handles (`route`), each a named transition. `start` is the first
 * event of an incarnation and `informer.synced` comes once, before it leaves `syncing`.
 */
const HANDLED = [
  'informer.upsert',
  'informer.delete',
  'informer.progress',
  'message',
  'link.down',
  'api.done',
  'timer',
] as const satisfies readonly StageEvent['type'][];

const HANDLED_SYNCING = ['start', 'informer.synced', ...HANDLED] as const;

function handledIn(phase: Phase) {
  const events = phase === 'syncing' ? HANDLED_SYNCING : HANDLED;
  return onEach(events, { actions: { type: 'handle', params: { phase } } } as const);
}

export const schedulerMachine = setup({
  types: {} as {
    context: SchedulerContext;
    events: StageEvent;
    input: StageInput;
    emitted: Effect;
  },
  actions: {
    handle: enqueueActions(({ context, event, enqueue }, params: { phase: Phase }) => {
      const routed = route(context, event, params.phase);
      const effects = [...routed.effects];
      const next = work(routed.context, params.phase, effects);
      if (next !== context) enqueue.assign(() => next);
      for (const effect of effects) enqueue.emit(effect);
    }),
    work: enqueueActions(({ context, enqueue }, params: { phase: Phase }) => {
      const effects: Effect[] = [];
      const next = work(context, params.phase, effects);
      if (next !== context) enqueue.assign(() => next);
      for (const effect of effects) enqueue.emit(effect);
    }),
  },
  guards: {
    leasedAndSynced: ({ context }) => context.informer.synced && context.lease.incarnation > 0,
    recovered: ({ context }) =>
      Object.values(context.clients).every((link) => link.phase === 'connected'),
  },
}).createMachine({
  id: 'scheduler',
  context: ({ input }) => initialContext(input),
  initial: 'syncing',
  states: {
    // Out of `syncing` once the informers listed and the Lease is held (controller/lease.ts).
    syncing: {
      always: {
        guard: 'leasedAndSynced',
        target: 'recovering',
        actions: { type: 'work', params: { phase: 'recovering' } },
      },
      on: handledIn('syncing'),
    },
    recovering: {
      always: {
        guard: 'recovered',
        target: 'serving',
        actions: { type: 'work', params: { phase: 'serving' } },
      },
      on: handledIn('recovering'),
    },
    serving: { on: handledIn('serving') },
  },
});

/** One handler per incoming event. */
const route = (ctx: SchedulerContext, event: StageEvent, phase: Phase): Step => {
  if (event.type === 'start' || isLeaseAnswer(event) || isLeaseTimer(event))
    return collect((out) => onLease(ctx, event, out));
  switch (event.type) {
    case 'informer.upsert':
    case 'informer.delete':
    case 'informer.synced':
      return none(onInformer(ctx, applyInformer(ctx.informer, event)));
    case 'message':
      return onMessage(ctx, event.message, phase);
    case 'link.down': {
      // The kubelet's process died: `work` handshakes the link again in this same step.
      const link = ctx.clients[event.server];
      if (!link) return none(ctx);
      return none({ ...ctx, clients: { ...ctx.clients, [event.server]: onServerDown(link) } });
    }
    case 'informer.progress':
      return onInformerProgress(ctx, event.rv);
    case 'api.done':
      if (event.intent.op === 'get')
        return onRead(ctx, event.intent.key, readOutcome(event.outcome));
      if (event.intent.op === 'readResourceVersion')
        return onBarrier(ctx, event.intent.key, event.intent.epoch, event.rv);
      if (event.intent.op === 'exposePod')
        return onFallbackCreated(ctx, event.intent.key, event.outcome);
      return none(onBound(ctx, event.intent.key, event.outcome));
    case 'timer':
      return onTimer(ctx, event.name);
    default:
      return none(ctx);
  }
};

const readOutcome = (outcome: string) =>
  outcome === 'ok' ? 'present' : outcome === 'outage' ? 'outage' : 'absent';

const onTimer = (ctx: SchedulerContext, name: string): Step => {
  if (name === FALLBACK_RETRY_TIMER) return none({ ...ctx, fallbackBackoff: false });
  const server = linkOfRetryTimer(name)?.split('->')[1] as StageId | undefined;
  const link = server ? ctx.clients[server] : undefined;
  if (link) {
    const effects: Effect[] = [];
    const why = {
      holdsDirty: heldOn(ctx, link.server).length > 0,
      round2Underway: waiting(ctx, link.server) !== null,
    };
    const verdict = retryVerdict(link, why);
    if (verdict === 'wait') return { context: ctx, effects: [rearmRetry(link)] };
    if (verdict === 'nothing') return none(ctx);
    return { context: handshake(ctx, link.server, effects), effects };
  }
  const source = sourceOfApplyTimer(name);
  if (source === null) return none(ctx);
  const t = takeQueued(ctx.links, source);
  const next = { ...ctx, links: t.links };
  if (t.message?.type !== 'scheduler.schedulePods') return none(next);
  const applied = applyMessage(next, t.message);
  return { context: applied.context, effects: [...t.effects, ...applied.effects] };
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────
// What `work` runs (`bindPending`, `bindApiPods`) is in context.ts.

/** After every event: handshake links that are down; while serving, bind what fits. */
const work = (ctx: SchedulerContext, phase: Phase, effects: Effect[]): SchedulerContext => {
  if (phase === 'syncing') return ctx;
  const next = handshakeDown(ctx, effects);
  if (phase !== 'serving') return next;
  return bindApiPods(bindPending(next, effects), effects);
};

/** API path: a Binding finished; on failure the pod is bound again on a later event. */
const onBound = (ctx: SchedulerContext, key: string, outcome: string): SchedulerContext => {
  if (outcome === 'ok') return ctx;
  const apiBinds = copyTable(ctx.apiBinds);
  delete apiBinds[key];
  return { ...ctx, apiBinds };
};

/**
 * Fallback binding: the scheduler's create of a pod bound to its node finished. Created (or
 * already there): the entry stays assumed until the informer shows it persisted. The
 * template is gone (notFound: no request could be built): the pod is dropped. An outage: the
 * pod goes back to pending and is placed again.
 */
const onFallbackCreated = (ctx: SchedulerContext, key: string, outcome: string): Step => {
  const ck = cacheKey(ctx.input.config.switches, key);
  const held = ctx.pods[ck];
  if (!held || held.key !== key || outcome === 'ok' || outcome === 'alreadyExists')
    return none(ctx);
  const pods = copyTable(ctx.pods);
  if (outcome !== 'outage') {
    delete pods[ck];
    return none({ ...ctx, pods });
  }
  // Back off before the next fallback create, as the kubelet does after an outage.
  pods[ck] = { ...held, node: null, state: 'pending' };
  const retry: Effect = {
    type: 'timer.set',
    name: FALLBACK_RETRY_TIMER,
    afterMs: FALLBACK_RETRY_MS,
  };
  return { context: { ...ctx, pods, fallbackBackoff: true }, effects: [retry] };
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery: evict persisted pods, drop pods of deleted owners, forget pods assumed
 * on lost nodes (never re-queued: that identity may have been exposed there and
 * force-deleted), and follow nodes coming and going with client links.
 */
const onInformer = (ctx: SchedulerContext, informer: InformerCache): SchedulerContext => {
  const pods = keepWhere(
    ctx.pods,
    stillHeld(informer, ctx.input.config.switches.holdSlotUntilFreed),
  );
  const apiBinds = keepWhere(ctx.apiBinds, (_node, key) => informer.pods[key]?.nodeName === null);
  return { ...ctx, informer, pods, clients: followNodes(ctx, informer), apiBinds };
};

/**
 * One client link per node the informer shows. The links depend only on the nodes and
 * `synced` (other handlers change links, never add or remove them), so an event that
 * changes neither leaves them as they are: no pass over thousands of links per pod event.
 */
const followNodes = (
  ctx: SchedulerContext,
  informer: InformerCache,
): SchedulerContext['clients'] => {
  if (informer.nodes === ctx.informer.nodes && informer.synced === ctx.informer.synced)
    return ctx.clients;
  const clients = copyTable(ctx.clients);
  for (const server of Object.keys(clients) as StageId[])
    if (informer.synced && !informer.nodes[server.slice('kubelet/'.length)]) delete clients[server];
  for (const node of Object.keys(informer.nodes))
    clients[kubeletId(node)] ??= newClientLink(ctx.input.id, kubeletId(node));
  return clients;
};

/**
 * The entries of `record` that `keep` accepts, in order; `record` itself when all are kept.
 * One entry dropped (a pod seen persisted, the usual case) is noted as an edit, so the
 * groups of the held pods follow it (grouped-by.ts).
 */
const keepWhere = <V>(
  record: Readonly<Record<string, V>>,
  keep: (value: V, key: string) => boolean,
): Readonly<Record<string, V>> => {
  let kept: Record<string, V> | null = null;
  let dropped: string | null = null;
  let drops = 0;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const value = record[key] as V;
    if (keep(value, key)) {
      if (kept) kept[key] = value;
      continue;
    }
    dropped = key;
    drops += 1;
    if (kept) continue;
    kept = emptyTable();
    for (let j = 0; j < i; j += 1) {
      const before = keys[j] as string;
      kept[before] = record[before] as V;
    }
  }
  if (kept && drops === 1) noteEdit(record, kept, dropped as string);
  return kept ?? record;
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

const onMessage = (ctx: SchedulerContext, message: Message, phase: Phase): Step => {
  const sw = ctx.input.config.switches;
  switch (message.type) {
    case 'scheduler.handshake': {
      if (!answersHandshakes(phase, sw))
        return { context: ctx, effects: [notReady(ctx.input.id, message)] };
      const snapshot = Object.values(ctx.pods).map(toPodEntry);
      const s = linkHandshake(ctx.links, ctx.input.id, message, snapshot, sw);
      return { context: { ...ctx, links: s.links }, effects: s.effects };
    }
    case 'scheduler.schedulePods':
    case 'scheduler.sync':
      return admitThenApply(ctx, message, applyMessage);
    case 'scheduler.handshakeReply':
      return onHandshakeReply(ctx, message);
    default:
      return onClientReply(ctx, message);
  }
};

const applyMessage = (ctx: SchedulerContext, message: SchedulePods | Sync): Step => {
  const effects: Effect[] = [applyEvent(ctx.links, ctx.input.id, message)];
  if (!isSync(message)) return { context: onSchedulePods(ctx, message), effects };
  const sw = ctx.input.config.switches;
  const pods = copyTable(ctx.pods);
  for (const key of message.discard) {
    // An orphan assumed on a node keeps its slot until its kubelet lets go (`stillHeld`).
    const ck = cacheKey(sw, key);
    if (!holdsSlot(pods[ck], sw.holdSlotUntilFreed)) delete pods[ck];
  }
  let next = { ...ctx, pods };
  next = acceptAll(
    next,
    message.entries.filter((entry): entry is PodEntry => entry.kind === 'pod'),
  );
  effects.push(syncAck(message));
  return { context: next, effects };
};

/** By names (idempotent), or by count (the artifact's form: a duplicate adds more pods). */
const onSchedulePods = (ctx: SchedulerContext, message: SchedulePods): SchedulerContext => {
  const { ownerKey, ownerUid, templateRv } = message;
  const base = { kind: 'pod', ownerKey, ownerUid, node: null, templateRv } as const;
  const entries: PodEntry[] = message.pods.map((key) => ({ ...base, key }));
  for (let i = 0; i < message.count; i += 1)
    entries.push({ ...base, key: `${ownerKey}-s${ctx.lease.incarnation}-${ctx.minted + i + 1}` });
  return acceptAll({ ...ctx, minted: ctx.minted + message.count }, entries);
};

/**
 * Pod identities arrive, in order; idempotent by cache key; a persisted copy or a gone owner
 * wins. The held pods are copied once per message, not once per pod.
 */
const acceptAll = (ctx: SchedulerContext, entries: readonly PodEntry[]): SchedulerContext => {
  let pods: Record<string, HeldPod> | null = null;
  for (const entry of entries) {
    const ck = cacheKey(ctx.input.config.switches, entry.key);
    if ((pods ?? ctx.pods)[ck] || ctx.informer.pods[entry.key]) continue;
    if (ownerKnownGone(ctx.informer, entry.ownerUid, entry.templateRv)) continue;
    pods ??= copyTable(ctx.pods);
    pods[ck] = { ...entry, node: null, state: 'pending' };
  }
  return pods === null ? ctx : { ...ctx, pods };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────
// The handshake is in context.ts, round 2 in round2.ts.

/** syncAck, epochMismatch, notReady from a kubelet. */
const onClientReply = (ctx: SchedulerContext, message: Message): Step => {
  const link = ctx.clients[message.source];
  if (!link) return none(ctx);
  const put = (l: typeof link) => ({ ...ctx, clients: { ...ctx.clients, [message.source]: l } });
  if (message.type === 'scheduler.syncAck') {
    const s = onSyncAck(link, message);
    // Every pod assumed on the node keeps a pending re-validation: connecting cancels the
    // handshake's timer, so pods still held (adopted from a snapshot that may be stale by
    // now) re-arm it as a re-check (the seed-9 find: adopted pods, persisted and deleted
    // since the snapshot, stayed assumed for good).
    const recheck =
      s.link.phase === 'connected' &&
      ctx.input.config.switches.revalidateAdopted &&
      heldOn(ctx, link.server).length > 0;
    const effects = recheck ? [...s.effects, recheckTimer(s.link)] : s.effects;
    return { context: put(s.link), effects };
  }
  if (message.type === 'scheduler.epochMismatch') {
    // The link is down; `work` handshakes it again in this same step.
    return none(put(onEpochMismatch(link, message).link));
  }
  if (message.type === 'scheduler.notReady') {
    const s = onNotReady(link, message);
    return { context: put(s.link), effects: s.effects };
  }
  return none(ctx);
};

// ── Report ───────────────────────────────────────────────────────────────────────────────────

export const report = (snapshot: {
  readonly value: unknown;
  readonly context: SchedulerContext;
}): StageReport => ({
  phase: snapshot.value as StageReport['phase'],
  dirty: Object.values(snapshot.context.pods).map(
    (held): DirtyEntry => ({ ...toPodEntry(held), source: 'replicaset', state: held.state }),
  ),
  informerRv: snapshot.context.informer.rv,
  incarnation: snapshot.context.lease.incarnation,
  clients: Object.values(snapshot.context.clients).map((l) => ({
    server: l.server,
    phase: l.phase,
    epoch: l.epoch,
  })),
  serverEpochs: serverEpochs(snapshot.context.links),
});
