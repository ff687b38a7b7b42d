/**
 * The ReplicaSet controller's handlers, one per incoming event kind: informer delivery, API
 * answers, the Deployment controller's messages (server end), the scheduler's handshake
 * reply (client end, round 2). `machine.ts` routes events to them.
 */

import type { ObjectKey, Uid } from '../../../spec/types/ids.js';
import type { CountEntry, DataMessage, LinkEntry, Sync } from '../../../spec/types/messages.js';
import { isSync } from '../../../spec/types/messages.js';
import { armRecheck } from '../controller/client-link.js';
import {
  answered,
  onInformerChange,
  onProgress,
  RETRY_MS,
  requestAll,
  withKey,
} from '../controller/context.js';
import { cacheKey, replicaSetOfUid, templateOf } from '../controller/informer.js';
import { collect, none, type Step } from '../controller/step.js';
import { copyTable } from '../controller/tables.js';
import { noteWrite } from '../controller/written.js';
import type { ApiIntent, Effect, StageEvent } from '../io.js';
import {
  acceptReply,
  admit,
  answersHandshakes,
  applyEvent,
  emptyPlan,
  finishRound1,
  notReady,
  onHandshake,
  type PendingRound2,
  planPodRound2,
  type Round2Plan,
  readShowsPersisted,
  recordBarrier,
  recordRead,
  round2Ready,
  runsRound2,
  sourceOfApplyTimer,
  startReads,
  syncAck,
  takeQueued,
  underway,
  unreported,
  withRecreated,
} from '../link/index.js';
import {
  createsDirectly,
  holdsDirty,
  liveOf,
  type ReplicaSetContext,
  targetOf,
} from './context.js';
import {
  mintPods,
  reconcileDirect,
  settleUnknownOwners,
  writeBack,
  writeStatus,
} from './direct.js';
import { observeVanilla, onVanillaDone, reconcileVanilla, settleAllUnseen } from './vanilla.js';

type Ctx = ReplicaSetContext;

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;

type Message = Ev<'message'>['message'];

const RESYNC_TIMER = 'replicaset.resync';

// ── Own work ─────────────────────────────────────────────────────────────────────────────────
// The work on each path is in direct.ts and vanilla.ts.

/**
 * Level-triggered: every ReplicaSet towards its target, on its path. A `fallback-scaling`
 * ReplicaSet creates its pods on the API path; its count still arrives directly and is
 * written back on either path.
 */
export const reconcile = (c: Ctx, out: Effect[]): Ctx => {
  if (c.phase !== 'serving') return c;
  let next = c;
  for (const key of Object.keys(c.informer.replicaSets).sort()) {
    const rs = next.informer.replicaSets[key];
    if (!rs || rs.deleting) continue;
    if (createsDirectly(next, rs)) next = reconcileDirect(next, rs, out);
    else next = reconcileVanilla(writeBack(next, rs.key, out), rs, out);
    next = writeStatus(next, rs, out);
  }
  next = settleUnknownOwners(next, out);
  armRecheck(next, holdsDirty(next), out);
  return next;
};

export const onApiDone = (c: Ctx, e: Ev<'api.done'>): Step<Ctx> => {
  const intent = c.pending[e.id];
  if (!intent) return none(c);
  return collect((out) => onAnswer(answered(c, e.id), intent, e, out));
};

