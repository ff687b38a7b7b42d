/**
 * Autoscaler: turns the load of each function into a desired replica count.
 *
 * `autoscalerLink: 'api'` (the artifact's hop): it writes the count as the Deployment's
 * `scale` (intent `scaleDeployment`), and the Deployment controller picks it up through
 * its informer. No direct link (the link region stays `disconnected`).
 *
 *   start ─► syncing ──informer.synced──► serving
 *                                           │ load ≠ written ─► scaleDeployment ─► api.done
 *                                           │   ok / notFound ─► written
 *                                           ├── outage, conflict ─► timer ─► write again
 *                                           └── informer: Deployment changed since that
 *                                               write, to another count ─► write again
 *
 * `autoscalerLink: 'direct'` (ours, as the model: spec/stages/autoscaler.ts): client of
 * `autoscaler -> deployment` (upstream/client.ts drives the link). Serving once the link is
 * connected, it sends `deployment.scale` with the count and a fresh version
 * (`mintScaleVersion`: newest wins) and holds it. After an accepted reply it reads the API's
 * resourceVersion and waits for its informer to pass it, as every client does
 * (model-decisions §1), and GETs the Deployment of every held count the Deployment
 * controller did not report; round 2 then drops one written back (its version annotation at
 * least the held one, or the Deployment gone) and re-sends the others. Its own re-check
 * timer re-handshakes while it holds a count (its dirty entries: it cannot see a write-back
 * otherwise), so every count is settled. It adopts nothing: a count the controller holds
 * from an earlier incarnation is older than any this one sends. The incarnation its epochs
 * and versions carry is the one it takes from its Lease on start (common/lease.ts); it stays
 * in `syncing` until it holds it.
 *
 *   syncing ──informer.synced + Lease held──► recovering ──link connected──► serving
 *   serving: load ≠ sent ─deployment.scale(n, v)─► held ─(round 2: GET shows v)─► evicted
 *
 * Assumptions: the load event carries the desired count itself (the model's `load` is the
 * desired count). On the API hop it remembers what this incarnation wrote, and a restarted
 * one rewrites every count (an update to the same value is a no-op). Memory alone is not
 * enough: a write of a crashed incarnation may still be on its way and land after this
 * one's (found by `kd check`, counterexamples/check-small-hardened-replicas-converge-2.json).
 * So, as the HorizontalPodAutoscaler reads the scale on every sync, it is level-triggered
 * on its Deployment informer: a Deployment changed after this incarnation's last write (a
 * newer resourceVersion) to another count is written again (`recheck`). On the direct hop
 * round 2 reads the API and the informer only feeds the barrier. One API write per
 * Deployment is in flight at a time.
 */
import type { Draft } from 'immer';
import { type SnapshotFrom, setup } from 'xstate';
import type { ObjectKey } from '../../../spec/types/ids.js';
import { type CountEntry, type LinkEntry, mintScaleVersion } from '../../../spec/types/messages.js';
import type { StagePhase } from '../../../spec/types/observation.js';
import type { HeldCount } from '../controller/counts.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import { acceptReply, emptyPlan, finishRound1, newClientLink, runsRound2 } from '../link/index.js';
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
  sortedKeys,
} from '../upstream/core.js';
import {
  type CountReads,
  newCountReads,
  recordCountBarrier,
  recordCountRead,
  takeReadyReads,
} from '../upstream/count-reads.js';
import { noteWrite, overwritten, type Written } from '../upstream/written.js';

interface AutoscalerContext extends ClientContext {
  /** The desired count per function (Deployment key), as the load last said. */
  readonly load: Readonly<Record<ObjectKey, number>>;
  /**
   * The count this incarnation last wrote successfully (API hop, with the Deployment's
   * resourceVersion the write produced) or sent (direct hop).
   */
  readonly written: Readonly<Record<ObjectKey, Written<number>>>;
  /** Direct hop: counts sent and not yet known written back, by Deployment key. */
  readonly held: Readonly<Record<ObjectKey, HeldCount>>;
  /** Direct hop: scale versions minted in this incarnation. */
  readonly versions: number;
  /** Direct hop: an accepted reply waiting for round 2 (its reads, `count-reads.ts`). */
  readonly reads: CountReads | null;
}

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Ctx = Draft<AutoscalerContext>;
type Message = Ev<'message'>['message'];

