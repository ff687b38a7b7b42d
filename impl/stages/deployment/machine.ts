/**
 * Deployment controller: turns each Deployment's `spec.replicas` into the desired count of
 * its ReplicaSet. Client of `deployment -> replicaset`; watches Deployments and ReplicaSets.
 *
 * Direct path (mode `direct`, ReplicaSet `managed`): send `replicaset.scale` with an
 * absolute count and version = the Deployment's generation, and hold the count (write-back
 * cache) until the informer shows `replicasVersion` at least that version. Vanilla path
 * (mode `api`, or no `managed` label): UPDATE `ReplicaSet.spec.replicas` (intent
 * `scaleReplicaSet`) and hold it until the informer shows the value. `fallback-scaling`
 * leaves this hop direct: it sends the ReplicaSet controller's pod creation to the API.
 *
 *   lifecycle:  syncing ──informer.synced──► recovering ──link connected──► serving
 *   link:       disconnected ─► handshaking ─► syncing ─► connected   (controller/client-link.ts)
 *   serving:    Deployment.replicas ≠ ReplicaSet.replicas ─► held ─scale─► … ─► evicted
 *
 * Deployment status is the sum of its ReplicaSets' status, written when it changes.
 *
 * `autoscalerLink: 'direct'` (as the model, spec/stages/deployment.ts): also the server of
 * `autoscaler -> deployment` (scale-server.ts). A held count from the
 * autoscaler is the Deployment's desired count until the informer shows it written back
 * (`scaleDeployment` with its version), and the ReplicaSet's count is then versioned by
 * (generation, count version) (`replicaSetVersion`).
 *
 * Round 2 runs only once this stage's informers have passed the API's resourceVersion, read
 * by the stage itself after accepting the reply (model-decisions §1). A ReplicaSet whose
 * template differs from its Deployment's is an old one: its target is 0.
 * Left out: rollouts (maxSurge / maxUnavailable) and creating the ReplicaSet of a new
 * template (the model starts from a created one).
 */
import { type SnapshotFrom, setup } from 'xstate';
import type { ObjectKey } from '../../../spec/types/ids.js';
import {
  type CountEntry,
  type LinkEntry,
  replicaSetVersion,
} from '../../../spec/types/messages.js';
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import {
  armRecheck,
  type ClientContext,
  clientGuards,
  clientReport,
  clientStageActions,
  linkTransitions,
  mustHandshake,
  whenConnected,
} from '../controller/client-link.js';
import {
  answered,
  controllerContext,
  inFlight,
  leaseGuards,
  onInformerChange,
  onProgress,
  RETRY_MS,
  request,
  sortedKeys,
  withKey,
  without,
} from '../controller/context.js';
import {
  type CountReads,
  countReadsUnderway,
  newCountReads,
  recordCountBarrier,
  recordCountRead,
  takeReadyReads,
} from '../controller/count-reads.js';
import { type HeldCount, planCountRound2, unsettled, writtenBack } from '../controller/counts.js';
import { deploymentOfUid, replicaSetsOwnedBy } from '../controller/informer.js';
import { withEvent, withMessage } from '../controller/step.js';
import { knownWritten, noteWrite, type Written } from '../controller/written.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import {
  acceptReply,
  finishRound1,
  newClientLink,
  runsRound2,
  serverEpochs,
} from '../link/index.js';
import {
  evictScales,
  fromAutoscaler,
  onScaleApplyTimer,
  onScaleDone,
  onScaleServerMessage,
  type ScaleServerContext,
  scaleApplyTimer,
  scaleDirty,
  writeBackScales,
} from './scale-server.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

interface DeploymentContext extends ClientContext, ScaleServerContext {
  /** The write-back cache: counts sent or written, by ReplicaSet key, until seen persisted. */
  readonly counts: Readonly<Record<ObjectKey, HeldCount>>;
  /** Deployment status this incarnation last wrote (`replicas/ready`), by Deployment key. */
  readonly statusWritten: Readonly<Record<ObjectKey, Written<string>>>;
  /** An accepted reply waiting for round 2 (its reads, `count-reads.ts`). */
  readonly reads: CountReads | null;
}

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Ctx = DeploymentContext;
type Message = Ev<'message'>['message'];

