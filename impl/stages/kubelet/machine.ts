/**
 * Kubelet (one per node): the leaf of the narrow waist and the place where write-back
 * happens. It materialises a bound pod from its template Pod, exposes it (CREATE), runs the
 * sandbox, marks it Ready, and finishes deletions.
 *
 * Neighbours: server of `scheduler -> kubelet/<node>`; the API Server (expose, markReady,
 * removePod); the container runtime (sandbox.start / sandbox.stop / sandbox.list).
 *
 *   lifecycle:  syncing ──informer.synced──► serving        (no downstream: nothing to recover)
 *               handshakes are answered notReady until serving
 *
 *   a bound pod:
 *   bindPod ──► waitingTemplate ──(template in informer)──► exposing ──CREATE ok──► exposed
 *                    │                                        │  ▲ outage: retry     │
 *                    └─(owner known gone)─► dropped ◄─────────┘owner seen gone       │
 *                                                        informer shows it ─► evicted┘
 *
 * Level-triggered work (`reconcile`, after every event while serving) on the pods the
 * informer shows on this node: start a sandbox, mark Ready, terminate pods marked deleting
 * (stop the sandbox, then remove the object), and kill sandboxes nobody knows (leaked).
 * On the API path (mode `api`, or a template with `fallbackBinding`) nothing is bound
 * directly, and the same level-triggered work runs the pods the scheduler bound via the API.
 *
 * Assumes: one scheduler (source); sandboxes survive a kubelet crash (the runtime reports
 * them with `sandbox.list`). Matches `spec/stages/kubelet.ts`; tombstones are never collected
 * within an incarnation, as in the model (model-decisions.md §8). Left out: image pulls,
 * probes, resources other than one pod slot, a `scheduler.notFound` reply (the model holds a
 * bind whose template it lacks instead of refusing it).
 */

import { enqueueActions, setup } from 'xstate';
import type { PodKey, StageId } from '../../../spec/types/ids.js';
import { nodeOfKubelet } from '../../../spec/types/ids.js';
import type { DataMessage, Message, PodEntry, Sync } from '../../../spec/types/messages.js';
import { isSync, toPodEntry } from '../../../spec/types/messages.js';
import type { DirtyEntry, StagePhase } from '../../../spec/types/observation.js';
import {
  applyInformer,
  cacheKey,
  emptyInformer,
  type InformerCache,
  ownerKnownGone,
  templateOf,
} from '../controller/informer.js';
import { type Step as ControllerStep, none, onEach } from '../controller/step.js';
import { copyTable } from '../controller/tables.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import {
  admitThenApply,
  answersHandshakes,
  applyEvent,
  onHandshake as linkHandshake,
  notReady,
  serverEpochs,
  sourceOfApplyTimer,
  syncAck,
  takeQueued,
} from '../link/index.js';
import {
  flightKey,
  type Held,
  type KubeletContext,
  RETRY_MS,
  RETRY_TIMER,
  reconcile,
  request,
} from './work.js';

export type { KubeletContext } from './work.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// The context type, `KubeletContext`, is in work.ts.

const initialContext = (input: StageInput): KubeletContext => ({
  input,
  node: nodeOfKubelet(input.id) ?? input.id,
  links: {},
  bound: {},
  tombstones: {},
  informer: emptyInformer,
  sandboxes: {},
  inFlight: {},
  done: {},
  backoff: false,
  nextRequest: 1,
});

// ── Machine ──────────────────────────────────────────────────────────────────────────────────

type Step = ControllerStep<KubeletContext>;

type Phase = Extract<StagePhase, 'syncing' | 'serving'>;

/**
 * The events the kubelet handles (`route`), each a named transition. `sandbox.list` comes
 * once, at start, and `informer.synced` once, taking it to `serving`.
 */
const HANDLED = [
  'informer.upsert',
  'informer.delete',
  'message',
  'api.done',
  'timer',
  'sandbox.started',
  'sandbox.stopped',
] as const satisfies readonly StageEvent['type'][];

function handledIn(phase: Phase) {
  const events = phase === 'syncing' ? ([...HANDLED, 'sandbox.list'] as const) : HANDLED;
  return onEach(events, { actions: { type: 'handle', params: { phase } } } as const);
}

export const kubeletMachine = setup({
  types: {} as {
    context: KubeletContext;
    events: StageEvent;
    input: StageInput;
    emitted: Effect;
  },
  actions: {
    handle: enqueueActions(({ context, event, enqueue }, params: { phase: Phase }) => {
      const routed = route(context, event, params.phase);
      const done = params.phase === 'serving' ? reconcile(routed.context) : routed;
      const effects = done === routed ? routed.effects : [...routed.effects, ...done.effects];
      if (done.context !== context) enqueue.assign(() => done.context);
      for (const effect of effects) enqueue.emit(effect);
    }),
  },
}).createMachine({
  id: 'kubelet',
  context: ({ input }) => initialContext(input),
  initial: 'syncing',
  states: {
    syncing: {
      on: {
        ...handledIn('syncing'),
        'informer.synced': {
          target: 'serving',
          actions: { type: 'handle', params: { phase: 'serving' } },
        },
      },
    },
    serving: { on: handledIn('serving') },
  },
});