/** The direct hop: its switch, on the direct path (mode `api` is the vanilla baseline). */
const direct = (c: { readonly input: StageInput }): boolean =>
  c.input.config.switches.autoscalerLink === 'direct' && c.input.mode === 'direct';

const withMessage = (f: (d: Ctx, m: Message, out: Effect[]) => void) =>
  run<AutoscalerContext, Ev<'message'>>((d, e, out) => f(d, e.message, out));
const each = (f: (d: Ctx, out: Effect[]) => void) =>
  run<AutoscalerContext, StageEvent>((d, _e, out) => f(d, out));

const guards = clientGuards('autoscaler.none');

export const autoscalerMachine = setup({
  types: {
    context: {} as AutoscalerContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    onLoad: run<AutoscalerContext, Ev<'load'>>((d, e, out) => onLoad(d, e, out)),
    onApiDone: run<AutoscalerContext, Ev<'api.done'>>((d, e, out) => onApiDone(d, e, out)),
    onInformer: run<AutoscalerContext, Ev<'informer.upsert' | 'informer.delete'>>((d, e, out) => {
      onInformerEvent(d, e);
      if (e.object.kind === 'Deployment') recheck(d, e.object.view.key, out);
    }),
    onTimer: run<AutoscalerContext, Ev<'timer'>>((d, e, out) => {
      if (e.name.startsWith(TIMER_PREFIX)) writeAll(d, out);
    }),
    onSynced: each((d) => setPhase(d, 'recovering')),
    markSynced: each((d) => {
      d.informerSynced = true;
    }),
    onLease: run<AutoscalerContext, StageEvent>(onLease),
    onServing: each((d, out) => {
      setPhase(d, 'serving');
      writeAll(d, out);
    }),
    handshake: each((d, out) => handshake(d, out)),
    onReply: withMessage((d, m, out) => onReply(d, m, out)),
    onSyncAck: withMessage(onSyncAckMessage),
    onMismatch: withMessage(onMismatch),
    onServerDown: run<AutoscalerContext, Ev<'link.down'>>((d, e) => onServerDownEvent(d, e.server)),
    onNotReady: withMessage(onNotReadyMessage),
    onRetryTimer: each((d, out) => onRetryTimer(d, holdsDirect(d), out)),
    onConnected: each((d, out) => writeAll(d, out)),
    onProgress: run<AutoscalerContext, Ev<'informer.progress'>>((d, e, out) => {
      onProgress(d, e.rv);
      maybeRound2(d, out);
    }),
  },
  guards: {
    ...guards,
    ...leaseGuards,
    // Only the direct hop mints (epochs, scale versions), so only it takes a Lease.
    leases: ({ context }) => direct(context),
    leasedAndSynced: ({ context }) =>
      context.informerSynced && (!direct(context) || context.lease.incarnation > 0),
    // The link region leaves `disconnected` only on the direct hop.
    synced: ({ context }) => direct(context) && context.phase !== 'syncing',
    mayServe: ({ context }) => !direct(context) || context.link.phase === 'connected',
  },
}).createMachine({
  id: 'autoscaler',
  type: 'parallel',
  context: ({ input }) => ({
    ...coreContext(input),
    phase: 'syncing',
    link: newClientLink(input.id, input.downstream[0] ?? 'deployment'),
    epochs: 0,
    load: {},
    written: {},
    held: {},
    versions: 0,
    reads: null,
  }),
  on: {
    load: { actions: 'onLoad' },
    start: { guard: 'leases', actions: 'onLease' },
    'api.done': [{ guard: 'leaseAnswer', actions: 'onLease' }, { actions: 'onApiDone' }],
    'informer.progress': { actions: 'onProgress' },
    'informer.upsert': { actions: 'onInformer' },
    'informer.delete': { actions: 'onInformer' },
    timer: { guard: 'leaseTimer', actions: 'onLease' },
  },
  states: {
    lifecycle: {
      initial: 'syncing',
      states: {
        // Out of `syncing` once the informer listed and, on the direct hop, the Lease is held.
        syncing: {
          on: { 'informer.synced': { actions: 'markSynced' } },
          always: { guard: 'leasedAndSynced', target: 'recovering', actions: 'onSynced' },
        },
        recovering: { always: { guard: 'mayServe', target: 'serving', actions: 'onServing' } },
        serving: { on: { timer: { actions: 'onTimer' } } },
      },
    },
    link: linkRegion,
  },
});