const holdsDirect = (c: DeploymentContext): boolean =>
  Object.values(c.counts).some((h) => !h.written);

/** The count the owning Deployment asks of this ReplicaSet (0 for an outdated template). */
const targetOf = (c: DeploymentContext, rs: ReplicaSetView) => {
  const owner = deploymentOfUid(c.informer, rs.ownerUid);
  if (!owner || owner.deleting) return null;
  // The generation orders the Deployment's spec changes across crashes of this controller;
  // a count held from the autoscaler is newer than the spec until written back.
  const held = c.scales[owner.key];
  const replicas = owner.templateHash === rs.templateHash ? (held?.replicas ?? owner.replicas) : 0;
  const direct = c.input.config.switches.autoscalerLink === 'direct';
  const scaleVersion = direct ? (held?.version ?? owner.replicasVersion) : null;
  return { replicas, version: replicaSetVersion(owner.generation, scaleVersion) };
};

const takesDirectPath = (c: DeploymentContext, rs: ReplicaSetView): boolean =>
  c.input.mode === 'direct' && rs.managed;

// ── Machine ──────────────────────────────────────────────────────────────────────────────────

const RESYNC_TIMER = 'deployment.resync';

export const deploymentMachine = setup({
  types: {
    context: {} as DeploymentContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    // An arrow: `reconcile` is defined below the machine.
    ...clientStageActions<Ctx>((c, out) => reconcile(c, out), holdsDirect, countReadsUnderway),
    onInformer: withEvent<Ctx, Ev<'informer.upsert' | 'informer.delete'>>((c, e, out) =>
      onInformer(c, e, out),
    ),
    onApiDone: withEvent<Ctx, Ev<'api.done'>>((c, e, out) => onApiDone(c, e, out)),
    onProgress: withEvent<Ctx, Ev<'informer.progress'>>((c, e, out) =>
      maybeRound2(onProgress(c, e.rv), out),
    ),
    onResync: withEvent<Ctx>((c, _e, out) => reconcile(c, out)),
    onReply: withMessage<Ctx>((c, m, out) => whenConnected(c, onReply(c, m, out), reconcile, out)),
    onServerMessage: withMessage<Ctx>((c, m, out) => onScaleServerMessage(c, m, out, reconcile)),
    onApplyTimer: withEvent<Ctx, Ev<'timer'>>((c, e, out) =>
      onScaleApplyTimer(c, e, out, reconcile),
    ),
  },
  guards: {
    ...clientGuards(RESYNC_TIMER),
    ...leaseGuards,
    fromUpstream: ({ context, event }) => fromAutoscaler(context, event),
    applyTimer: ({ event }) => scaleApplyTimer(event),
  },
}).createMachine({
  id: 'deployment',
  type: 'parallel',
  context: ({ input }) => ({
    ...controllerContext(input),
    phase: 'syncing',
    link: newClientLink(input.id, input.downstream[0] ?? 'replicaset'),
    epochs: 0,
    counts: {},
    statusWritten: {},
    reads: null,
    server: {},
    scales: {},
  }),
  on: {
    'informer.upsert': { actions: 'onInformer' },
    'informer.delete': { actions: 'onInformer' },
    start: { actions: 'onLease' },
    'api.done': [{ guard: 'leaseAnswer', actions: 'onLease' }, { actions: 'onApiDone' }],
    'informer.progress': { actions: 'onProgress' },
    message: linkTransitions.message,
    timer: [{ guard: 'leaseTimer', actions: 'onLease' }, ...linkTransitions.timer],
    'link.down': linkTransitions['link.down'],
  },
  always: mustHandshake,
  states: {
    lifecycle: {
      initial: 'syncing',
      states: {
        // Out of `syncing` once the informers listed and the Lease is held (lease.ts).
        syncing: {
          on: { 'informer.synced': { actions: 'markSynced' } },
          always: { guard: 'leasedAndSynced', target: 'recovering', actions: 'onSynced' },
        },
        recovering: { always: { guard: 'connected', target: 'serving', actions: 'onServing' } },
        serving: { on: { timer: { guard: 'resyncTimer', actions: 'onResync' } } },
      },
    },
    server: {
      initial: 'listening',
      states: {
        listening: {
          on: {
            message: { guard: 'fromUpstream', actions: 'onServerMessage' },
            timer: { guard: 'applyTimer', actions: 'onApplyTimer' },
          },
        },
      },
    },
  },
});

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

