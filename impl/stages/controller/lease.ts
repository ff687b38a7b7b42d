/**
 * Taking this stage's Lease on start (coordination.k8s.io/v1, one per leased stage; see
 * `holdsLease` in spec/types/ids.ts): the incarnation a restarted process mints its
 * epochs (`<stage>#<incarnation>.<n>`), pod names and scale versions with, read from state
 * it can really read instead of handed in by whoever started it.
 *
 *   start ─► GET ──ok──► UPDATE transitions+1 (resourceVersion precondition) ──ok──► held
 *             │  └notFound─► CREATE transitions 1 ──────────────────────────────ok──┘
 *             │        conflict / alreadyExists: GET again (someone wrote it first)
 *             └── outage (any request): GET again after LEASE_RETRY_MS
 *
 * Until it holds the Lease the stage does not leave `syncing`, so it neither handshakes
 * nor answers handshakes. Requests use negative ids, apart from the stage's own requests.
 * A late write of a dead process can only raise `leaseTransitions`: the precondition makes
 * the new process read again and take a higher number, so incarnations only grow.
 */
import { leaseKey, type StageId } from '../../../spec/types/ids.js';
import type { Effect, StageEvent } from '../io.js';

export interface LeaseState {
  /** 0 until this process holds its Lease; then the incarnation it mints with. */
  readonly incarnation: number;
  /** The id of the next lease request (negative, counting down). */
  readonly nextId: number;
}

export const LEASE_RETRY_TIMER = 'lease.retry';
const LEASE_RETRY_MS = 100;

export const noLease: LeaseState = { incarnation: 0, nextId: -1 };

type ApiDone = Extract<StageEvent, { type: 'api.done' }>;

interface LeaseStep {
  readonly lease: LeaseState;
  readonly effects: readonly Effect[];
}

/** An answer to one of this stage's lease requests. */
export const isLeaseAnswer = (event: StageEvent): boolean =>
  event.type === 'api.done' && (event.intent.op === 'getLease' || event.intent.op === 'takeLease');

export const isLeaseTimer = (event: StageEvent): boolean =>
  event.type === 'timer' && event.name === LEASE_RETRY_TIMER;

const read = (id: StageId, lease: LeaseState): LeaseStep => ({
  lease: { ...lease, nextId: lease.nextId - 1 },
  effects: [{ type: 'api', id: lease.nextId, intent: { op: 'getLease', key: leaseKey(id) } }],
});

const take = (
  id: StageId,
  lease: LeaseState,
  transitions: number,
  resourceVersion: number | null,
): LeaseStep => ({
  lease: { ...lease, nextId: lease.nextId - 1 },
  effects: [
    {
      type: 'api',
      id: lease.nextId,
      intent: { op: 'takeLease', key: leaseKey(id), holder: id, transitions, resourceVersion },
    },
  ],
});

const later = (lease: LeaseState): LeaseStep => ({
  lease,
  effects: [{ type: 'timer.set', name: LEASE_RETRY_TIMER, afterMs: LEASE_RETRY_MS }],
});

/** On `start`: read the Lease. */
export const startLease = (id: StageId): LeaseStep => read(id, noLease);

/** The retry timer fired: read again (unless the Lease is already held). */
export const onLeaseTimer = (id: StageId, lease: LeaseState): LeaseStep =>
  lease.incarnation > 0 ? { lease, effects: [] } : read(id, lease);

/** An answer to a lease request. */
export const onLeaseAnswer = (id: StageId, lease: LeaseState, event: StageEvent): LeaseStep => {
  if (lease.incarnation > 0 || !isLeaseAnswer(event)) return { lease, effects: [] };
  const done = event as ApiDone;
  if (done.outcome === 'outage') return later(lease);
  if (done.intent.op === 'getLease') {
    if (done.outcome === 'notFound') return take(id, lease, 1, null);
    if (done.outcome !== 'ok' || !done.lease) return read(id, lease);
    return take(id, lease, done.lease.transitions + 1, done.lease.rv);
  }
  if (done.outcome !== 'ok' || !done.lease) return read(id, lease);
  return { lease: { ...lease, incarnation: done.lease.transitions }, effects: [] };
};
