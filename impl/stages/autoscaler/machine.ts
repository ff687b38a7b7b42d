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
 * `autoscaler -> deployment` (controller/client-link.ts drives the link). Serving once the
 * link is connected, it sends `deployment.scale` with the count and a fresh version
 * (`mintScaleVersion`: newest wins) and holds it. After an accepted reply it reads the
 * API's resourceVersion and waits for its informer to pass it, as every client does
 * (model-decisions §1), and GETs the Deployment of every held count the Deployment
 * controller did not report; round 2 then drops one written back (its version annotation at
 * least the held one, or the Deployment gone) and re-sends the others. Its own re-check
 * timer re-handshakes while it holds a count (its dirty entries: it cannot see a write-back
 * otherwise), so every count is settled. It adopts nothing: a count the controller holds
 * from an earlier incarnation is older than any this one sends. The incarnation its epochs
 * and versions carry is the one it takes from its Lease on start (controller/lease.ts); it
 * stays in `syncing` until it holds it.
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
import { type SnapshotFrom, setup } from 'xstate';
import type { ObjectKey } from '../../../spec/types/ids.js';
import { type CountEntry, mintScaleVersion } from '../../../spec/types/messages.js';
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
} from '../controller/context.js';
import {
  type CountReads,
  countReadsUnderway,
  newCountReads,
  recordCountBarrier,
  recordCountRead,
  takeReadyReads,
} from '../controller/count-reads.js';
import { type HeldCount, unsettled } from '../controller/counts.js';
import { collect, none, type Step, step, withMessage } from '../controller/step.js';
import { noteWrite, overwritten, type Written } from '../controller/written.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import { acceptReply, emptyPlan, finishRound1, newClientLink, runsRound2 } from '../link/index.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

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
type Ctx = AutoscalerContext;
type Message = Ev<'message'>['message'];

function holdsDirect(c: Ctx): boolean {
  return Object.keys(c.held).length > 0;
}

// ── Machine ──────────────────────────────────────────────────────────────────────────────────

/** The direct hop: its switch, on the direct path (mode `api` is the vanilla baseline). */
const direct = (c: { readonly input: StageInput }): boolean =>
  c.input.config.switches.autoscalerLink === 'direct' && c.input.mode === 'direct';

// The link is used on the direct hop only.
const guards = clientGuards('autoscaler.none', direct);

