/**
 * The memory every leased controller stage starts from (the autoscaler, the Deployment and
 * ReplicaSet controllers): its informer cache, its API requests paired with their answers
 * by id, its informers' progress and its Lease. All of it is lost in a crash (the actor is
 * discarded). Helpers here follow `step.ts`: `(context, …, out) => context`.
 */
import type { AppliedEvent } from '../../../spec/types/observation.js';
import type { ApiIntent, Effect, StageEvent, StageInput } from '../io.js';
import { someOf } from './grouped-by.js';
import { applyInformer, emptyInformer, type InformerCache } from './informer.js';
import {
  isLeaseAnswer,
  isLeaseTimer,
  type LeaseState,
  noLease,
  onLeaseAnswer,
  onLeaseTimer,
  startLease,
} from './lease.js';
import { copyTable, withEntry } from './tables.js';

export interface ControllerContext {
  readonly input: StageInput;
  readonly informer: InformerCache;
  /** The next API request id (ids pair `api.done` with its intent). */
  readonly nextRequestId: number;
  /** Requests sent and not yet answered, by id. */
  readonly pending: Readonly<Record<number, ApiIntent>>;
  /** How far every informer of this stage has delivered (`informer.progress`). */
  readonly progressRv: number;
  /** This process's Lease: its incarnation, 0 until taken (lease.ts). */
  readonly lease: LeaseState;
  /** Every informer has listed (`informer.synced`). */
  readonly informerSynced: boolean;
}

export const controllerContext = (input: StageInput): ControllerContext => ({
  input,
  informer: emptyInformer,
  nextRequestId: 1,
  pending: {},
  progressRv: 0,
  lease: noLease,
  informerSynced: false,
});

type InformerChange = Extract<StageEvent, { type: 'informer.upsert' | 'informer.delete' }>;

/**
 * Informer delivery: the cache follows the watch. (`informer.synced` is the stage's own
 * business: it sets `informerSynced` and leaves the cache as it is.)
 */
export const onInformerChange = <C extends ControllerContext>(c: C, event: InformerChange): C => ({
  ...c,
  informer: applyInformer(c.informer, event),
});

/** Informer progress: the least resourceVersion every informer of the stage has passed. */
export const onProgress = <C extends ControllerContext>(c: C, rv: number): C =>
  rv > c.progressRv ? { ...c, progressRv: rv } : c;

/** On `start`, on a lease answer, on the lease retry timer: the lease flow (lease.ts). */
export const onLease = <C extends { readonly input: StageInput; readonly lease: LeaseState }>(
  c: C,
  event: StageEvent,
  out: Effect[],
): C => {
  const id = c.input.id;
  const step =
    event.type === 'start'
      ? startLease(id)
      : isLeaseAnswer(event)
        ? onLeaseAnswer(id, c.lease, event)
        : onLeaseTimer(id, c.lease);
  out.push(...step.effects);
  return { ...c, lease: step.lease };
};

/** Guards shared by the leased stages. */
export const leaseGuards = {
  leaseAnswer: ({ event }: { event: StageEvent }) => isLeaseAnswer(event),
  leaseTimer: ({ event }: { event: StageEvent }) => isLeaseTimer(event),
  /** Leave `syncing` only with the informers listed and the Lease held. */
  leasedAndSynced: ({ context }: { context: ControllerContext }) =>
    context.informerSynced && context.lease.incarnation > 0,
};

/** Sends an API request; its answer arrives as `api.done` with the same id. */
export const request = <C extends ControllerContext>(c: C, intent: ApiIntent, out: Effect[]): C =>
  requestAll(c, [intent], out);

/** Sends several requests in order, copying the pending table once for all of them. */
export const requestAll = <C extends ControllerContext>(
  c: C,
  intents: readonly ApiIntent[],
  out: Effect[],
): C => {
  if (intents.length === 0) return c;
  const pending = copyTable(c.pending);
  let id = c.nextRequestId;
  for (const intent of intents) {
    out.push({ type: 'api', id, intent });
    pending[id] = intent;
    id += 1;
  }
  return { ...c, nextRequestId: id, pending };
};

/** The request of this id is answered: it is pending no more. */
export const answered = <C extends ControllerContext>(c: C, id: number): C => {
  if (c.pending[id] === undefined) return c;
  const pending = copyTable(c.pending);
  delete pending[id];
  return { ...c, pending };
};

const opKey = (op: ApiIntent['op'], key: string): string => `${op} ${key}`;

/**
 * Is a request of this op for this key still unanswered? (At most one at a time.) Looked up
 * in the pending table's requests grouped by op and key, made once per table (a pass per
 * call was 36 % of a 300-function burst's CPU, once per Deployment per event); a table of a
 * few requests, the usual case, is scanned.
 */
export const inFlight = (c: ControllerContext, op: ApiIntent['op'], key: string): boolean =>
  someOf(
    c.pending,
    'op key',
    pendingOpKey,
    opKey(op, key),
    (i) => i.op === op && 'key' in i && i.key === key,
  );

const pendingOpKey = (i: ApiIntent): string => ('key' in i ? opKey(i.op, i.key) : '');

export const applied = (event: AppliedEvent, out: Effect[]): void => {
  out.push({ type: 'applied', event });
};

/** Sorted keys: iteration order never depends on insertion order (determinism). */
export const sortedKeys = (record: object): string[] => Object.keys(record).sort();

/** The retry period of failed API writes and of stuck handshakes. */
export const RETRY_MS = 1000;

/** A copy of `record` with `key` set to `value`, or removed for undefined. */
export const withKey = <V>(
  record: Readonly<Record<string, V>>,
  key: string,
  value: V | undefined,
): Readonly<Record<string, V>> => {
  if (value === undefined && !(key in record)) return record;
  return withEntry(record, key, value);
};

/** `record` without the entries `drop` picks; the same record when it picks none. */
export const without = <V>(
  record: Readonly<Record<string, V>>,
  drop: (key: string, value: V) => boolean,
): Readonly<Record<string, V>> => {
  const kept = Object.entries(record).filter(([key, value]) => !drop(key, value));
  return kept.length === Object.keys(record).length ? record : Object.fromEntries(kept);
};