/** Level-triggered: every ReplicaSet towards its target, then Deployment status. */
const reconcile = (c: Ctx, out: Effect[]): Ctx => {
  if (c.phase !== 'serving') return c;
  let next = writeBackScales(c, out);
  for (const key of sortedKeys(next.informer.replicaSets)) {
    const rs = next.informer.replicaSets[key];
    if (rs) next = scaleOne(next, rs, out);
  }
  next = writeStatuses(next, out);
  armRecheck(next, holdsDirect(next), out);
  return next;
};

/**
 * What the reconcile does for one ReplicaSet: nothing, a direct `replicaset.scale`, or a
 * write through the API.
 */
const decideScale = (
  c: Ctx,
  rs: ReplicaSetView,
): {
  readonly via: 'direct' | 'api';
  readonly replicas: number;
  readonly version: number;
} | null => {
  const target = targetOf(c, rs);
  if (target === null) return null;
  const { replicas, version } = target;
  if (replicas === rs.replicas || c.counts[rs.key]?.replicas === replicas) return null;
  // The ReplicaSet already shows this version with another count (a user's `kubectl
  // scale`): the ReplicaSet controller would drop a direct count that is not newer, so the
  // correction goes through the API, which has precedence (found by the fuzzer).
  // With the direct autoscaler link a newer version on the ReplicaSet is a count this
  // controller lost in a crash, not a user's edit: the autoscaler re-sends it; wait for it
  // rather than put the ReplicaSet back to the older spec (found by kd check).
  const direct = c.input.config.switches.autoscalerLink === 'direct';
  if (direct && rs.replicasVersion > version) return null;
  const overwritten = rs.replicasVersion >= version;
  const via = takesDirectPath(c, rs) && !overwritten ? 'direct' : 'api';
  return { via, replicas, version };
};

const scaleOne = (c: Ctx, rs: ReplicaSetView, out: Effect[]): Ctx => {
  const decision = decideScale(c, rs);
  if (decision === null) return c;
  const { replicas, version } = decision;
  if (decision.via === 'api') {
    // Decided on the cached copy: with the precondition, a write of a crashed predecessor
    // still on the wire cannot land over a newer one (a 409 resyncs on a fresher copy).
    const precondition = c.input.config.switches.writeBackPrecondition
      ? { resourceVersion: rs.rv }
      : {};
    if (inFlight(c, 'scaleReplicaSet', rs.key)) return c;
    return request(
      c,
      { op: 'scaleReplicaSet', key: rs.key, replicas, version, ...precondition },
      out,
    );
  }
  if (c.link.phase !== 'connected' || c.link.epoch === null) return c;
  const entry = { kind: 'count', key: rs.key, replicas, version } as const;
  out.push({
    type: 'send',
    message: {
      type: 'replicaset.scale',
      source: c.input.id,
      destination: c.link.server,
      epoch: c.link.epoch,
      entry,
    },
  });
  return { ...c, counts: { ...c.counts, [rs.key]: { ...entry, written: false } } };
};

