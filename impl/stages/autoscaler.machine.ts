/**
 * Autoscaler: turns the load of each function into a desired replica count and writes it
 * as the Deployment's `scale` (intent `scaleDeployment`), the artifact's API hop.
 *
 * Neighbours: the environment (`load` events) above; the API Server below, where the
 * Deployment controller picks the count up through its informer. No direct link.
 *
 *   start ─► syncing ──informer.synced──► serving
 *                                           │ load ≠ written ─► scaleDeployment ─► api.done
 *                                           │   ok / notFound ─► written
 *                                           └── outage, conflict ─► timer ─► write again
 *
 * Assumptions: the load event carries the desired count itself (the model's `load` is the
 * desired count). The autoscaler needs no informer: it remembers what this incarnation
 * wrote, and a restarted one rewrites every count (an update to the same value is a
 * no-op); like the model it still waits for one (empty) `informer.synced` before serving.
 * One write per Deployment is in flight at a time; a newer load waits for its answer.
 *
 * Left out: `autoscalerLink: 'direct'` (the client of `autoscaler -> deployment`). The
 * model refuses that switch when it builds the world and never sends `deployment.scale`;
 * this machine refuses it the same way, at creation, so no run can claim to check it.
 */
import type { Draft } from 'immer';
import { type SnapshotFrom, setup } from 'xstate';
import type { ObjectKey } from '../../spec/types/ids.js';
import type { Effect, StageEvent, StageInput, StageReport } from './io.js';
import {
  type CoreContext,
  coreContext,
  inFlight,
  RETRY_MS,
  request,
  run,
  sortedKeys,
} from './upstream/core.js';

export interface AutoscalerContext extends CoreContext {
  /** The desired count per function (Deployment key), as the load last said. */
  readonly load: Readonly<Record<ObjectKey, number>>;
  /** The count this incarnation last wrote successfully, per Deployment. */
  readonly written: Readonly<Record<ObjectKey, number>>;
}

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Ctx = Draft<AutoscalerContext>;

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
    onTimer: run<AutoscalerContext, Ev<'timer'>>((d, _e, out) => writeAll(d, out)),
    writeAll: run<AutoscalerContext, StageEvent>((d, _e, out) => writeAll(d, out)),
    onLoadWhileSyncing: run<AutoscalerContext, Ev<'load'>>((d, e) => {
      d.load[e.deployment] = e.load;
    }),
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => {
    if (input.config.switches.autoscalerLink === 'direct')
      throw new Error("autoscalerLink 'direct' is not modelled (see spec/stages/autoscaler.ts)");
    return { ...coreContext(input), load: {}, written: {} };
  },
  initial: 'syncing',
  states: {
    syncing: {
      on: {
        'informer.synced': { target: 'serving' },
        load: { actions: 'onLoadWhileSyncing' },
      },
    },
    serving: {
      entry: 'writeAll',
      on: {
        load: { actions: 'onLoad' },
        'api.done': { actions: 'onApiDone' },
        timer: { actions: 'onTimer' },
      },
    },
  },
});

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
  if (intent?.op !== 'scaleDeployment') return;
  delete d.pending[e.id];
  if (e.outcome !== 'ok' && e.outcome !== 'notFound') {
    // The write may still have been applied (a timeout: its answer was lost), so the count
    // persisted is unknown: forget what was written, and the retry writes the load again.
    delete d.written[intent.key];
    out.push({ type: 'timer.set', name: timerName(intent.key), afterMs: RETRY_MS });
    return;
  }
  d.written[intent.key] = intent.replicas;
  // The load may have moved while the write was in flight.
  write(d, intent.key, out);
};

const writeAll = (d: Ctx, out: Effect[]): void => {
  for (const key of sortedKeys(d.load)) write(d, key, out);
};

/** Writes the current count unless it is written or a write is already in flight. */
const write = (d: Ctx, key: ObjectKey, out: Effect[]): void => {
  const replicas = d.load[key];
  if (replicas === undefined || d.written[key] === replicas) return;
  if (inFlight(d, 'scaleDeployment', key)) return;
  request(d, { op: 'scaleDeployment', key, replicas }, out);
};

const timerName = (key: ObjectKey): string => `scale:${key}`;

export const report = (snapshot: SnapshotFrom<typeof autoscalerMachine>): StageReport => ({
  phase: snapshot.value === 'syncing' ? 'syncing' : 'serving',
  // Nothing here is a write-back entry: the count goes straight to the API.
  dirty: [],
  informerRv: snapshot.context.cache.rv,
  clients: [],
  serverEpochs: {},
});
