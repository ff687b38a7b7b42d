/**
 * ReplicaSet controller: owns pod identities, the heart of the write-back cache. Server of
 * `deployment -> replicaset` (desired counts), client of `replicaset -> scheduler` (pods).
 * Watches ReplicaSets, template Pods and Pods.
 *
 *   lifecycle: syncing ──informer.synced──► recovering ──scheduler link connected──► serving
 *   server:    handshake ─ serving (topDown: recovering too)? ─no─► notReady
 *                                                            └yes─► install epoch, snapshot
 *   client:    disconnected ─► handshaking ─► syncing ─► connected  (controller/client-link.ts)
 *   serving:   direct path  direct.ts   (schedulePods, scale-down, write-back)
 *              API path     vanilla.ts  (createPod in slow-start batches)
 *
 * Desired counts are absolute and versioned; the newest version wins against the cache and
 * the persisted annotation. Requested pods are held until the informer shows them. Round 2
 * towards the scheduler adopts what the scheduler reports and the informer does not show,
 * and re-creates lost identities under fresh names (`lostIdentity: recreate`) or re-sends
 * them (`reuse`), "lost" judged by quorum GETs or the informer (`round2Read`).
 *
 * Round 2 runs only once the informers have passed the API's resourceVersion, read by the
 * stage itself after accepting the reply (model-decisions §1). Assumed: template Pods exist
 * with their ReplicaSet (created by whoever creates the ReplicaSet; no intent for it here).
 * Left out: adoption of orphan pods by selector, minReadySeconds, the burst cap.
 */
import { type SnapshotFrom, setup } from 'xstate';
import {
  clientGuards,
  clientReport,
  clientStageActions,
  isMessage,
  linkTransitions,
  mustHandshake,
  whenConnected,
} from '../controller/client-link.js';
import { controllerContext, leaseGuards } from '../controller/context.js';
import { andThen, step, withContext } from '../controller/step.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import { newClientLink, serverEpochs, sourceOfApplyTimer } from '../link/index.js';
import { holdsDirty, type ReplicaSetContext } from './context.js';
import {
  onApiDone,
  onApplyTimer,
  onInformer,
  onInformerProgress,
  onReply,
  onServerMessage,
  readsUnderway,
  reconcile,
} from './handlers.js';
import { endBackoff } from './vanilla.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// The context type, `ReplicaSetContext`, and the readings of it are in context.ts.

type Ctx = ReplicaSetContext;
type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;

// ── Machine ──────────────────────────────────────────────────────────────────────────────────

const RESYNC_TIMER = 'replicaset.resync';

const SERVER_METHODS = ['handshake', 'sync', 'scale'];

export const replicaSetMachine = setup({
  types: {
    context: {} as ReplicaSetContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    ...clientStageActions<Ctx>(reconcile, holdsDirty, readsUnderway),
    onInformer: step(onInformer),
    onApiDone: step(onApiDone),
    onProgress: step(onInformerProgress),
    onResync: withContext<Ctx>((c, out) => reconcile(endBackoff(c), out)),
    onServerMessage: step(onServerMessage),
    onApplyTimer: step(onApplyTimer),
    onReply: step<Ctx, Ev<'message'>>((c, e) =>
      andThen(onReply(c, e), (next, out) => whenConnected(c, next, reconcile, out)),
    ),
  },
  guards: {
    ...clientGuards(RESYNC_TIMER),
    ...leaseGuards,
    fromUpstream: ({ context, event }) =>
      event.type === 'message' &&
      event.message.destination === context.input.id &&
      event.message.source !== context.link.server &&
      SERVER_METHODS.some((m) => isMessage(event, m)),
    applyTimer: ({ event }) => event.type === 'timer' && sourceOfApplyTimer(event.name) !== null,
  },
}).createMachine({
  id: 'replicaset',
  type: 'parallel',
  context: ({ input }) => ({
    ...controllerContext(input),
    phase: 'syncing',
    link: newClientLink(input.id, input.downstream[0] ?? 'scheduler'),
    epochs: 0,
    server: {},
    desired: {},
    requested: {},
    expected: {},
    minted: {},
    statusWritten: {},
    seenByGet: {},
    reads: null,
    vanilla: {},
    upstreamSynced: false,
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
// `reconcile` and the API answers are in handlers.ts (each path's work: direct.ts, vanilla.ts).

// ── Informer ─────────────────────────────────────────────────────────────────────────────────
// `onInformer` is in handlers.ts.

// ── Server end ───────────────────────────────────────────────────────────────────────────────
// The server of `deployment -> replicaset` is in handlers.ts.

// ── Client end ───────────────────────────────────────────────────────────────────────────────
// The handshake reply and round 2 are in handlers.ts.

// ── Report ───────────────────────────────────────────────────────────────────────────────────

/**
 * API path: pods whose creation was asked for and not yet answered. They are this
 * controller's in-memory state (its expectations, by name), and they are live pods:
 * `bounded-overshoot` must count them as soon as they are asked for, as it counts the
 * direct path's requested pods.
 */
const vanillaCreations = (c: Ctx) =>
  Object.values(c.pending).flatMap((intent) =>
    intent.op === 'createPod'
      ? [
          {
            kind: 'pod' as const,
            key: intent.key,
            ownerKey: intent.ownerKey,
            ownerUid: c.informer.replicaSets[intent.ownerKey]?.uid ?? '',
            node: null,
            templateRv: 0,
            state: 'requested' as const,
            source: null,
          },
        ]
      : [],
  );

/** API path: the count of every sync still creating pods (see `VanillaSync.target`). */
const vanillaSyncs = (c: Ctx) =>
  Object.entries(c.vanilla).flatMap(([key, v]) =>
    v.remaining > 0 || v.expectAdds > 0
      ? [{ kind: 'count' as const, key, replicas: v.target, version: 0, source: null }]
      : [],
  );

export const report = (snapshot: SnapshotFrom<typeof replicaSetMachine>): StageReport => {
  const c = snapshot.context;
  return {
    phase: c.phase,
    dirty: [
      ...Object.values(c.desired).map(({ written: _w, ...e }) => ({
        ...e,
        source: 'deployment' as const,
      })),
      ...Object.values(c.requested).map((p) => ({ ...p, source: null })),
      ...vanillaCreations(c),
      ...vanillaSyncs(c),
      ...Object.entries(c.expected).map(([key, n]) => ({
        kind: 'count' as const,
        key: `${key}/expected`,
        replicas: n,
        version: 0,
        source: null,
      })),
    ],
    informerRv: c.informer.rv,
    incarnation: c.lease.incarnation,
    clients: [clientReport(c)],
    serverEpochs: serverEpochs(c.server),
  };
};