/** Deployment status: the sum over its ReplicaSets, written when it changed. */
const writeStatuses = (c: Ctx, out: Effect[]): Ctx => {
  // Off only as an injected defect (mutant `no-deployment-status`).
  if (!c.input.config.switches.writeDeploymentStatus) return c;
  let next = c;
  for (const key of sortedKeys(c.informer.deployments)) {
    const dep = c.informer.deployments[key];
    if (!dep || dep.deleting) continue;
    let replicas = 0;
    let readyReplicas = 0;
    for (const rs of replicaSetsOwnedBy(c.informer, dep.uid)) {
      replicas += rs.status.replicas;
      readyReplicas += rs.status.readyReplicas;
    }
    const status = `${replicas}/${readyReplicas}`;
    const shown = `${dep.status.replicas}/${dep.status.readyReplicas}`;
    if (knownWritten(next.statusWritten[key], status, shown, dep.rv)) continue;
    if (inFlight(next, 'deploymentStatus', key)) continue;
    next = request(next, { op: 'deploymentStatus', key, replicas, readyReplicas }, out);
  }
  return next;
};

const onApiDone = (c: Ctx, e: Ev<'api.done'>, out: Effect[]): Ctx => {
  const intent = c.pending[e.id];
  if (!intent) return c;
  const ok = e.outcome === 'ok';
  const next = onScaleDone(answered(c, e.id), intent, e, out);
  // The GET of a held count's Deployment (scale-server.ts) acted on its answer; a
  // failed one is asked again on the resync, not at once (no loop while the API is down).
  if (intent.op === 'get' && intent.kind === 'Deployment') {
    if (!ok && e.outcome !== 'notFound') retryLater(out);
    return next;
  }
  if (intent.op === 'get') {
    // A failed read drops the round: the retry timer handshakes again.
    if (!ok && e.outcome !== 'notFound') return recordCountRead(next, intent.key, null);
    const version = e.object?.kind === 'ReplicaSet' ? e.object.view.replicasVersion : 0;
    return maybeRound2(recordCountRead(next, intent.key, version), out);
  }
  if (intent.op === 'readResourceVersion')
    return maybeRound2(recordCountBarrier(next, intent.epoch, e.rv), out);
  const written = onWriteDone(next, intent, e);
  // An outage or a conflict: try again later; a missing object needs nothing more.
  if (!ok && e.outcome !== 'notFound') retryLater(out);
  return reconcile(written, out);
};

const retryLater = (out: Effect[]): void => {
  out.push({ type: 'timer.set', name: RESYNC_TIMER, afterMs: RETRY_MS });
};

/** A ReplicaSet scale or a Deployment status written through the API: remember it. */
const onWriteDone = (c: Ctx, intent: Ev<'api.done'>['intent'], e: Ev<'api.done'>): Ctx => {
  const ok = e.outcome === 'ok';
  if (intent.op === 'scaleReplicaSet' && ok) {
    // Held until the informer shows it, unless it already does, or already shows the
    // ReplicaSet gone: an answer that comes after the ReplicaSet's deletion was delivered
    // would otherwise be held forever (found by the fuzzer).
    const held: HeldCount = { ...count(intent), written: true };
    const seen = writtenBack(held, c.informer.replicaSets[intent.key]);
    return { ...c, counts: withKey(c.counts, intent.key, seen ? undefined : held) };
  }
  if (intent.op === 'deploymentStatus') {
    const status = `${intent.replicas}/${intent.readyReplicas}`;
    const memory = noteWrite(c.statusWritten, intent.key, status, ok, e.object);
    return { ...c, statusWritten: memory };
  }
  return c;
};

