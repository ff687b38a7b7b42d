/**
 * The scheduler's round 2 towards one kubelet: adopt what the kubelet holds and the
 * scheduler lost, forget (`lostIdentity: recreate`) or re-send (`reuse`) what the kubelet
 * lost. Whether a lost pod is in fact persisted is read from the informer or, with
 * `round2Read: quorum`, from the API with one GET per pod (the reply waits for the answers).
 */
import type { PodKey, StageId } from '../../../spec/types/ids.js';
import type { HandshakeReply, LinkEntry } from '../../../spec/types/messages.js';
import { cacheKey, ownerKnownGone } from '../controller/informer.js';
import { copyTable } from '../controller/tables.js';
import type { ApiIntent, Effect } from '../io.js';
import {
  acceptReply,
  finishRound1,
  type PendingRound2,
  planPodRound2,
  readShowsPersisted,
  recordBarrier,
  recordRead,
  round2Ready,
  runsRound2,
  startReads,
  underway,
  unreported,
} from '../link/index.js';
import type { HeldPod, SchedulerContext, Step } from './context.js';
import { nodeOf, stillHeld } from './context.js';

// ── Client end ───────────────────────────────────────────────────────────────────────────────

export const onHandshakeReply = (ctx: SchedulerContext, reply: HandshakeReply): Step => {
  const link = ctx.clients[reply.source];
  const sw = ctx.input.config.switches;
  if (!link) return { context: ctx, effects: [] };
  const verdict = acceptReply(link, reply, sw);
  const effects = [...verdict.effects];
  if (!verdict.accepted || link.epoch === null) return { context: ctx, effects };
  if (!runsRound2(sw)) return finish(ctx, reply.source, null, effects);
  // Round 2 waits for the informers to pass the API's resourceVersion read now, and (quorum
  // reads) for one GET per pod the kubelet did not report.
  const lost =
    sw.round2Read === 'quorum'
      ? unreported(reply.snapshot, heldOn(ctx, reply.source)).map((h) => h.key)
      : [];
  const pending = startReads(link.epoch, reply.snapshot, lost);
  let next: SchedulerContext = { ...ctx, round2: { ...ctx.round2, [reply.source]: pending } };
  const intents: ApiIntent[] = [
    { op: 'readResourceVersion', key: link.id, epoch: link.epoch },
    ...lost.map((key): ApiIntent => ({ op: 'get', kind: 'Pod', key })),
  ];
  for (const intent of intents) {
    effects.push({ type: 'api', id: next.nextRequest, intent });
    next = { ...next, nextRequest: next.nextRequest + 1 };
  }
  return { context: next, effects };
};

/**
 * The pending round 2 towards `server`, if that link still waits for it (a failed read drops
 * it: `abandon`). While it waits the link's retry timer waits too (`retryVerdict`).
 */
export const waiting = (ctx: SchedulerContext, server: StageId): PendingRound2 | null => {
  const link = ctx.clients[server];
  return link ? underway(ctx.round2[server], link) : null;
};

/** A quorum read answered; an outage abandons the round (the retry timer re-handshakes). */
export const onRead = (
  ctx: SchedulerContext,
  key: PodKey,
  outcome: 'present' | 'absent' | 'outage',
): Step => {
  let next = ctx;
  const effects: Effect[] = [];
  for (const server of Object.keys(ctx.round2).sort() as StageId[]) {
    const pending = waiting(next, server);
    if (pending?.reads[key] !== 'pending') continue;
    next =
      outcome === 'outage'
        ? abandon(next, server)
        : maybeRound2(next, server, recordRead(pending, key, outcome === 'present'), effects);
  }
  return { context: next, effects };
};

