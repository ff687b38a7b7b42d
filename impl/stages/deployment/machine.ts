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
 *   link:       disconnected ─► handshaking ─► syncing ─► connected   (upstream/client.ts)
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
import type { Draft } from 'immer';
import { type SnapshotFrom, setup } from 'xstate';
import type { ObjectKey } from '../../../spec/types/ids.js';
import {
  type CountEntry,
  type LinkEntry,
  replicaSetVersion,
} from '../../../spec/types/messages.js';
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import type { StagePhase } from '../../../spec/types/observation.js';
import { type HeldCount, planCountRound2, unsettled, writtenBack } from '../controller/counts.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import {
  acceptReply,
  finishRound1,
  newClientLink,
  runsRound2,
  serverEpochs,
} from '../link/index.js';
import {
  armRecheck,
  type ClientContext,
  clientGuards,
  clientReport,
  handshake,
  linkRegion,
  onMismatch,
  onNotReadyMessage,
  onRetryTimer,
  onServerDownEvent,
  onSyncAckMessage,
} from '../upstream/client.js';
import {
  coreContext,
  inFlight,
  leaseGuards,
  onInformerEvent,
  onLease,
  onProgress,
  RETRY_MS,
  request,
  run,
} from '../upstream/core.js';
import {
  type CountReads,
  newCountReads,
  recordCountBarrier,
  recordCountRead,
  takeReadyReads,
} from '../upstream/count-reads.js';
import { knownWritten, noteWrite, type Written } from '../upstream/written.js';
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

interface DeploymentContext extends ClientContext, ScaleServerContext {
  /** The write-back cache: counts sent or written, by ReplicaSet key, until seen persisted. */
  readonly counts: Readonly<Record<ObjectKey, HeldCount>>;
  /** Deployment status this incarnation last wrote (`replicas/ready`), by Deployment key. */
  readonly statusWritten: Readonly<Record<ObjectKey, Written<string>>>;
  /** An accepted reply waiting for round 2 (its reads, `count-reads.ts`). */
  readonly reads: CountReads | null;
}

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Ctx = Draft<DeploymentContext>;
type Message = Ev<'message'>['message'];
const RESYNC_TIMER = 'deployment.resync';

const withMessage = (f: (d: Ctx, m: Message, out: Effect[]) => void) =>
  run<DeploymentContext, Ev<'message'>>((d, e, out) => f(d, e.message, out));

export const deploymentMachine = setup({
  types: {
    context: {} as DeploymentContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    onInformer: run<DeploymentContext, Ev<'informer.upsert' | 'informer.delete'>>((d, e, out) =>
      onInformer(d, e, out),
    ),
    onSynced: run<DeploymentContext, StageEvent>((d) => setPhase(d, 'recovering')),
    markSynced: run<DeploymentContext, StageEvent>((d) => {
      d.informerSynced = true;
    }),
    onLease: run<DeploymentContext, StageEvent>(onLease),
    onServing: run<DeploymentContext, StageEvent>((d, _e, out) => {
      setPhase(d, 'serving');
      reconcile(d, out);
    }),
    onApiDone: run<DeploymentContext, Ev<'api.done'>>((d, e, out) => onApiDone(d, e, out)),
    onProgress: run<DeploymentContext, Ev<'informer.progress'>>((d, e, out) => {
      onProgress(d, e.rv);
      maybeRound2(d, out);
    }),
    onResync: run<DeploymentContext, StageEvent>((d, _e, out) => reconcile(d, out)),
    handshake: run<DeploymentContext, StageEvent>((d, _e, out) => handshake(d, out)),
    onReply: withMessage((d, m, out) => onReply(d, m, out)),
    onSyncAck: withMessage(onSyncAckMessage),
    onMismatch: withMessage(onMismatch),
    onServerDown: run<DeploymentContext, Ev<'link.down'>>((d, e) => onServerDownEvent(d, e.server)),
    onNotReady: withMessage(onNotReadyMessage),
    onRetryTimer: run<DeploymentContext, StageEvent>((d, _e, out) =>
      onRetryTimer(d, holdsDirect(d), out),
    ),
    onConnected: run<DeploymentContext, StageEvent>((d, _e, out) => reconcile(d, out)),
    onServerMessage: withMessage((d, m, out) => onScaleServerMessage(d, m, out, reconcile)),
    onApplyTimer: run<DeploymentContext, Ev<'timer'>>((d, e, out) =>
      onScaleApplyTimer(d, e, out, reconcile),
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
    ...coreContext(input),
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
    timer: { guard: 'leaseTimer', actions: 'onLease' },
  },
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
    link: linkRegion,
  },
});