const onAnswer = (c: Ctx, intent: ApiIntent, e: Ev<'api.done'>, out: Effect[]): Ctx => {
  const { outcome } = e;
  if (intent.op === 'get' && intent.kind === 'Pod') return onRead(c, intent.key, e, out);
  if (intent.op === 'readResourceVersion') return onBarrier(c, intent.epoch, e.rv, out);
  let next = c;
  if (intent.op === 'get' && intent.kind === 'ReplicaSet') {
    if (outcome === 'notFound')
      next = { ...next, desired: withKey(next.desired, intent.key, undefined) };
    if (outcome === 'ok') next = { ...next, seenByGet: withKey(next.seenByGet, intent.key, true) };
  }
  if (intent.op === 'scaleReplicaSet') {
    const held = next.desired[intent.key];
    // Only the count this request carried is written: a newer one that arrived while it was
    // in flight still has to be. A conflict (the precondition: the ReplicaSet changed since
    // the cached copy) writes nothing; the resync decides again on a fresher copy.
    const same = held?.version === intent.version && held.replicas === intent.replicas;
    if (held && same && outcome === 'ok')
      next = { ...next, desired: withKey(next.desired, intent.key, { ...held, written: true }) };
    if (outcome === 'notFound')
      next = { ...next, desired: withKey(next.desired, intent.key, undefined) };
  }
  if (intent.op === 'replicaSetStatus') {
    const status = `${intent.replicas}/${intent.readyReplicas}`;
    const ok = outcome === 'ok';
    const statusWritten = noteWrite(next.statusWritten, intent.key, status, ok, e.object);
    next = { ...next, statusWritten };
  }
  const created = e.object?.kind === 'Pod' ? e.object.view.rv : undefined;
  next = onVanillaDone(next, intent, outcome, created, out);
  // A delete refused on its precondition was ranked on a stale copy: ranking again at once
  // would pick the same pod on the same copy, so it waits for the informer or the resync.
  const staleVictim = intent.op === 'deletePod' && outcome === 'precondition';
  if (outcome === 'outage' || outcome === 'conflict' || staleVictim)
    out.push({ type: 'timer.set', name: RESYNC_TIMER, afterMs: RETRY_MS });
  return staleVictim ? next : reconcile(next, out);
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/** Informer delivery: evict what is persisted, drop what belongs to deleted ReplicaSets. */
export const onInformer = (c: Ctx, e: Ev<'informer.upsert' | 'informer.delete'>): Step<Ctx> =>
  collect((out) => {
    const o = e.object;
    const before = o.kind === 'Pod' ? c.informer.pods[o.view.key] : undefined;
    let next = onInformerChange(c, e);
    if (o.kind === 'Pod') {
      const added = e.type === 'informer.upsert' && before?.uid !== o.view.uid;
      const gone = (e.type === 'informer.delete' || o.view.deleting) && before?.deleting === false;
      // A pod the direct path requested meets none of the API path's expectations: counting
      // it let a sync that outlived a label flip create the whole rest again (the fuzzer).
      const direct = added && isDirectPod(next, o.view.key, o.view.ownerKey);
      if (added) next = observePod(next, o.view.key, o.view.ownerKey);
      if ((added && !direct) || gone)
        next = observeVanilla(next, o.view.ownerKey, o.view.key, added);
    }
    if (o.kind === 'ReplicaSet') {
      const rs = next.informer.replicaSets[o.view.key];
      const held = next.desired[o.view.key];
      if (held && (!rs || rs.replicasVersion >= held.version))
        next = { ...next, desired: withKey(next.desired, o.view.key, undefined) };
      if (!rs) next = dropOwner(next, o.view.key, o.view.uid);
    }
    return reconcile(next, out);
  });

/** Was this persisted pod the direct path's (requested by name or by count)? */
const isDirectPod = (c: Ctx, key: string, ownerKey: ObjectKey): boolean =>
  c.requested[cacheKey(c.input.config.switches, key)]?.key === key ||
  c.expected[ownerKey] !== undefined;

/** A pod persisted: its requested entry is written back; a count-form expectation is met. */
const observePod = (c: Ctx, key: string, ownerKey: ObjectKey): Ctx => {
  const ck = cacheKey(c.input.config.switches, key);
  let next = c;
  if (c.requested[ck]?.key === key)
    next = { ...next, requested: withKey(next.requested, ck, undefined) };
  const expected = next.expected[ownerKey];
  if (expected === undefined) return next;
  return {
    ...next,
    expected: withKey(next.expected, ownerKey, expected <= 1 ? undefined : expected - 1),
  };
};

const dropOwner = (c: Ctx, key: ObjectKey, uid: Uid): Ctx => {
  const orphans = Object.keys(c.requested).filter((ck) => c.requested[ck]?.ownerUid === uid);
  let requested = c.requested;
  if (orphans.length > 0) {
    const kept = copyTable(c.requested);
    for (const ck of orphans) delete kept[ck];
    requested = kept;
  }
  return {
    ...c,
    requested,
    expected: withKey(c.expected, key, undefined),
    vanilla: withKey(c.vanilla, key, undefined),
  };
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

export const onServerMessage = (c: Ctx, e: Ev<'message'>): Step<Ctx> =>
  collect((out) => serverMessage(c, e.message, out));

const serverMessage = (c: Ctx, m: Message, out: Effect[]): Ctx => {
  const switches = c.input.config.switches;
  if (m.type === 'replicaset.handshake') {
    // Bottom-up recovery: answer only once the scheduler link is up (topDown: once synced).
    if (!answersHandshakes(c.phase, switches)) {
      out.push(notReady(c.input.id, m));
      return c;
    }
    const step = onHandshake(c.server, c.input.id, m, snapshotOf(c), switches);
    out.push(...step.effects);
    return { ...c, server: step.links };
  }
  if (m.type !== 'replicaset.scale' && m.type !== 'replicaset.sync') return c;
  const a = admit(c.server, c.input.id, m, switches);
  out.push(...a.effects);
  const admitted = { ...c, server: a.links };
  return a.verdict === 'apply' ? applyData(admitted, m, out) : admitted;
};

/** `fence: none`: an admitted message is applied on its own timer, after admission. */
export const onApplyTimer = (c: Ctx, e: Ev<'timer'>): Step<Ctx> => {
  const source = sourceOfApplyTimer(e.name);
  if (source === null) return none(c);
  const step = takeQueued(c.server, source);
  return collect((out) => {
    out.push(...step.effects);
    const taken = { ...c, server: step.links };
    return step.message ? applyData(taken, step.message, out) : taken;
  });
};

const applyData = (c: Ctx, m: DataMessage | Sync, out: Effect[]): Ctx => {
  out.push(applyEvent(c.server, c.input.id, m));
  let next = c;
  if (m.type === 'replicaset.scale') next = acceptCount(next, m.entry);
  if (isSync(m)) {
    next = { ...next, upstreamSynced: true };
    for (const key of m.discard) next = { ...next, desired: withKey(next.desired, key, undefined) };
    for (const entry of m.entries) if (entry.kind === 'count') next = acceptCount(next, entry);
    out.push(syncAck(m));
  }
  return reconcile(next, out);
};

/** Dirty entries that came from the Deployment controller: counts not yet written back. */
const snapshotOf = (c: Ctx): CountEntry[] =>
  Object.keys(c.desired)
    .sort()
    .flatMap((k) => {
      const held = c.desired[k];
      return held
        ? [{ kind: 'count', key: k, replicas: held.replicas, version: held.version }]
        : [];
    });

/** Absolute counts: the newest version wins, against the cache and the persisted annotation. */
const acceptCount = (c: Ctx, entry: CountEntry): Ctx => {
  const persisted = c.informer.replicaSets[entry.key]?.replicasVersion ?? 0;
  const held = c.desired[entry.key];
  if (entry.version <= Math.max(held?.version ?? 0, persisted)) return c;
  return {
    ...c,
    desired: withKey(c.desired, entry.key, { ...entry, written: false }),
    seenByGet: withKey(c.seenByGet, entry.key, undefined),
  };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/**
 * Round 1 answered: round 2 waits until the informers have passed the API's resourceVersion
 * read after the reply and (`round2Read: quorum`) one GET per held pod the scheduler did not
 * report has answered.
 */
export const onReply = (c: Ctx, e: Ev<'message'>): Step<Ctx> =>
  collect((out) => reply(c, e.message, out));

const reply = (c: Ctx, m: Message, out: Effect[]): Ctx => {
  if (m.type !== 'replicaset.handshakeReply') return c;
  const switches = c.input.config.switches;
  const verdict = acceptReply(c.link, m, switches);
  out.push(...verdict.effects);
  const epoch = c.link.epoch;
  if (!verdict.accepted || epoch === null) return c;
  if (!runsRound2(switches)) return finish(c, null, out);
  const quorum = switches.round2Read === 'quorum' && switches.schedulePodsPayload === 'names';
  const held = quorum ? unreported(m.snapshot, Object.values(c.requested)).map((p) => p.key) : [];
  const reading = { ...c, reads: startReads(epoch, m.snapshot, held) };
  return requestAll(
    reading,
    [
      { op: 'readResourceVersion', key: c.link.id, epoch },
      ...held.map((key): ApiIntent => ({ op: 'get', kind: 'Pod', key })),
    ],
    out,
  );
};

/** The pending round 2 of the current handshake, if the link still waits for it. */
const waiting = (c: Ctx): PendingRound2 | null => underway(c.reads, c.link);

/** Is round 2 still waiting for this stage's reads (`RetryReasons.round2Underway`)? */
export const readsUnderway = (c: Ctx): boolean => waiting(c) !== null;

/** A quorum GET of a pod answered. A failed read drops the round: the retry timer handshakes. */
const onRead = (c: Ctx, key: string, e: Ev<'api.done'>, out: Effect[]): Ctx => {
  const reads = waiting(c);
  if (!reads) return c;
  if (e.outcome !== 'ok' && e.outcome !== 'notFound')
    return reads.reads[key] === 'pending' ? { ...c, reads: null } : c;
  return maybeRound2({ ...c, reads: recordRead(reads, key, e.outcome === 'ok') }, out);
};

/** The resourceVersion read answered (a failure drops the round, as above). */
const onBarrier = (c: Ctx, epoch: string, rv: number | undefined, out: Effect[]): Ctx => {
  const reads = waiting(c);
  if (!reads || reads.epoch !== epoch) return c;
  if (rv === undefined) return { ...c, reads: null };
  return maybeRound2({ ...c, reads: recordBarrier(reads, rv) }, out);
};

/** Informer progress: round 2 may now run. */
export const onInformerProgress = (c: Ctx, e: Ev<'informer.progress'>): Step<Ctx> =>
  collect((out) => {
    const next = maybeRound2(onProgress(c, e.rv), out);
    const settled = settleAllUnseen(next);
    return settled ? reconcile(settled, out) : next;
  });

const maybeRound2 = (c: Ctx, out: Effect[]): Ctx => {
  const reads = waiting(c);
  if (!reads || !round2Ready(reads, c.progressRv)) return c;
  const next = { ...c, reads: null };
  if (c.input.config.switches.schedulePodsPayload === 'count')
    return countRound2(next, reads.snapshot, out);
  const quorum = Object.keys(reads.reads).length > 0;
  return podRound2(next, reads.snapshot, quorum ? reads : null, out);
};

/** Adopt, forget and replace (or re-send) lost identities, discard orphans. */
const podRound2 = (
  c: Ctx,
  snapshot: readonly LinkEntry[],
  reads: PendingRound2 | null,
  out: Effect[],
): Ctx => {
  const config = c.input.config;
  const key = (k: string) => cacheKey(config.switches, k);
  const owners = new Set(Object.values(c.informer.replicaSets).map((rs) => rs.uid));
  const r = planPodRound2({
    snapshot,
    // Copies without `state`: entries of the plan leave the step in a message.
    held: Object.values(c.requested).map(({ state: _s, ...entry }) => entry),
    holds: (k) => c.requested[key(k)] !== undefined,
    // Adopt whatever the informer does not show (model-decisions §2).
    informerShows: (k) => c.informer.pods[k] !== undefined,
    persisted: (k) => (reads ? readShowsPersisted(reads, k) : c.informer.pods[k] !== undefined),
    ownerGone: (entry) => !owners.has(entry.ownerUid),
    lostIdentity: config.switches.lostIdentity,
  });
  const requested = copyTable(c.requested);
  for (const entry of r.adopt)
    requested[key(entry.key)] = { ...entry, node: null, state: 'requested' };
  const lostBy = new Map<Uid, number>();
  for (const held of r.lost) {
    delete requested[key(held.key)];
    lostBy.set(held.ownerUid, (lostBy.get(held.ownerUid) ?? 0) + 1);
  }
  let next: Ctx = { ...c, requested };
  let plan = r.plan;
  for (const [uid, lost] of [...lostBy].sort()) {
    const fresh = replaceLost(next, uid, lost);
    next = fresh.context;
    if (fresh.entries.length > 0) plan = withRecreated(plan, fresh.entries);
  }
  return finish(next, plan, out);
};

/** Fresh names for lost identities, as far as the desired count still wants them. */
const replaceLost = (
  c: Ctx,
  uid: Uid,
  lost: number,
): { readonly context: Ctx; readonly entries: LinkEntry[] } => {
  const rs = replicaSetOfUid(c.informer, uid);
  const template = rs && templateOf(c.informer, rs.uid);
  if (!rs || !template) return { context: c, entries: [] };
  const count = Math.min(lost, targetOf(c, rs) - liveOf(c, rs));
  if (count <= 0) return { context: c, entries: [] };
  const minted = mintPods(c, rs, template.rv, count);
  const entries = minted.pods.map(({ state: _s, ...entry }): LinkEntry => entry);
  return { context: minted.context, entries };
};

/** Count form: the scheduler's snapshot is the only record of what is in flight. */
const countRound2 = (c: Ctx, snapshot: readonly LinkEntry[], out: Effect[]): Ctx => {
  const counts: Record<string, number> = {};
  for (const entry of snapshot)
    if (entry.kind === 'pod') counts[entry.ownerKey] = (counts[entry.ownerKey] ?? 0) + 1;
  return finish({ ...c, expected: counts }, emptyPlan, out);
};

const finish = (c: Ctx, plan: Round2Plan | null, out: Effect[]): Ctx => {
  const step = finishRound1(c.link, plan);
  out.push(...step.effects);
  return { ...c, link: step.link };
};
