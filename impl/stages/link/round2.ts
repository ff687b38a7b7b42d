/**
 * Round 2 of the handshake, as a client computes it from the server's snapshot S_D, its own
 * retained dirty set S_U (the entries it sent on this link) and what it knows persisted.
 *
 *   S_D \ S_U, not shown by the informer       → adopt   (state the client lost in a crash)
 *   S_D entries whose owner is gone            → discard (the caller decides "gone")
 *   S_U \ (S_D ∪ persisted), lostIdentity:reuse    → re-send under the new epoch
 *   S_U \ (S_D ∪ persisted), lostIdentity:recreate → forget; the stage that owns pod names
 *                                                   re-creates the capacity under fresh names
 *
 * "Persisted" is read per switch `round2Read`: the informer, or a quorum read of the API.
 * Either way a client holds a `PendingRound2` after accepting a reply, until its informers
 * have passed the API's resourceVersion read after the reply and every quorum read has
 * answered (`startReads`, `recordBarrier`, `recordRead`, `round2Ready`).
 */
import type { Epoch, PodKey } from '../../../spec/types/ids.js';
import type { LinkEntry, PodEntry } from '../../../spec/types/messages.js';
import type { ClientLink } from './client.js';

/** What the client sends in its sync, and what the `sync` applied event records. */
export interface Round2Plan {
  readonly entries: readonly LinkEntry[];
  readonly discard: readonly string[];
  readonly adopted: readonly string[];
  readonly resent: readonly string[];
  readonly recreated: readonly string[];
  readonly forgotten: readonly string[];
}

export const emptyPlan: Round2Plan = {
  entries: [],
  discard: [],
  adopted: [],
  resent: [],
  recreated: [],
  forgotten: [],
};

interface PodRound2Input {
  readonly snapshot: readonly LinkEntry[];
  /** S_U: the pod entries this client holds that went (or would go) on this link. */
  readonly held: readonly PodEntry[];
  /** Does the client already hold this pod (under its cache key, on any link)? */
  readonly holds: (key: PodKey) => boolean;
  /** Does the client's informer show this pod? Then it is not adopted (it is not dirty). */
  readonly informerShows: (key: PodKey) => boolean;
  /** Is this held pod persisted, as `round2Read` reads it? Then it is neither re-sent nor lost. */
  readonly persisted: (key: PodKey) => boolean;
  /** Is this reported entry's owner gone? Then it is discarded. Default: never. */
  readonly ownerGone?: (entry: PodEntry) => boolean;
  readonly lostIdentity: 'recreate' | 'reuse';
  /** May this lost entry be re-sent under its name (`reuse`)? Else it is lost. Default: yes. */
  readonly resendable?: (held: PodEntry) => boolean;
}

interface PodRound2 {
  readonly plan: Round2Plan;
  /** Snapshot entries the client now holds. */
  readonly adopt: readonly PodEntry[];
  /** Held entries the server lost: forget them (and, at the namer, replace them). */
  readonly lost: readonly PodEntry[];
}

const isPod = (entry: LinkEntry): entry is PodEntry => entry.kind === 'pod';

/** Round 2 for pod identities (ReplicaSet controller → scheduler, scheduler → kubelet). */
export const planPodRound2 = (input: PodRound2Input): PodRound2 => {
  const reported = new Set(input.snapshot.map((e) => e.key));
  const discard: string[] = [];
  const adopt: PodEntry[] = [];
  for (const entry of input.snapshot.filter(isPod)) {
    if (input.ownerGone?.(entry)) discard.push(entry.key);
    else if (!input.holds(entry.key) && !input.informerShows(entry.key)) adopt.push(entry);
  }
  const resend: PodEntry[] = [];
  const lost: PodEntry[] = [];
  for (const held of input.held) {
    if (reported.has(held.key) || input.persisted(held.key)) continue;
    if (input.lostIdentity === 'reuse' && (input.resendable?.(held) ?? true)) resend.push(held);
    else lost.push(held);
  }
  const plan: Round2Plan = {
    ...emptyPlan,
    entries: resend,
    discard,
    adopted: adopt.map((e) => e.key),
    resent: resend.map((e) => e.key),
    forgotten: lost.map((e) => e.key),
  };
  return { plan, adopt, lost };
};

/** Adds identities minted to replace lost ones (`lostIdentity: recreate`, at the namer). */
export const withRecreated = (plan: Round2Plan, fresh: readonly LinkEntry[]): Round2Plan => ({
  ...plan,
  entries: [...plan.entries, ...fresh],
  recreated: [...plan.recreated, ...fresh.map((e) => e.key)],
});

/** Held entries whose persistence round 2 must settle: S_U \ S_D. */
export const unreported = <E extends { readonly key: string }>(
  snapshot: readonly LinkEntry[],
  held: readonly E[],
): E[] => {
  const reported = new Set(snapshot.map((e) => e.key));
  return held.filter((h) => !reported.has(h.key));
};

/**
 * An accepted reply waiting before round 2 (model-decisions §1): for the API's current
 * resourceVersion, read after the reply arrived (`barrier`), for the client's informers to
 * pass it, and (`round2Read: quorum`) for one GET per held entry the server did not report.
 * The server left out of its snapshot what its own informer showed persisted, so round 2 and
 * the counting after it must see at least that much.
 */
export interface PendingRound2 {
  readonly epoch: Epoch;
  readonly snapshot: readonly LinkEntry[];
  /** Per key: not answered yet, or whether the API has the object. */
  readonly reads: Readonly<Record<string, 'pending' | 'present' | 'absent'>>;
  /** The API's resourceVersion read after the reply (null until the read answers). */
  readonly barrier: number | null;
}

/**
 * The reads a stage keeps for its current handshake's round 2, if that round is still
 * underway: the link handshaking under the reads' epoch (reads of an older handshake are
 * stale). Every client stage asks this of its own reads (`RetryReasons.round2Underway`).
 */
export const underway = <R extends { readonly epoch: string }>(
  reads: R | null | undefined,
  link: ClientLink,
): R | null => (reads && reads.epoch === link.epoch && link.phase === 'handshaking' ? reads : null);

/** Starts the wait; the caller sends `readResourceVersion` and one GET per key. */
export const startReads = (
  epoch: Epoch,
  snapshot: readonly LinkEntry[],
  keys: readonly string[],
): PendingRound2 => ({
  epoch,
  snapshot,
  reads: Object.fromEntries(keys.map((k) => [k, 'pending' as const])),
  barrier: null,
});

export const recordRead = (pending: PendingRound2, key: string, present: boolean): PendingRound2 =>
  pending.reads[key] === 'pending'
    ? { ...pending, reads: { ...pending.reads, [key]: present ? 'present' : 'absent' } }
    : pending;

export const recordBarrier = (pending: PendingRound2, rv: number): PendingRound2 =>
  pending.barrier === null ? { ...pending, barrier: rv } : pending;

const readsDone = (pending: PendingRound2): boolean =>
  Object.values(pending.reads).every((r) => r !== 'pending');

/** Every read answered and the informers (at `informerRv`) past the barrier: round 2 may run. */
export const round2Ready = (pending: PendingRound2, informerRv: number): boolean =>
  readsDone(pending) && pending.barrier !== null && informerRv >= pending.barrier;

/** After the reads: is `key` persisted according to the quorum read? */
export const readShowsPersisted = (pending: PendingRound2, key: string): boolean =>
  pending.reads[key] === 'present';
