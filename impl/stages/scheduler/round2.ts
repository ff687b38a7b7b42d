/**
 * The scheduler's round 2 towards one kubelet: adopt what the kubelet holds and the
 * scheduler lost, forget (`lostIdentity: recreate`) or re-send (`reuse`) what the kubelet
 * lost. Whether a lost pod is in fact persisted is read from the informer or, with
 * `round2Read: quorum`, from the API with one GET per pod (the reply waits for the answers).
 */
import type { PodKey, StageId } from '../../../spec/types/ids.js';
import type { HandshakeReply, LinkEntry } from '../../../spec/types/messages.js';
import { cacheKey } from '../common/informer.js';
import type { Effect } from '../io.js';
import {
  acceptReply,
  finishRound1,
  type PendingRound2,
  planPodRound2,
  readShowsPersisted,
  readsDone,
  recordRead,
  runsRound2,
  startReads,
  unreported,
} from '../link/index.js';
import type { HeldPod, SchedulerContext, Step } from './context.js';
import { nodeOf, stillHeld } from './context.js';

export const onHandshakeReply = (ctx: SchedulerContext, reply: HandshakeReply): Step => {
  const link = ctx.clients[reply.source];
  const sw = ctx.input.config.switches;
  if (!link) return { context: ctx, effects: [] };
  const verdict = acceptReply(link, reply, sw);
  const effects = [...verdict.effects];
  if (!verdict.accepted || link.epoch === null) return { context: ctx, effects };
  if (!runsRound2(sw)) return finish(ctx, reply.source, null, effects);
  const lost = unreported(reply.snapshot, heldOn(ctx, reply.source)).map((h) => h.key);
  if (sw.round2Read === 'informer' || lost.length === 0) {
    return round2(ctx, reply.source, reply.snapshot, null, effects);
  }
  // Quorum reads: one GET per pod the kubelet did not report; round 2 waits for them all.
  let next: SchedulerContext = {
    ...ctx,
    round2: { ...ctx.round2, [reply.source]: startReads(link.epoch, reply.snapshot, lost) },
  };
  for (const key of lost) {
    const id = next.nextRequest;
    effects.push({ type: 'api', id, intent: { op: 'get', kind: 'Pod', key } });
    next = { ...next, nextRequest: id + 1 };
  }
  return { context: next, effects };
};

/** A quorum read answered; an outage abandons the round (the retry timer re-handshakes). */
export const onRead = (
  ctx: SchedulerContext,
  key: PodKey,
  outcome: 'present' | 'absent' | 'outage',
): Step => {
  let next = ctx;
  const effects: Effect[] = [];
  for (const [server, pending] of Object.entries(ctx.round2) as [StageId, PendingRound2][]) {
    if (pending.reads[key] !== 'pending') continue;
    const link = next.clients[server];
    const current = link?.phase === 'handshaking' && link.epoch === pending.epoch;
    const round2 = { ...next.round2 };
    delete round2[server];
    if (!current || outcome === 'outage') {
      next = { ...next, round2 };
      continue;
    }
    const read = recordRead(pending, key, outcome === 'present');
    if (!readsDone(read)) {
      next = { ...next, round2: { ...next.round2, [server]: read } };
      continue;
    }
    const done = round2Step({ ...next, round2 }, server, read.snapshot, read, effects);
    next = done;
  }
  return { context: next, effects };
};

const round2 = (
  ctx: SchedulerContext,
  server: StageId,
  snapshot: readonly LinkEntry[],
  reads: PendingRound2 | null,
  effects: Effect[],
): Step => ({ context: round2Step(ctx, server, snapshot, reads, effects), effects });

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
  });
  const pods = { ...ctx.pods };
  // Adopt what the informer does not show yet: until it does, only this entry counts the slot.
  // Only what the informer handler would keep: no later informer event would drop it (found
  // by kd check: a Deployment deleted during the handshake left the entry assumed for good).
  const keep = stillHeld(ctx.informer);
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