/** One handler per incoming event; `reconcile` then does the level-triggered work. */
const route = (ctx: KubeletContext, event: StageEvent, phase: Phase): Step => {
  switch (event.type) {
    case 'informer.upsert':
    case 'informer.delete':
    case 'informer.synced':
      return onInformer(forgetDone(ctx, event), applyInformer(ctx.informer, event));
    case 'message':
      return onMessage(ctx, event.message, phase);
    case 'api.done':
      return onApiDone(ctx, event);
    case 'timer':
      return onTimer(ctx, event.name);
    case 'sandbox.started':
      return none({ ...ctx, sandboxes: { ...ctx.sandboxes, [event.pod]: 'running' } });
    case 'sandbox.stopped':
      return onSandboxStopped(ctx, event.pod);
    case 'sandbox.list':
      return none({ ...ctx, sandboxes: Object.fromEntries(event.pods.map((p) => [p, 'running'])) });
    default:
      return none(ctx);
  }
};

const onTimer = (ctx: KubeletContext, name: string): Step => {
  if (name === RETRY_TIMER) return none({ ...ctx, backoff: false });
  const source: StageId | null = sourceOfApplyTimer(name);
  if (source === null) return none(ctx);
  const t = takeQueued(ctx.links, source);
  const next = { ...ctx, links: t.links };
  if (!t.message) return none(next);
  const applied = applyMessage(next, t.message);
  return { context: applied.context, effects: [...t.effects, ...applied.effects] };
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────
// The level-triggered work after every event while serving, `reconcile`, is in work.ts.

const onApiDone = (ctx: KubeletContext, done: Extract<StageEvent, { type: 'api.done' }>): Step => {
  const key = flightKey(done.intent);
  const inFlight = copyTable(ctx.inFlight);
  delete inFlight[key];
  // A finished markReady or removePod is not re-issued before the informer shows the pod
  // again. The mark is kept only while the informer shows the pod: its next event of the pod
  // forgets the mark anyway (`forgetDone`), and no work is done for a pod it does not show,
  // so a mark made after the pod's deletion arrived would only stay for good (one per pod
  // removed that way: the table grew with the run, and was copied whole at every answer).
  const finished =
    done.outcome !== 'outage' &&
    done.intent.op !== 'exposePod' &&
    'key' in done.intent &&
    ctx.informer.pods[done.intent.key] !== undefined;
  const next = {
    ...ctx,
    inFlight,
    done: finished ? { ...ctx.done, [key]: true as const } : ctx.done,
    backoff: ctx.backoff || done.outcome === 'outage',
  };
  const effects: Effect[] =
    done.outcome === 'outage' ? [{ type: 'timer.set', name: RETRY_TIMER, afterMs: RETRY_MS }] : [];
  if (done.intent.op === 'exposePod')
    return onExposed(next, done.intent.key, done.outcome, effects);
  return { context: next, effects };
};

/** The CREATE's outcome: outage retries, notFound drops, anything else means exposed. */
const onExposed = (
  ctx: KubeletContext,
  key: PodKey,
  outcome: Extract<StageEvent, { type: 'api.done' }>['outcome'],
  effects: Effect[],
): Step => {
  const ck = cacheKey(ctx.input.config.switches, key);
  const held = ctx.bound[ck];
  if (!held) return { context: ctx, effects };
  const bound = copyTable(ctx.bound);
  if (outcome === 'outage') bound[ck] = { ...held, failed: true };
  // The template left the informer before a retry could build the pod (notFound: no
  // request was sent). Marked exposed, such an entry waited for good for a pod that never
  // came (a kd check find: an expose retried after an outage outlived its Deployment's
  // deletion).
  else if (outcome === 'notFound') delete bound[ck];
  else bound[ck] = { ...held, state: 'exposed', failed: false };
  if (outcome !== 'ok') return { context: { ...ctx, bound }, effects };
  effects.push({
    type: 'sandbox.start',
    pod: key,
    ownerUid: held.ownerUid,
    templateHash: held.templateHash,
  });
  return {
    context: {
      ...ctx,
      bound,
      tombstones: { ...ctx.tombstones, [ck]: true },
      sandboxes: { ...ctx.sandboxes, [key]: 'starting' },
    },
    effects,
  };
};

/** A stopped sandbox of a pod marked deleting: now remove the object (stop before remove). */
const onSandboxStopped = (ctx: KubeletContext, pod: PodKey): Step => {
  const sandboxes = copyTable(ctx.sandboxes);
  delete sandboxes[pod];
  const view = ctx.informer.pods[pod];
  const next = { ...ctx, sandboxes };
  if (!view?.deleting || view.nodeName !== ctx.node) return none(next);
  const effects: Effect[] = [];
  return { context: request(next, { op: 'removePod', key: pod, uid: view.uid }, effects), effects };
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery: evict what is now persisted, drop entries whose owner is known gone.
 * An entry evicted as persisted leaves a tombstone: the expose's answer may come after
 * the informer showed the pod, and finds no entry to tombstone then (found by the fuzzer:
 * a late duplicate bind re-created the pod after it was deleted).
 */
const onInformer = (ctx: KubeletContext, informer: InformerCache): Step => {
  const sw = ctx.input.config.switches;
  const bound: Record<string, Held> = {};
  let tombstones = ctx.tombstones;
  for (const [ck, held] of Object.entries(ctx.bound)) {
    const persisted = informer.pods[held.key];
    if (persisted && (sw.evictOnPersist || persisted.deleting)) {
      if (!tombstones[ck]) tombstones = { ...tombstones, [ck]: true };
      continue;
    }
    const orphan =
      sw.dropOrphanedEntries && ownerKnownGone(informer, held.ownerUid, held.templateRv);
    if (!persisted && held.state !== 'exposed' && orphan) continue;
    bound[ck] = held;
  }
  return none({ ...ctx, informer, bound, tombstones });
};

/** The informer shows a pod again: its markReady / removePod may be needed once more. */
const forgetDone = (ctx: KubeletContext, event: StageEvent): KubeletContext => {
  if (event.type === 'informer.synced' || !('object' in event) || event.object.kind !== 'Pod')
    return ctx;
  const pod = event.object.view.key;
  const ready = `markReady:${pod}`;
  const removed = `removePod:${pod}`;
  // Most events are of pods with nothing done: the context stays as it is.
  if (!(ready in ctx.done) && !(removed in ctx.done)) return ctx;
  const done = copyTable(ctx.done);
  delete done[ready];
  delete done[removed];
  return { ...ctx, done };
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

const onMessage = (ctx: KubeletContext, message: Message, phase: Phase): Step => {
  if (message.type === 'kubelet.handshake') {
    if (!answersHandshakes(phase, ctx.input.config.switches))
      return { context: ctx, effects: [notReady(ctx.input.id, message)] };
    const snapshot = Object.values(ctx.bound)
      // Mutant `snapshot-skips-exposing`: pods whose CREATE is not yet accepted are left out.
      .filter((held) => ctx.input.config.switches.snapshotExposing || held.state !== 'exposing')
      .map(toPodEntry);
    const s = linkHandshake(ctx.links, ctx.input.id, message, snapshot, ctx.input.config.switches);
    return { context: { ...ctx, links: s.links }, effects: s.effects };
  }
  if (message.type === 'kubelet.bindPod' || message.type === 'kubelet.sync')
    return admitThenApply(ctx, message, applyMessage);
  return none(ctx);
};

/** The bind or sync itself, once admitted (now, or on the apply timer). */
const applyMessage = (ctx: KubeletContext, message: DataMessage | Sync): Step => {
  const effects: Effect[] = [applyEvent(ctx.links, ctx.input.id, message)];
  let next = ctx;
  if (message.type === 'kubelet.bindPod') next = onBindPod(next, message.entry, effects);
  else if (isSync(message)) {
    const bound = copyTable(next.bound);
    for (const key of message.discard) delete bound[cacheKey(ctx.input.config.switches, key)];
    next = { ...next, bound };
    for (const entry of message.entries)
      if (entry.kind === 'pod') next = onBindPod(next, entry, effects);
    effects.push(syncAck(message));
  }
  return { context: next, effects };
};

/** A bind (or a round-2 re-send) arrives: hold the pod unless it is known already. */
const onBindPod = (ctx: KubeletContext, entry: PodEntry, effects: Effect[]): KubeletContext => {
  const sw = ctx.input.config.switches;
  const ck = cacheKey(sw, entry.key);
  if (ctx.bound[ck]) return ctx;
  if (sw.kubeletTombstones && ctx.tombstones[ck]) return ctx;
  if (ctx.informer.pods[entry.key]) return ctx; // API precedence: a persisted copy wins
  if (sw.dropOrphanedEntries && ownerKnownGone(ctx.informer, entry.ownerUid, entry.templateRv))
    return ctx;
  const template = templateOf(ctx.informer, entry.ownerUid);
  if (!template)
    effects.push({
      type: 'applied',
      event: { kind: 'bindBeforeTemplate', node: ctx.node, pod: entry.key },
    });
  const materialise = template !== undefined || !sw.exposeRequiresTemplate;
  const held: Held = {
    ...toPodEntry(entry),
    node: ctx.node,
    state: materialise ? 'exposing' : 'waitingTemplate',
    templateHash: template?.templateHash ?? '',
    failed: false,
  };
  return { ...ctx, bound: { ...ctx.bound, [ck]: held } };
};

// ── Report ───────────────────────────────────────────────────────────────────────────────────

/** What the kubelet reports for the `Observation`. */
export const report = (snapshot: {
  readonly value: unknown;
  readonly context: KubeletContext;
}): StageReport => ({
  phase: snapshot.value as StagePhase,
  dirty: Object.values(snapshot.context.bound).map(
    (held): DirtyEntry => ({ ...toPodEntry(held), source: 'scheduler', state: held.state }),
  ),
  informerRv: snapshot.context.informer.rv,
  clients: [],
  serverEpochs: serverEpochs(snapshot.context.links),
});
