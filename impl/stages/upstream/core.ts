/**
 * What the three upstream stage machines (autoscaler, Deployment controller, ReplicaSet
 * controller) share: an informer cache fed by `informer.*` events, API requests as intents
 * paired with their responses by a counter, and the bridge from a plain handler over an
 * immer draft to xstate actions (one `assign`, then one `emit` per effect).
 *
 * Handlers mutate a draft and push effects; they never perform I/O and never read a clock,
 * so a transition is a pure function of (snapshot, event).
 */
import { current, type Draft, freeze, isDraft, produce } from 'immer';
import { enqueueActions } from 'xstate';
import type { Config } from '../../../spec/types/config.js';
import type { ObjectKey, PodKey, Uid } from '../../../spec/types/ids.js';
import { splitKey } from '../../../spec/types/ids.js';
import type {
  DeploymentView,
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../../spec/types/objects.js';
import type { AppliedEvent } from '../../../spec/types/observation.js';
import {
  isLeaseAnswer,
  isLeaseTimer,
  type LeaseState,
  noLease,
  onLeaseAnswer,
  onLeaseTimer,
  startLease,
} from '../controller/lease.js';
import type { ApiIntent, Effect, ObjectView, StageEvent, StageInput } from '../io.js';

/** What a stage's informers have delivered: the objects as of `rv`. */
export interface InformerCache {
  readonly rv: number;
  readonly deployments: Readonly<Record<ObjectKey, DeploymentView>>;
  readonly replicaSets: Readonly<Record<ObjectKey, ReplicaSetView>>;
  readonly templatePods: Readonly<Record<ObjectKey, TemplatePodView>>;
  readonly pods: Readonly<Record<PodKey, PodView>>;
  readonly nodes: Readonly<Record<string, NodeView>>;
}

const emptyCache = (): InformerCache => ({
  rv: 0,
  deployments: {},
  replicaSets: {},
  templatePods: {},
  pods: {},
  nodes: {},
});

/** Memory every upstream stage has; all of it is lost in a crash (the actor is discarded). */
export interface CoreContext {
  readonly input: StageInput;
  readonly cache: InformerCache;
  /** The next API request id (ids pair `api.done` with its intent). */
  readonly nextRequestId: number;
  /** Requests sent and not yet answered, by id. */
  readonly pending: Readonly<Record<number, ApiIntent>>;
  /** How far every informer of this stage has delivered (`informer.progress`). */
  readonly progressRv: number;
  /** This process's Lease: its incarnation, 0 until taken (common/lease.ts). */
  readonly lease: LeaseState;
  /** Every informer has listed (`informer.synced`). */
  readonly informerSynced: boolean;
}

export const coreContext = (input: StageInput): CoreContext => ({
  input,
  cache: emptyCache(),
  nextRequestId: 1,
  pending: {},
  progressRv: 0,
  lease: noLease,
  informerSynced: false,
});

/** Informer progress: the least resourceVersion every informer of the stage has passed. */
export const onProgress = (d: Draft<CoreContext>, rv: number): void => {
  d.progressRv = Math.max(d.progressRv, rv);
};

/** On `start`, on a lease answer, on the lease retry timer: the lease flow (common/lease.ts). */
export const onLease = (d: Draft<CoreContext>, event: StageEvent, out: Effect[]): void => {
  const id = d.input.id;
  const lease = d.lease as LeaseState;
  const step =
    event.type === 'start'
      ? startLease(id)
      : isLeaseAnswer(event)
        ? onLeaseAnswer(id, lease, event)
        : onLeaseTimer(id, lease);
  d.lease = step.lease;
  out.push(...step.effects);
};

/** Guards shared by the leased upstream stages. */
export const leaseGuards = {
  leaseAnswer: ({ event }: { event: StageEvent }) => isLeaseAnswer(event),
  leaseTimer: ({ event }: { event: StageEvent }) => isLeaseTimer(event),
  /** Leave `syncing` only with the informers listed and the Lease held. */
  leasedAndSynced: ({ context }: { context: CoreContext }) =>
    context.informerSynced && context.lease.incarnation > 0,
};

/** A handler: changes the draft, pushes the effects of this step in order. */
type Handler<C, E> = (draft: Draft<C>, event: E, out: Effect[]) => void;

/**
 * An xstate action running a handler. The context is replaced by the handler's result and
 * every effect becomes an `emit`, which `collectEffects` (io.ts) reads back.
 */
export const run = <C extends object, E extends StageEvent>(handler: Handler<C, E>): never =>
  enqueueActions(({ context, event, enqueue }) => {
    const out: Effect[] = [];
    const next = produce(context as C, (d) => handler(d, event as E, out));
    if (next !== context) enqueue.assign(() => next as never);
    for (const effect of out) enqueue.emit(effect as never);
  }) as never;

/** Sends an API request; its answer arrives as `api.done` with the same id. */
export const request = (d: Draft<CoreContext>, intent: ApiIntent, out: Effect[]): number => {
  const id = d.nextRequestId;
  d.nextRequestId += 1;
  d.pending[id] = intent as Draft<ApiIntent>;
  out.push({ type: 'api', id, intent });
  return id;
};

/** Is a request of this op for this key still unanswered? (At most one at a time.) */
export const inFlight = (c: CoreContext, op: ApiIntent['op'], key: string): boolean =>
  Object.values(plain(c.pending)).some((i) => i.op === op && 'key' in i && i.key === key);

export const applied = (event: AppliedEvent, out: Effect[]): void => {
  out.push({ type: 'applied', event });
};

/**
 * Informer delivery: the cache follows the watch, uid-aware (a re-created object replaces).
 * The table is replaced by a plain copy with the change (`withEntry`) rather than changed
 * through the draft, so that the handler's later reads of it stay plain (see `plain`).
 */
export const onInformerEvent = (
  d: Draft<CoreContext>,
  event: Extract<StageEvent, { type: 'informer.upsert' | 'informer.delete' }>,
): void => {
  d.cache.rv = Math.max(d.cache.rv, event.rv);
  const name = tableOf(event.object);
  const table = plain(d.cache[name] as Readonly<Record<string, unknown>>);
  const key = keyOfView(event.object);
  if (event.type === 'informer.upsert') {
    d.cache[name] = withEntry(table, key, event.object.view) as never;
    return;
  }
  // A delete for an older incarnation of the name must not remove the newer object.
  const held = table[key] as { uid?: Uid } | undefined;
  if (held?.uid === uidOfView(event.object))
    d.cache[name] = withEntry(table, key, undefined) as never;
};

const tableOf = (object: ObjectView): Exclude<keyof InformerCache, 'rv'> => {
  switch (object.kind) {
    case 'Deployment':
      return 'deployments';
    case 'ReplicaSet':
      return 'replicaSets';
    case 'TemplatePod':
      return 'templatePods';
    case 'Pod':
      return 'pods';
    case 'Node':
      return 'nodes';
  }
};

const keyOfView = (object: ObjectView): string =>
  object.kind === 'Node' ? object.view.name : object.view.key;

const uidOfView = (object: ObjectView): Uid | undefined =>
  object.kind === 'Node' ? undefined : object.view.uid;

/** How a stage indexes its in-memory pod cache (switch `cacheKey`). */
export const cacheKeyOf = (config: Config, pod: PodKey): string =>
  config.switches.cacheKey === 'name' ? splitKey(pod).name : pod;

export const podsOwnedBy = (cache: InformerCache, ownerUid: Uid): PodView[] =>
  Object.values(plain(cache.pods)).filter((p) => p.ownerUid === ownerUid);

export const templateOf = (cache: InformerCache, ownerUid: Uid): TemplatePodView | undefined =>
  Object.values(plain(cache.templatePods)).find((t) => t.ownerUid === ownerUid);

/**
 * A record to read, not to change, as plain data: inside a handler it is an immer draft, and
 * reading every entry of a draft makes a proxy per entry (and a copy of the record), which
 * was most of the cost of a step with thousands of pods. `current` gives the draft's base
 * when it is unmodified, else one shallow copy. Never write through what this returns.
 */
export const plain = <T>(value: T): T =>
  isDraft(value) ? (current(value as Draft<T>) as T) : value;

/** Sorted keys: iteration order never depends on insertion order (determinism). */
export const sortedKeys = (record: object): string[] => Object.keys(record).sort();

/** The retry period of failed API writes and of stuck handshakes. */
export const RETRY_MS = 1000;

/**
 * A plain copy of `record` with `key` set to `value` (removed for undefined), to assign over
 * the draft's record: the copy costs what immer's own copy-on-write would, and the record
 * stays plain for the rest of the handler, so reading it is cheap (a draft's record once
 * changed makes `plain` copy it again).
 */
export const withEntry = <V>(
  record: Readonly<Record<string, V>>,
  key: string,
  value: V | undefined,
): Readonly<Record<string, V>> => {
  const next = { ...plain(record) };
  if (value === undefined) delete next[key];
  else next[key] = freeze(value, true);
  // Frozen as immer would freeze it at the end of the step; immer skips frozen values, so it
  // does not walk the whole record again looking for drafts.
  return Object.freeze(next);
};
