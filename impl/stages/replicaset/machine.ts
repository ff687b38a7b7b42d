/**
 * ReplicaSet controller: owns pod identities, the heart of the write-back cache. Server of
 * `deployment -> replicaset` (desired counts), client of `replicaset -> scheduler` (pods).
 * Watches ReplicaSets, template Pods and Pods.
 *
 *   lifecycle: syncing ──informer.synced──► recovering ──scheduler link connected──► serving
 *   server:    handshake ─ serving (topDown: recovering too)? ─no─► notReady
 *                                                            └yes─► install epoch, snapshot
 *   client:    disconnected ─► handshaking ─► syncing ─► connected        (upstream/client.ts)
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
import type { StagePhase } from '../../../spec/types/observation.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../io.js';
import { newClientLink, serverEpochs, sourceOfApplyTimer } from '../link/index.js';
import {
  clientGuards,
  clientReport,
  handshake,
  isMessage,
  linkRegion,
  onMismatch,
  onNotReadyMessage,
  onRetryTimer,
  onServerDownEvent,
  onSyncAckMessage,
} from '../upstream/client.js';
import { coreContext, leaseGuards, onLease, run } from '../upstream/core.js';
import type { ReplicaSetContext, RsDraft } from './context.js';
import {
  onApiDone,
  onApplyTimer,
  onInformer,
  onInformerProgress,
  onReply,
  onServerMessage,
  reconcile,
} from './handlers.js';
import { endBackoff } from './vanilla.js';

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Message = Ev<'message'>['message'];
const RESYNC_TIMER = 'replicaset.resync';

const withMessage = (f: (d: RsDraft, m: Message, out: Effect[]) => void) =>
  run<ReplicaSetContext, Ev<'message'>>((d, e, out) => f(d, e.message, out));
const each = (f: (d: RsDraft, out: Effect[]) => void) =>
  run<ReplicaSetContext, StageEvent>((d, _e, out) => f(d, out));

const SERVER_METHODS = ['handshake', 'sync', 'scale'];

export const replicaSetMachine = setup({
  types: {
    context: {} as ReplicaSetContext,
    events: {} as StageEvent,
    input: {} as StageInput,
    emitted: {} as Effect,
  },
  actions: {
    onInformer: run<ReplicaSetContext, Ev<'informer.upsert' | 'informer.delete'>>((d, e, out) =>
      onInformer(d, e, out),
    ),
    onSynced: each((d) => setPhase(d, 'recovering')),
    markSynced: each((d) => {
      d.informerSynced = true;
    }),
    onLease: run<ReplicaSetContext, StageEvent>(onLease),
    onServing: each((d, out) => {
      setPhase(d, 'serving');
      reconcile(d, out);
    }),
    onApiDone: run<ReplicaSetContext, Ev<'api.done'>>((d, e, out) => onApiDone(d, e, out)),
    onProgress: run<ReplicaSetContext, Ev<'informer.progress'>>((d, e, out) =>
      onInformerProgress(d, e.rv, out),
    ),
    onResync: each((d, out) => {
      endBackoff(d);
      reconcile(d, out);
    }),
    onServerMessage: withMessage((d, m, out) => onServerMessage(d, m, out)),
    onApplyTimer: run<ReplicaSetContext, Ev<'timer'>>((d, e, out) => onApplyTimer(d, e, out)),
    handshake: each((d, out) => handshake(d, out)),
    onReply: withMessage((d, m, out) => onReply(d, m, out)),
    onSyncAck: withMessage(onSyncAckMessage),
    onMismatch: withMessage(onMismatch),
    onServerDown: run<ReplicaSetContext, Ev<'link.down'>>((d, e) => onServerDownEvent(d, e.server)),
    onNotReady: withMessage(onNotReadyMessage),
    onRetryTimer: each((d, out) => onRetryTimer(d, holdsDirty(d), out)),
    onConnected: each((d, out) => reconcile(d, out)),
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
    ...coreContext(input),
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

const setPhase = (d: RsDraft, phase: StagePhase): void => {
  d.phase = phase;
};

/** Entries sent on the scheduler link and not yet seen persisted. */
const holdsDirty = (c: ReplicaSetContext): boolean =>
  Object.keys(c.requested).length > 0 || Object.keys(c.expected).length > 0;

/**
 * API path: pods whose creation was asked for and not yet answered. They are this
 * controller's in-memory state (its expectations, by name), and they are live pods:
 * `bounded-overshoot` must count them as soon as they are asked for, as it counts the
 * direct path's requested pods.
 */
const vanillaCreations = (c: ReplicaSetContext) =>
  Object.values(c.pending).flatMap((intent) =>
    intent.op === 'createPod'
      ? [
          {
            kind: 'pod' as const,
            key: intent.key,
            ownerKey: intent.ownerKey,
            ownerUid: c.cache.replicaSets[intent.ownerKey]?.uid ?? '',
            node: null,
            templateRv: 0,
            state: 'requested' as const,
            source: null,
          },
        ]
      : [],
  );

/** API path: the count of every sync still creating pods (see `VanillaSync.target`). */
const vanillaSyncs = (c: ReplicaSetContext) =>
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
    informerRv: c.cache.rv,
    incarnation: c.lease.incarnation,
    clients: [clientReport(c)],
    serverEpochs: serverEpochs(c.server),
  };
};