export const autoscalerMachine = setup({
  types: {
    context: {} as AutoscalerContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    ...clientStageActions<Ctx>(writeAll, holdsDirect, countReadsUnderway),
    onLoad: step(onLoad),
    onApiDone: step(onApiDone),
    onInformer: step(onInformer),
    onTimer: step(onTimer),
    onReply: withMessage<Ctx>((c, m, out) => whenConnected(c, onReply(c, m, out), writeAll, out)),
    onProgress: step<Ctx, Ev<'informer.progress'>>((c, e) =>
      collect((out) => maybeRound2(onProgress(c, e.rv), out)),
    ),
  },
  guards: {
    ...guards,
    ...leaseGuards,
    // Only the direct hop mints (epochs, scale versions), so only it takes a Lease.
    leases: ({ context }) => direct(context),
    leasedAndSynced: ({ context }) =>
      context.informerSynced && (!direct(context) || context.lease.incarnation > 0),
    scaleTimer: ({ event }) => event.type === 'timer' && event.name.startsWith(TIMER_PREFIX),
    mayServe: ({ context }) => !direct(context) || context.link.phase === 'connected',
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => ({
    ...controllerContext(input),
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
    message: linkTransitions.message,
    timer: [{ guard: 'leaseTimer', actions: 'onLease' }, ...linkTransitions.timer],
    'link.down': linkTransitions['link.down'],
  },
  always: mustHandshake,
  initial: 'syncing',
  states: {
    // Out of `syncing` once the informer listed and, on the direct hop, the Lease is held.
    syncing: {
      on: { 'informer.synced': { actions: 'markSynced' } },
      always: { guard: 'leasedAndSynced', target: 'recovering', actions: 'onSynced' },
    },
    recovering: { always: { guard: 'mayServe', target: 'serving', actions: 'onServing' } },
    serving: { on: { timer: { guard: 'scaleTimer', actions: 'onTimer' } } },
  },
});

// Function declarations from here on: the machine above binds them before they are defined.

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

function onLoad(c: Ctx, e: Ev<'load'>): Step<Ctx> {
  const next = { ...c, load: { ...c.load, [e.deployment]: e.load } };
  return collect((out) => write(next, e.deployment, out));
}

function onTimer(c: Ctx, e: Ev<'timer'>): Step<Ctx> {
  return e.name.startsWith(TIMER_PREFIX) ? collect((out) => writeAll(c, out)) : none(c);
}

/** An API answer: a Deployment GET, the round-2 resourceVersion read, or a scale write. */
function onApiDone(c: Ctx, e: Ev<'api.done'>): Step<Ctx> {
  const intent = c.pending[e.id];
  return collect((out) => {
    switch (intent?.op) {
      case 'get':
        return onRead(answered(c, e.id), intent.key, e, out);
      case 'readResourceVersion':
        return maybeRound2(recordCountBarrier(answered(c, e.id), intent.epoch, e.rv), out);
      case 'scaleDeployment':
        return onScaled(answered(c, e.id), intent.key, intent.replicas, e, out);
      default:
        return c;
    }
  });
}

/**
 * `notFound` counts as written, as in the model: there is no Deployment to scale, and a
 * new one with that name starts from its own spec. Any other failure retries on a timer
 * (found by the fuzzer: a timed-out write of 4 that was applied, then a load back to the
 * last count written, 0, left the Deployment at 4 for good).
 */
function onScaled(c: Ctx, key: ObjectKey, replicas: number, e: Ev<'api.done'>, out: Effect[]): Ctx {
  const settled = e.outcome === 'ok' || e.outcome === 'notFound';
  // A failed write may still have been applied (a timeout: its answer was lost), so the
  // count persisted is unknown: it is forgotten, and the retry writes the load again.
  const next = { ...c, written: noteWrite(c.written, key, replicas, settled, e.object) };
  if (!settled) {
    out.push({ type: 'timer.set', name: timerName(key), afterMs: RETRY_MS });
    return next;
  }
  // The load may have moved while the write was in flight, and the informer may already
  // show a later write.
  return recheck(write(next, key, out), key, out);
}

/**
 * API hop, level-triggered: a Deployment the informer shows changed after this
 * incarnation's last write (a newer resourceVersion) and not at the count written, is
 * written again. An older incarnation's delayed write, or a user's scale, landed after it.
 */
function recheck(c: Ctx, key: ObjectKey, out: Effect[]): Ctx {
  const seen = c.informer.deployments[key];
  const written = c.written[key];
  if (direct(c) || seen === undefined || written === undefined) return c;
  if (!overwritten(written, seen.replicas, seen.rv)) return c;
  return write({ ...c, written: withKey(c.written, key, undefined) }, key, out);
}

function writeAll(c: Ctx, out: Effect[]): Ctx {
  let next = c;
  for (const key of sortedKeys(c.load)) next = write(next, key, out);
  if (direct(next)) armRecheck(next, holdsDirect(next), out);
  return next;
}

/** The current count, unless written (sent) or a write is in flight; on its path. */
function write(c: Ctx, key: ObjectKey, out: Effect[]): Ctx {
  const replicas = c.load[key];
  if (c.phase !== 'serving' || replicas === undefined || c.written[key]?.value === replicas)
    return c;
  if (direct(c)) return send(c, key, replicas, out);
  if (inFlight(c, 'scaleDeployment', key)) return c;
  return request(c, { op: 'scaleDeployment', key, replicas }, out);
}

/** The direct hop: a fresh version per count sent, held until known written back. */
function send(c: Ctx, key: ObjectKey, replicas: number, out: Effect[]): Ctx {
  const epoch = c.link.epoch;
  if (c.link.phase !== 'connected' || epoch === null) return c;
  const versions = c.versions + 1;
  const entry: CountEntry = {
    kind: 'count',
    key,
    replicas,
    version: mintScaleVersion(c.lease.incarnation, versions),
  };
  const next: Ctx = {
    ...c,
    versions,
    written: withKey(c.written, key, { value: replicas, rv: 0 }),
    held: withKey(c.held, key, { ...entry, written: false }),
  };
  out.push({
    type: 'send',
    message: {
      type: 'deployment.scale',
      source: c.input.id,
      destination: c.link.server,
      epoch,
      entry,
    },
  });
  armRecheck(next, true, out);
  return next;
}

const TIMER_PREFIX = 'scale:';
const timerName = (key: ObjectKey): string => `${TIMER_PREFIX}${key}`;

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

function onInformer(c: Ctx, e: Ev<'informer.upsert' | 'informer.delete'>): Step<Ctx> {
  const next = onInformerChange(c, e);
  if (e.object.kind !== 'Deployment') return none(next);
  const key = e.object.view.key;
  return collect((out) => recheck(next, key, out));
}

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/**
 * Round 1 answered. As every client (model-decisions §1), the autoscaler reads the API's
 * resourceVersion and waits for its informer to pass it; it also GETs the Deployment of
 * every held count the Deployment controller did not report (it reads nothing of its
 * informer, so round 2 always decides from these quorum reads).
 */
function onReply(c: Ctx, m: Message, out: Effect[]): Ctx {
  if (m.type !== 'autoscaler.handshakeReply') return c;
  const verdict = acceptReply(c.link, m, c.input.config.switches);
  out.push(...verdict.effects);
  const epoch = c.link.epoch;
  if (!verdict.accepted || epoch === null) return c;
  if (!runsRound2(c.input.config.switches)) return finish(c, null, out);
  // Held counts that round 2 must settle: not reported at (at least) their version.
  const keys = unsettled(c.held, m.snapshot).map((h) => h.key);
  let next = { ...c, reads: newCountReads(epoch, m.snapshot, keys) };
  next = request(next, { op: 'readResourceVersion', key: c.link.id, epoch }, out);
  for (const key of keys) next = request(next, { op: 'get', kind: 'Deployment', key }, out);
  return next;
}

/** A Deployment GET answered. A failed read drops the round: the retry timer handshakes again. */
function onRead(c: Ctx, key: ObjectKey, e: Ev<'api.done'>, out: Effect[]): Ctx {
  if (e.outcome !== 'ok' && e.outcome !== 'notFound') return recordCountRead(c, key, null);
  // A gone Deployment counts as written back: nothing is left to scale.
  const version =
    e.object?.kind === 'Deployment' ? e.object.view.replicasVersion : Number.MAX_SAFE_INTEGER;
  return maybeRound2(recordCountRead(c, key, version), out);
}

/** Round 2 once every read answered and the informer passed the barrier. */
function maybeRound2(c: Ctx, out: Effect[]): Ctx {
  const ready = takeReadyReads(c);
  if (!ready) return c;
  const { versions } = ready.reads;
  let held = ready.context.held;
  const entries: CountEntry[] = [];
  for (const k of sortedKeys(versions)) {
    const h = held[k];
    if (!h) continue;
    // Written back: the Deployment controller reports it no more, and never will again.
    if ((versions[k] ?? 0) >= h.version) held = withKey(held, k, undefined);
    else entries.push({ kind: 'count', key: k, replicas: h.replicas, version: h.version });
  }
  const resent = entries.map((x) => x.key);
  return finish({ ...ready.context, held }, { ...emptyPlan, entries, resent }, out);
}

function finish(c: Ctx, plan: Parameters<typeof finishRound1>[1], out: Effect[]): Ctx {
  const { link, effects } = finishRound1(c.link, plan);
  out.push(...effects);
  return { ...c, link };
}

// ── Report ───────────────────────────────────────────────────────────────────────────────────

export const report = (snapshot: SnapshotFrom<typeof autoscalerMachine>): StageReport => {
  const c = snapshot.context;
  return {
    phase: c.phase,
    // On the API hop nothing here is a write-back entry: the count goes straight to the API.
    dirty: Object.values(c.held).map(({ written: _w, ...entry }) => ({ ...entry, source: null })),
    informerRv: c.informer.rv,
    ...(direct(c) ? { incarnation: c.lease.incarnation } : {}),
    clients: direct(c) ? [clientReport(c)] : [],
    serverEpochs: {},
  };
};