const setPhase = (d: Ctx, phase: StagePhase): void => {
  d.phase = phase;
};

const holdsDirect = (c: AutoscalerContext): boolean => Object.keys(c.held).length > 0;

const onLoad = (d: Ctx, e: Ev<'load'>, out: Effect[]): void => {
  d.load[e.deployment] = e.load;
  write(d, e.deployment, out);
};

/**
 * `notFound` counts as written, as in the model: there is no Deployment to scale, and a
 * new one with that name starts from its own spec. Any other failure retries on a timer
 * (found by the fuzzer: a timed-out write of 4 that was applied, then a load back to the
 * last count written, 0, left the Deployment at 4 for good).
 */
const onApiDone = (d: Ctx, e: Ev<'api.done'>, out: Effect[]): void => {
  const intent = d.pending[e.id];
  if (intent === undefined) return;
  if (intent.op === 'get' || intent.op === 'readResourceVersion') delete d.pending[e.id];
  if (intent.op === 'get') return void onRead(d, intent.key, e, out);
  if (intent.op === 'readResourceVersion') {
    recordCountBarrier(d, intent.epoch, e.rv);
    return void maybeRound2(d, out);
  }
  if (intent.op !== 'scaleDeployment') return;
  delete d.pending[e.id];
  const settled = e.outcome === 'ok' || e.outcome === 'notFound';
  // A failed write may still have been applied (a timeout: its answer was lost), so the
  // count persisted is unknown: it is forgotten, and the retry writes the load again.
  noteWrite(d.written, intent.key, intent.replicas, settled, e.object);
  if (!settled) {
    out.push({ type: 'timer.set', name: timerName(intent.key), afterMs: RETRY_MS });
    return;
  }
  // The load may have moved while the write was in flight, and the informer may already
  // show a later write.
  write(d, intent.key, out);
  recheck(d, intent.key, out);
};

/**
 * API hop, level-triggered: a Deployment the informer shows changed after this
 * incarnation's last write (a newer resourceVersion) and not at the count written, is
 * written again. An older incarnation's delayed write, or a user's scale, landed after it.
 */
const recheck = (d: Ctx, key: ObjectKey, out: Effect[]): void => {
  const seen = d.cache.deployments[key];
  const written = d.written[key];
  if (direct(d) || seen === undefined || written === undefined) return;
  if (!overwritten(written, seen.replicas, seen.rv)) return;
  delete d.written[key];
  write(d, key, out);
};

const writeAll = (d: Ctx, out: Effect[]): void => {
  for (const key of sortedKeys(d.load)) write(d, key, out);
  if (direct(d)) armRecheck(d, holdsDirect(d), out);
};

/** The current count, unless written (sent) or a write is in flight; on its path. */
const write = (d: Ctx, key: ObjectKey, out: Effect[]): void => {
  const replicas = d.load[key];
  if (d.phase !== 'serving' || replicas === undefined || d.written[key]?.value === replicas) return;
  if (direct(d)) return void send(d, key, replicas, out);
  if (inFlight(d, 'scaleDeployment', key)) return;
  request(d, { op: 'scaleDeployment', key, replicas }, out);
};