const count = (i: { key: ObjectKey; replicas: number; version: number }) =>
  ({ kind: 'count', key: i.key, replicas: i.replicas, version: i.version }) as const;

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/** Informer delivery: evict counts seen written back, then act on the new state. */
const onInformer = (c: Ctx, e: Ev<'informer.upsert' | 'informer.delete'>, out: Effect[]): Ctx => {
  const next = onInformerChange(c, e);
  const counts = without(next.counts, (key, held) =>
    writtenBack(held, next.informer.replicaSets[key]),
  );
  return reconcile(evictScales({ ...next, counts }), out);
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────
// The server of `autoscaler -> deployment` is in scale-server.ts.

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/**
 * Round 1 answered: round 2 once the informers have passed the API's resourceVersion read
 * after the reply, and (`round2Read: quorum`) after GETs of the unsettled counts.
 */
const onReply = (c: Ctx, m: Message, out: Effect[]): Ctx => {
  if (m.type !== 'deployment.handshakeReply') return c;
  const verdict = acceptReply(c.link, m, c.input.config.switches);
  out.push(...verdict.effects);
  if (!verdict.accepted || c.link.epoch === null) return c;
  const switches = c.input.config.switches;
  const keys =
    switches.round2Read === 'quorum' ? unsettled(c.counts, m.snapshot).map((h) => h.key) : [];
  if (!runsRound2(switches)) return finish(c, null, out);
  return startReads(c, m.snapshot, keys, out);
};

const startReads = (c: Ctx, snapshot: readonly LinkEntry[], keys: string[], out: Effect[]): Ctx => {
  const epoch = c.link.epoch;
  if (epoch === null) return c;
  const reading = { ...c, reads: newCountReads(epoch, snapshot, keys) };
  let next = request(reading, { op: 'readResourceVersion', key: c.link.id, epoch }, out);
  for (const key of keys) next = request(next, { op: 'get', kind: 'ReplicaSet', key }, out);
  return next;
};

const maybeRound2 = (c: Ctx, out: Effect[]): Ctx => {
  const ready = takeReadyReads(c);
  if (!ready) return c;
  const { snapshot, versions } = ready.reads;
  if (Object.keys(versions).length > 0)
    return round2(ready.context, snapshot, out, (k) => versions[k] ?? 0);
  return round2(ready.context, snapshot, out);
};

const round2 = (
  c: Ctx,
  snapshot: readonly LinkEntry[],
  out: Effect[],
  persisted = (k: ObjectKey) => c.informer.replicaSets[k]?.replicasVersion ?? 0,
): Ctx => {
  const r = planCountRound2(c.counts, snapshot, c.informer.replicaSets, persisted);
  const adopted = holdAll(c, r.adopt);
  // The targets are decided with the adopted counts held.
  const targets = c.input.config.switches.syncCarriesTargets ? syncTargets(adopted) : [];
  const plan = {
    ...r.plan,
    entries: [...r.plan.entries, ...targets],
    resent: [...r.plan.resent, ...targets.map((e) => e.key)],
  };
  return finish(holdAll(adopted, targets), plan, out);
};

/** Counts sent on the link, held until seen persisted. */
const holdAll = (c: Ctx, entries: readonly CountEntry[]): Ctx => {
  if (entries.length === 0) return c;
  const counts = { ...c.counts };
  for (const entry of entries) counts[entry.key] = { ...entry, written: false };
  return { ...c, counts };
};

/**
 * The counts the reconcile would send next, sent in the sync (`syncCarriesTargets`, model
 * decision §14): a restarted ReplicaSet controller scales down only after this sync, and a
 * Deployment controller that restarted too holds no count to re-send, so without them the
 * sync would let it delete towards a stale persisted count. Held like a sent count.
 */
const syncTargets = (c: Ctx): CountEntry[] => {
  const out: CountEntry[] = [];
  for (const key of sortedKeys(c.informer.replicaSets)) {
    const rs = c.informer.replicaSets[key];
    const decision = rs ? decideScale(c, rs) : null;
    if (decision?.via === 'direct')
      out.push({ kind: 'count', key, replicas: decision.replicas, version: decision.version });
  }
  return out;
};

const finish = (c: Ctx, plan: Parameters<typeof finishRound1>[1], out: Effect[]): Ctx => {
  const step = finishRound1(c.link, plan);
  out.push(...step.effects);
  return { ...c, link: step.link };
};

// ── Report ───────────────────────────────────────────────────────────────────────────────────

export const report = (snapshot: SnapshotFrom<typeof deploymentMachine>): StageReport => {
  const c = snapshot.context;
  return {
    phase: c.phase,
    dirty: [
      ...Object.values(c.counts).map(({ written: _w, ...entry }) => ({ ...entry, source: null })),
      ...scaleDirty(c),
    ],
    informerRv: c.informer.rv,
    incarnation: c.lease.incarnation,
    clients: [clientReport(c)],
    serverEpochs: serverEpochs(c.server),
  };
};
