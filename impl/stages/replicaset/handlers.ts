/**
 * The ReplicaSet controller's handlers, one per incoming event kind: informer delivery, API
 * answers, the Deployment controller's messages (server end), the scheduler's handshake
 * reply (client end, round 2). `machine.ts` routes events to them.
 */

import type { Draft } from 'immer';
import type { ObjectKey, Uid } from '../../../spec/types/ids.js';
import type { CountEntry, DataMessage, LinkEntry, Sync } from '../../../spec/types/messages.js';
import { isSync } from '../../../spec/types/messages.js';
import type { Effect, StageEvent } from '../io.js';
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
  unreported,
  withRecreated,
} from '../link/index.js';
import { armRecheck } from '../upstream/client.js';
import {
  cacheKeyOf,
  onInformerEvent,
  onProgress,
  plain,
  RETRY_MS,
  request,
  templateOf,
  withEntry,
} from '../upstream/core.js';
import { noteWrite } from '../upstream/written.js';
import {
  createsDirectly,
  liveOf,
  type RequestedPod,
  type RsDraft,
  requestedDraft,
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

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Message = Ev<'message'>['message'];
const RESYNC_TIMER = 'replicaset.resync';

/**
 * Level-triggered: every ReplicaSet towards its target, on its path. A `fallback-scaling`
 * ReplicaSet creates its pods on the API path; its count still arrives directly and is
 * written back on either path.
 */
export const reconcile = (d: RsDraft, out: Effect[]): void => {
  if (d.phase !== 'serving') return;
  for (const key of Object.keys(d.cache.replicaSets).sort()) {
    const rs = d.cache.replicaSets[key];
    if (!rs || rs.deleting) continue;
    if (createsDirectly(d, rs)) reconcileDirect(d, rs, out);
    else {
      writeBack(d, rs.key, out);
      reconcileVanilla(d, rs, out);
    }
    writeStatus(d, rs, out);
  }
  settleUnknownOwners(d, out);
  armRecheck(d, Object.keys(d.requested).length + Object.keys(d.expected).length > 0, out);
};

/** Informer delivery: evict what is persisted, drop what belongs to deleted ReplicaSets. */
export const onInformer = (
  d: RsDraft,
  e: Ev<'informer.upsert' | 'informer.delete'>,
  out: Effect[],
): void => {
  const o = e.object;
  const before = o.kind === 'Pod' ? plain(d.cache.pods)[o.view.key] : undefined;
  onInformerEvent(d, e);
  if (o.kind === 'Pod') {
    const added = e.type === 'informer.upsert' && before?.uid !== o.view.uid;
    const gone = (e.type === 'informer.delete' || o.view.deleting) && before?.deleting === false;
    // A pod the direct path requested meets none of the API path's expectations: counting
    // it let a sync that outlived a label flip create the whole rest again (the fuzzer).
    const direct = added && observePod(d, o.view.key, o.view.ownerKey);
    if ((added && !direct) || gone) observeVanilla(d, o.view.ownerKey, o.view.key, added);
  }
  if (o.kind === 'ReplicaSet') {
    const rs = d.cache.replicaSets[o.view.key];
    const held = d.desired[o.view.key];
    if (held && (!rs || rs.replicasVersion >= held.version)) delete d.desired[o.view.key];
    if (!rs) dropOwner(d, o.view.key, o.view.uid);
  }
  reconcile(d, out);
};

/**
 * A pod persisted: its requested entry is written back; a count-form expectation is met.
 * True when the pod was the direct path's (requested by name or by count).
 */
const observePod = (d: RsDraft, key: string, ownerKey: ObjectKey): boolean => {
  const ck = cacheKeyOf(d.input.config, key);
  // Replaced, not changed through the draft: `liveOf` reads the whole record in this step.
  const requested = plain(d.requested)[ck]?.key === key;
  if (requested)
    d.requested = withEntry<RequestedPod>(d.requested, ck, undefined) as typeof d.requested;
  const expected = d.expected[ownerKey];
  if (expected === undefined) return requested;
  if (expected <= 1) delete d.expected[ownerKey];
  else d.expected[ownerKey] = expected - 1;
  return true;
};

const dropOwner = (d: RsDraft, key: ObjectKey, uid: Uid): void => {
  for (const [ck, held] of Object.entries(d.requested))
    if (held.ownerUid === uid) delete requestedDraft(d)[ck];
  delete d.expected[key];
  delete d.vanilla[key];
};

export const onApiDone = (d: RsDraft, e: Ev<'api.done'>, out: Effect[]): void => {
  const intent = d.pending[e.id];
  if (!intent) return;
  delete d.pending[e.id];
  const { outcome } = e;
  if (intent.op === 'get' && intent.kind === 'Pod') return void onRead(d, intent.key, e, out);
  if (intent.op === 'readResourceVersion') return void onBarrier(d, intent.epoch, e.rv, out);
  if (intent.op === 'get' && intent.kind === 'ReplicaSet') {
    if (outcome === 'notFound') delete d.desired[intent.key];
    if (outcome === 'ok') d.seenByGet[intent.key] = true;
  }
  if (intent.op === 'scaleReplicaSet') {
    const held = d.desired[intent.key];
    // Only the count this request carried is written: a newer one that arrived while it was
    // in flight still has to be. A conflict (the precondition: the ReplicaSet changed since
    // the cached copy) writes nothing; the resync decides again on a fresher copy.
    const same = held?.version === intent.version && held.replicas === intent.replicas;
    if (held && same && outcome === 'ok') held.written = true;
    if (outcome === 'notFound') delete d.desired[intent.key];
  }
  if (intent.op === 'replicaSetStatus') {
    const status = `${intent.replicas}/${intent.readyReplicas}`;
    noteWrite(d.statusWritten, intent.key, status, outcome === 'ok', e.object);
  }
  const created = e.object?.kind === 'Pod' ? e.object.view.rv : undefined;
  onVanillaDone(d, intent, outcome, created, out);
  // A delete refused on its precondition was ranked on a stale copy: ranking again at once
  // would pick the same pod on the same copy, so it waits for the informer or the resync.
  const staleVictim = intent.op === 'deletePod' && outcome === 'precondition';
  if (outcome === 'outage' || outcome === 'conflict' || staleVictim)
    out.push({ type: 'timer.set', name: RESYNC_TIMER, afterMs: RETRY_MS });
  if (!staleVictim) reconcile(d, out);
};

// ---- server end of deployment -> replicaset -------------------------------------------

export const onServerMessage = (d: RsDraft, m: Message, out: Effect[]): void => {
  const switches = d.input.config.switches;
  if (m.type === 'replicaset.handshake') {
    // Bottom-up recovery: answer only once the scheduler link is up (topDown: once synced).
    if (!answersHandshakes(d.phase, switches)) return void out.push(notReady(d.input.id, m));
    const step = onHandshake(d.server, d.input.id, m, snapshotOf(d), switches);
    d.server = step.links as Draft<typeof step.links>;
    out.push(...step.effects);
    return;
  }
  if (m.type !== 'replicaset.scale' && m.type !== 'replicaset.sync') return;
  const a = admit(d.server, d.input.id, m, switches);
  d.server = a.links as Draft<typeof a.links>;
  out.push(...a.effects);
  if (a.verdict === 'apply') applyData(d, m, out);
};

/** `fence: none`: an admitted message is applied on its own timer, after admission. */
export const onApplyTimer = (d: RsDraft, e: Ev<'timer'>, out: Effect[]): void => {
  const source = sourceOfApplyTimer(e.name);
  if (source === null) return;
  const step = takeQueued(d.server, source);
  d.server = step.links as Draft<typeof step.links>;
  out.push(...step.effects);
  if (step.message) applyData(d, step.message, out);
};

const applyData = (d: RsDraft, m: DataMessage | Sync, out: Effect[]): void => {
  out.push(applyEvent(d.server, d.input.id, m));
  if (m.type === 'replicaset.scale') acceptCount(d, m.entry);
  if (isSync(m)) {
    d.upstreamSynced = true;
    for (const key of m.discard) delete d.desired[key];
    for (const entry of m.entries) if (entry.kind === 'count') acceptCount(d, entry);
    out.push(syncAck(m));
  }
  reconcile(d, out);
};

/** Dirty entries that came from the Deployment controller: counts not yet written back. */
const snapshotOf = (d: RsDraft): CountEntry[] =>
  Object.keys(d.desired)
    .sort()
    .flatMap((k) => {
      const held = d.desired[k];
      return held
        ? [{ kind: 'count', key: k, replicas: held.replicas, version: held.version }]
        : [];
    });

/** Absolute counts: the newest version wins, against the cache and the persisted annotation. */
const acceptCount = (d: RsDraft, entry: CountEntry): void => {
  const persisted = d.cache.replicaSets[entry.key]?.replicasVersion ?? 0;
  const held = d.desired[entry.key];
  if (entry.version <= Math.max(held?.version ?? 0, persisted)) return;
  d.desired[entry.key] = { ...entry, written: false };
  delete d.seenByGet[entry.key];
};

// ---- client end of replicaset -> scheduler: round 2 -----------------------------------

/**
 * Round 1 answered: round 2 waits until the informers have passed the API's resourceVersion
 * read after the reply and (`round2Read: quorum`) one GET per held pod the scheduler did not
 * report has answered.
 */
export const onReply = (d: RsDraft, m: Message, out: Effect[]): void => {
  if (m.type !== 'replicaset.handshakeReply') return;
  const switches = d.input.config.switches;
  const verdict = acceptReply(d.link, m, switches);
  out.push(...verdict.effects);
  const epoch = d.link.epoch;
  if (!verdict.accepted || epoch === null) return;
  if (!runsRound2(switches)) return void finish(d, null, out);
  const quorum = switches.round2Read === 'quorum' && switches.schedulePodsPayload === 'names';
  const held = quorum ? unreported(m.snapshot, Object.values(d.requested)).map((p) => p.key) : [];
  d.reads = startReads(epoch, m.snapshot, held) as Draft<PendingRound2>;
  request(d, { op: 'readResourceVersion', key: d.link.id, epoch }, out);
  for (const key of held) request(d, { op: 'get', kind: 'Pod', key }, out);
};

/** The pending round 2 of the current handshake (plain), if the link still waits for it. */
const waiting = (d: RsDraft): PendingRound2 | null =>
  d.reads && d.reads.epoch === d.link.epoch && d.link.phase === 'handshaking'
    ? (plain(d.reads) as PendingRound2)
    : null;

/** A quorum GET of a pod answered. A failed read leaves the round to the retry timer. */
const onRead = (d: RsDraft, key: string, e: Ev<'api.done'>, out: Effect[]): void => {
  const reads = waiting(d);
  if (!reads || (e.outcome !== 'ok' && e.outcome !== 'notFound')) return;
  d.reads = recordRead(reads, key, e.outcome === 'ok') as Draft<PendingRound2>;
  maybeRound2(d, out);
};

/** The resourceVersion read answered (a failure leaves the round to the retry timer). */
const onBarrier = (d: RsDraft, epoch: string, rv: number | undefined, out: Effect[]): void => {
  const reads = waiting(d);
  if (!reads || reads.epoch !== epoch || rv === undefined) return;
  d.reads = recordBarrier(reads, rv) as Draft<PendingRound2>;
  maybeRound2(d, out);
};

/** Informer progress: round 2 may now run. */
export const onInformerProgress = (d: RsDraft, rv: number, out: Effect[]): void => {
  onProgress(d, rv);
  maybeRound2(d, out);
  if (settleAllUnseen(d)) reconcile(d, out);
};

const maybeRound2 = (d: RsDraft, out: Effect[]): void => {
  const reads = waiting(d);
  if (!reads || !round2Ready(reads, d.progressRv)) return;
  d.reads = null;
  if (d.input.config.switches.schedulePodsPayload === 'count')
    return void countRound2(d, reads.snapshot, out);
  const quorum = Object.keys(reads.reads).length > 0;
  podRound2(d, reads.snapshot, quorum ? reads : null, out);
};

/** Adopt, forget and replace (or re-send) lost identities, discard orphans. */
const podRound2 = (
  d: RsDraft,
  snapshot: readonly LinkEntry[],
  reads: PendingRound2 | null,
  out: Effect[],
): void => {
  const config = d.input.config;
  const owners = new Set(Object.values(d.cache.replicaSets).map((rs) => rs.uid));
  const r = planPodRound2({
    snapshot,
    // Plain copies: entries of the plan leave the step in a message.
    held: Object.values(d.requested).map(({ state: _s, ...entry }) => entry),
    holds: (k) => d.requested[cacheKeyOf(config, k)] !== undefined,
    // Adopt whatever the informer does not show (model-decisions §2).
    informerShows: (k) => d.cache.pods[k] !== undefined,
    persisted: (k) => (reads ? readShowsPersisted(reads, k) : d.cache.pods[k] !== undefined),
    ownerGone: (entry) => !owners.has(entry.ownerUid),
    lostIdentity: config.switches.lostIdentity,
  });
  for (const entry of r.adopt)
    requestedDraft(d)[cacheKeyOf(config, entry.key)] = { ...entry, node: null, state: 'requested' };
  const lostBy = new Map<Uid, number>();
  for (const held of r.lost) {
    delete requestedDraft(d)[cacheKeyOf(config, held.key)];
    lostBy.set(held.ownerUid, (lostBy.get(held.ownerUid) ?? 0) + 1);
  }
  let plan = r.plan;
  for (const [uid, lost] of [...lostBy].sort()) plan = replaceLost(d, uid, lost, plan);
  finish(d, plan, out);
};

/** Fresh names for lost identities, as far as the desired count still wants them. */
const replaceLost = (d: RsDraft, uid: Uid, lost: number, plan: Round2Plan): Round2Plan => {
  const rs = Object.values(d.cache.replicaSets).find((r) => r.uid === uid);
  const template = rs && templateOf(d.cache, rs.uid);
  if (!rs || !template) return plan;
  const count = Math.min(lost, targetOf(d, rs) - liveOf(d, rs));
  if (count <= 0) return plan;
  const fresh = mintPods(d, rs, template.rv, count).map(
    ({ state: _s, ...entry }): LinkEntry => entry,
  );
  return withRecreated(plan, fresh);
};

/** Count form: the scheduler's snapshot is the only record of what is in flight. */
const countRound2 = (d: RsDraft, snapshot: readonly LinkEntry[], out: Effect[]): void => {
  const counts: Record<string, number> = {};
  for (const entry of snapshot)
    if (entry.kind === 'pod') counts[entry.ownerKey] = (counts[entry.ownerKey] ?? 0) + 1;
  d.expected = counts;
  finish(d, emptyPlan, out);
};

const finish = (d: RsDraft, plan: Round2Plan | null, out: Effect[]): void => {
  const step = finishRound1(d.link, plan);
  d.link = step.link as Draft<typeof step.link>;
  out.push(...step.effects);
};