/** The direct hop: a fresh version per count sent, held until known written back. */
const send = (d: Ctx, key: ObjectKey, replicas: number, out: Effect[]): void => {
  if (d.link.phase !== 'connected' || d.link.epoch === null) return;
  d.versions += 1;
  const entry: CountEntry = {
    kind: 'count',
    key,
    replicas,
    version: mintScaleVersion(d.lease.incarnation, d.versions),
  };
  d.written[key] = { value: replicas, rv: 0 };
  d.held[key] = { ...entry, written: false };
  out.push({
    type: 'send',
    message: {
      type: 'deployment.scale',
      source: d.input.id,
      destination: d.link.server,
      epoch: d.link.epoch,
      entry,
    },
  });
  armRecheck(d, true, out);
};

/** Held counts that round 2 must settle: not reported at (at least) their version. */
const unsettled = (d: Ctx, snapshot: readonly LinkEntry[]): ObjectKey[] => {
  const reported = new Map<string, number>();
  for (const e of snapshot) if (e.kind === 'count') reported.set(e.key, e.version);
  return sortedKeys(d.held).filter((k) => (reported.get(k) ?? -1) < (d.held[k]?.version ?? 0));
};

/**
 * Round 1 answered. As every client (model-decisions §1), the autoscaler reads the API's
 * resourceVersion and waits for its informer to pass it; it also GETs the Deployment of
 * every held count the Deployment controller did not report (it reads nothing of its
 * informer, so round 2 always decides from these quorum reads).
 */
const onReply = (d: Ctx, m: Message, out: Effect[]): void => {
  if (m.type !== 'autoscaler.handshakeReply') return;
  const verdict = acceptReply(d.link, m, d.input.config.switches);
  out.push(...verdict.effects);
  const epoch = d.link.epoch;
  if (!verdict.accepted || epoch === null) return;
  if (!runsRound2(d.input.config.switches)) return void finish(d, null, out);
  const keys = unsettled(d, m.snapshot);
  d.reads = newCountReads(epoch, m.snapshot, keys) as Draft<CountReads>;
  request(d, { op: 'readResourceVersion', key: d.link.id, epoch }, out);
  for (const key of keys) request(d, { op: 'get', kind: 'Deployment', key }, out);
};

/** A Deployment GET answered. A failed read leaves the round to the retry timer. */
const onRead = (d: Ctx, key: ObjectKey, e: Ev<'api.done'>, out: Effect[]): void => {
  if (e.outcome !== 'ok' && e.outcome !== 'notFound') return;
  // A gone Deployment counts as written back: nothing is left to scale.
  const version =
    e.object?.kind === 'Deployment' ? e.object.view.replicasVersion : Number.MAX_SAFE_INTEGER;
  recordCountRead(d, key, version);
  maybeRound2(d, out);
};

/** Round 2 once every read answered and the informer passed the barrier. */
const maybeRound2 = (d: Ctx, out: Effect[]): void => {
  const versions = takeReadyReads(d)?.versions;
  if (!versions) return;
  const entries: CountEntry[] = [];
  for (const k of sortedKeys(versions)) {
    const held = d.held[k];
    if (!held) continue;
    // Written back: the Deployment controller reports it no more, and never will again.
    if ((versions[k] ?? 0) >= held.version) delete d.held[k];
    else entries.push({ kind: 'count', key: k, replicas: held.replicas, version: held.version });
  }
  const resent = entries.map((x) => x.key);
  finish(d, { ...emptyPlan, entries, resent }, out);
};

const finish = (d: Ctx, plan: Parameters<typeof finishRound1>[1], out: Effect[]) => {
  const step = finishRound1(d.link, plan);
  d.link = step.link as Draft<typeof step.link>;
  out.push(...step.effects);
};

const TIMER_PREFIX = 'scale:';
const timerName = (key: ObjectKey): string => `${TIMER_PREFIX}${key}`;

export const report = (snapshot: SnapshotFrom<typeof autoscalerMachine>): StageReport => {
  const c = snapshot.context;
  return {
    phase: c.phase,
    // On the API hop nothing here is a write-back entry: the count goes straight to the API.
    dirty: Object.values(c.held).map(({ written: _w, ...entry }) => ({ ...entry, source: null })),
    informerRv: c.cache.rv,
    ...(direct(c) ? { incarnation: c.lease.incarnation } : {}),
    clients: direct(c) ? [clientReport(c)] : [],
    serverEpochs: {},
  };
};