/** The resourceVersion read for `linkId` answered; a failure abandons the round. */
export const onBarrier = (
  ctx: SchedulerContext,
  linkId: string,
  epoch: string,
  rv: number | undefined,
): Step => {
  const server = (Object.keys(ctx.clients) as StageId[]).find((s) => ctx.clients[s]?.id === linkId);
  const pending = server && waiting(ctx, server);
  if (!server || !pending || pending.epoch !== epoch) return { context: ctx, effects: [] };
  const effects: Effect[] = [];
  if (rv === undefined) return { context: abandon(ctx, server), effects };
  return { context: maybeRound2(ctx, server, recordBarrier(pending, rv), effects), effects };
};

/** The informers have come further: every round 2 whose barrier they passed runs now. */
export const onInformerProgress = (ctx: SchedulerContext, rv: number): Step => {
  let next: SchedulerContext = { ...ctx, progressRv: Math.max(ctx.progressRv, rv) };
  const effects: Effect[] = [];
  for (const server of Object.keys(ctx.round2).sort() as StageId[]) {
    const pending = waiting(next, server);
    if (pending) next = maybeRound2(next, server, pending, effects);
  }
  return { context: next, effects };
};

const abandon = (ctx: SchedulerContext, server: StageId): SchedulerContext => {
  const round2 = copyTable(ctx.round2);
  delete round2[server];
  return { ...ctx, round2 };
};

/** Stores the updated pending round, or runs round 2 if it is ready. */
const maybeRound2 = (
  ctx: SchedulerContext,
  server: StageId,
  pending: PendingRound2,
  effects: Effect[],
): SchedulerContext => {
  if (!round2Ready(pending, ctx.progressRv))
    return { ...ctx, round2: { ...ctx.round2, [server]: pending } };
  const quorum = Object.keys(pending.reads).length > 0;
  return round2Step(
    abandon(ctx, server),
    server,
    pending.snapshot,
    quorum ? pending : null,
    effects,
  );
};

const round2Step = (
  ctx: SchedulerContext,
  server: StageId,
  snapshot: readonly LinkEntry[],
  reads: PendingRound2 | null,
  effects: Effect[],
): SchedulerContext => {
  const sw = ctx.input.config.switches;
  const ck = (key: PodKey) => cacheKey(sw, key);
  const r = planPodRound2({
    snapshot,
    held: heldOn(ctx, server),
    holds: (key) => ctx.pods[ck(key)] !== undefined,
    informerShows: (key) => ctx.informer.pods[key] !== undefined,
    persisted: (key) =>
      reads ? readShowsPersisted(reads, key) : ctx.informer.pods[key] !== undefined,
    lostIdentity: sw.lostIdentity,
    // The kubelet let go of a pod whose owner is gone: its slot is free, nothing re-sends it.
    resendable: (held) => !ownerKnownGone(ctx.informer, held.ownerUid, held.templateRv),
  });
  const pods = copyTable(ctx.pods);
  // Adopt what the informer does not show yet: until it does, only this entry counts the slot.
  // Only what the informer handler would keep (found by kd check: a Deployment deleted during
  // the handshake left the entry assumed for good before adopted entries were re-validated).
  const keep = stillHeld(ctx.informer, sw.holdSlotUntilFreed);
  for (const entry of r.adopt) {
    const held: HeldPod = { ...entry, node: nodeOf(server), state: 'assumed' };
    if (keep(held)) pods[ck(entry.key)] = held;
  }
  // Forget what the kubelet lost: the ReplicaSet controller replaces it under a fresh name.
  for (const entry of r.lost) delete pods[ck(entry.key)];
  return finish({ ...ctx, pods }, server, r.plan, effects).context;
};

const finish = (
  ctx: SchedulerContext,
  server: StageId,
  plan: Parameters<typeof finishRound1>[1],
  effects: Effect[],
): Step => {
  const link = ctx.clients[server];
  if (!link) return { context: ctx, effects };
  const s = finishRound1(link, plan);
  effects.push(...s.effects);
  return { context: { ...ctx, clients: { ...ctx.clients, [server]: s.link } }, effects };
};

/** S_U for one kubelet: the pods assumed on its node. */
export const heldOn = (ctx: SchedulerContext, server: StageId): HeldPod[] =>
  Object.values(ctx.pods).filter((held) => held.node === nodeOf(server));