const setPhase = (d: Ctx, phase: StagePhase): void => {
  d.phase = phase;
};

const holdsDirect = (c: DeploymentContext): boolean =>
  Object.values(c.counts).some((h) => !h.written);

/** Informer delivery: evict counts seen written back, then act on the new state. */
const onInformer = (d: Ctx, e: Ev<'informer.upsert' | 'informer.delete'>, out: Effect[]) => {
  onInformerEvent(d, e);
  for (const [key, held] of Object.entries(d.counts)) {
    if (writtenBack(held, d.cache.replicaSets[key])) delete d.counts[key];
  }
  evictScales(d);
  reconcile(d, out);
};

/** The count the owning Deployment asks of this ReplicaSet (0 for an outdated template). */
const targetOf = (c: DeploymentContext, rs: ReplicaSetView) => {
  const owner = Object.values(c.cache.deployments).find((dep) => dep.uid === rs.ownerUid);
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

/** Level-triggered: every ReplicaSet towards its target, then Deployment status. */
const reconcile = (d: Ctx, out: Effect[]): void => {
  if (d.phase !== 'serving') return;
  writeBackScales(d, out);
  for (const key of Object.keys(d.cache.replicaSets).sort()) {
    const rs = d.cache.replicaSets[key];
    if (rs) scaleOne(d, rs, out);
  }
  writeStatuses(d, out);
  armRecheck(d, holdsDirect(d), out);
};

/**
 * What the reconcile does for one ReplicaSet: nothing, a direct `replicaset.scale`, or a
 * write through the API.
 */
const decideScale = (
  d: Ctx,
  rs: ReplicaSetView,
): {
  readonly via: 'direct' | 'api';
  readonly replicas: number;
  readonly version: number;
} | null => {
  const target = targetOf(d, rs);
  if (target === null) return null;
  const { replicas, version } = target;
  if (replicas === rs.replicas || d.counts[rs.key]?.replicas === replicas) return null;
  // The ReplicaSet already shows this version with another count (a user's `kubectl
  // scale`): the ReplicaSet controller would drop a direct count that is not newer, so the
  // correction goes through the API, which has precedence (found by the fuzzer).
  // With the direct autoscaler link a newer version on the ReplicaSet is a count this
  // controller lost in a crash, not a user's edit: the autoscaler re-sends it; wait for it
  // rather than put the ReplicaSet back to the older spec (found by kd check).
  const direct = d.input.config.switches.autoscalerLink === 'direct';
  if (direct && rs.replicasVersion > version) return null;
  const overwritten = rs.replicasVersion >= version;
  const via = takesDirectPath(d, rs) && !overwritten ? 'direct' : 'api';
  return { via, replicas, version };
};

const scaleOne = (d: Ctx, rs: ReplicaSetView, out: Effect[]): void => {
  const decision = decideScale(d, rs);
  if (decision === null) return;
  const { replicas, version } = decision;
  if (decision.via === 'api') {
    // Decided on the cached copy: with the precondition, a write of a crashed predecessor
    // still on the wire cannot land over a newer one (a 409 resyncs on a fresher copy).
    const precondition = d.input.config.switches.writeBackPrecondition
      ? { resourceVersion: rs.rv }
      : {};
    if (!inFlight(d, 'scaleReplicaSet', rs.key))
      request(d, { op: 'scaleReplicaSet', key: rs.key, replicas, version, ...precondition }, out);
    return;
  }
  if (d.link.phase !== 'connected' || d.link.epoch === null) return;
  d.counts[rs.key] = { kind: 'count', key: rs.key, replicas, version, written: false };
  out.push({
    type: 'send',
    message: {
      type: 'replicaset.scale',
      source: d.input.id,
      destination: d.link.server,
      epoch: d.link.epoch,
      entry: { kind: 'count', key: rs.key, replicas, version },
    },
  });
};

/** Deployment status: the sum over its ReplicaSets, written when it changed. */
const writeStatuses = (d: Ctx, out: Effect[]): void => {
  // Off only as an injected defect (mutant `no-deployment-status`).
  if (!d.input.config.switches.writeDeploymentStatus) return;
  for (const key of Object.keys(d.cache.deployments).sort()) {
    const dep = d.cache.deployments[key];
    if (!dep || dep.deleting) continue;
    let replicas = 0;
    let readyReplicas = 0;
    for (const rs of Object.values(d.cache.replicaSets)) {
      if (rs.ownerUid !== dep.uid) continue;
      replicas += rs.status.replicas;
      readyReplicas += rs.status.readyReplicas;
    }
    const status = `${replicas}/${readyReplicas}`;
    const shown = `${dep.status.replicas}/${dep.status.readyReplicas}`;
    if (knownWritten(d.statusWritten[key], status, shown, dep.rv)) continue;
    if (inFlight(d, 'deploymentStatus', key)) continue;
    request(d, { op: 'deploymentStatus', key, replicas, readyReplicas }, out);
  }
};

const onApiDone = (d: Ctx, e: Ev<'api.done'>, out: Effect[]): void => {
  const intent = d.pending[e.id];
  if (!intent) return;
  delete d.pending[e.id];
  const ok = e.outcome === 'ok';
  onScaleDone(d, intent, e, out);
  // The GET of a held count's Deployment (scale-server.ts) acted on its answer; a
  // failed one is asked again on the resync, not at once (no loop while the API is down).
  if (intent.op === 'get' && intent.kind === 'Deployment') {
    if (!ok && e.outcome !== 'notFound')
      out.push({ type: 'timer.set', name: RESYNC_TIMER, afterMs: RETRY_MS });
    return;
  }
  if (intent.op === 'get') {
    // A failed read leaves the round pending: the retry timer re-handshakes.
    if (ok || e.outcome === 'notFound')
      recordCountRead(
        d,
        intent.key,
        e.object?.kind === 'ReplicaSet' ? e.object.view.replicasVersion : 0,
      );
    return void maybeRound2(d, out);
  }
  if (intent.op === 'readResourceVersion') {
    recordCountBarrier(d, intent.epoch, e.rv);
    return void maybeRound2(d, out);
  }
  if (intent.op === 'scaleReplicaSet' && ok) {
    // Held until the informer shows it, unless it already does, or already shows the
    // ReplicaSet gone: an answer that comes after the ReplicaSet's deletion was delivered
    // would otherwise be held forever (found by the fuzzer).
    const held: HeldCount = { ...count(intent), written: true };
    if (writtenBack(held, d.cache.replicaSets[intent.key])) delete d.counts[intent.key];
    else d.counts[intent.key] = held;
  }
  if (intent.op === 'deploymentStatus') {
    const status = `${intent.replicas}/${intent.readyReplicas}`;
    noteWrite(d.statusWritten, intent.key, status, ok, e.object);
  }
  // An outage or a conflict: try again later; a missing object needs nothing more.
  if (!ok && e.outcome !== 'notFound')
    out.push({ type: 'timer.set', name: RESYNC_TIMER, afterMs: RETRY_MS });
  reconcile(d, out);
};

const count = (i: { key: ObjectKey; replicas: number; version: number }) =>
  ({ kind: 'count', key: i.key, replicas: i.replicas, version: i.version }) as const;

/**
 * Round 1 answered: round 2 once the informers have passed the API's resourceVersion read
 * after the reply, and (`round2Read: quorum`) after GETs of the unsettled counts.
 */
const onReply = (d: Ctx, m: Message, out: Effect[]): void => {
  if (m.type !== 'deployment.handshakeReply') return;
  const verdict = acceptReply(d.link, m, d.input.config.switches);
  out.push(...verdict.effects);
  if (!verdict.accepted || d.link.epoch === null) return;
  const switches = d.input.config.switches;
  const keys =
    switches.round2Read === 'quorum' ? unsettled(d.counts, m.snapshot).map((h) => h.key) : [];
  if (!runsRound2(switches)) finish(d, null, out);
  else startReads(d, m.snapshot, keys, out);
};

const startReads = (d: Ctx, snapshot: readonly LinkEntry[], keys: string[], out: Effect[]) => {
  const epoch = d.link.epoch;
  if (epoch === null) return;
  d.reads = newCountReads(epoch, snapshot, keys) as Draft<CountReads>;
  request(d, { op: 'readResourceVersion', key: d.link.id, epoch }, out);
  for (const key of keys) request(d, { op: 'get', kind: 'ReplicaSet', key }, out);
};

const maybeRound2 = (d: Ctx, out: Effect[]): void => {
  const reads = takeReadyReads(d);
  if (!reads) return;
  const { snapshot, versions } = reads;
  if (Object.keys(versions).length > 0) round2(d, snapshot, out, (k) => versions[k] ?? 0);
  else round2(d, snapshot, out);
};

const round2 = (
  d: Ctx,
  snapshot: readonly LinkEntry[],
  out: Effect[],
  persisted = (k: ObjectKey) => d.cache.replicaSets[k]?.replicasVersion ?? 0,
): void => {
  const r = planCountRound2(d.counts, snapshot, d.cache.replicaSets, persisted);
  for (const entry of r.adopt) d.counts[entry.key] = { ...entry, written: false };
  const targets = d.input.config.switches.syncCarriesTargets ? syncTargets(d) : [];
  for (const entry of targets) d.counts[entry.key] = { ...entry, written: false };
  const plan = {
    ...r.plan,
    entries: [...r.plan.entries, ...targets],
    resent: [...r.plan.resent, ...targets.map((e) => e.key)],
  };
  finish(d, plan, out);
};

/**
 * The counts the reconcile would send next, sent in the sync (`syncCarriesTargets`, model
 * decision §14): a restarted ReplicaSet controller scales down only after this sync, and a
 * Deployment controller that restarted too holds no count to re-send, so without them the
 * sync would let it delete towards a stale persisted count. Held like a sent count.
 */
const syncTargets = (d: Ctx): CountEntry[] => {
  const out: CountEntry[] = [];
  for (const key of Object.keys(d.cache.replicaSets).sort()) {
    const rs = d.cache.replicaSets[key];
    const decision = rs ? decideScale(d, rs) : null;
    if (decision?.via === 'direct')
      out.push({ kind: 'count', key, replicas: decision.replicas, version: decision.version });
  }
  return out;
};

const finish = (d: Ctx, plan: Parameters<typeof finishRound1>[1], out: Effect[]) => {
  const step = finishRound1(d.link, plan);
  d.link = step.link as Draft<typeof step.link>;
  out.push(...step.effects);
};

export const report = (snapshot: SnapshotFrom<typeof deploymentMachine>): StageReport => {
  const c = snapshot.context;
  return {
    phase: c.phase,
    dirty: [
      ...Object.values(c.counts).map(({ written: _w, ...entry }) => ({ ...entry, source: null })),
      ...scaleDirty(c),
    ],
    informerRv: c.cache.rv,
    incarnation: c.lease.incarnation,
    clients: [clientReport(c)],
    serverEpochs: serverEpochs(c.server),
  };
};
