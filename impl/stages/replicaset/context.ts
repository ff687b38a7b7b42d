/**
 * The ReplicaSet controller's memory (all of it lost in a crash) and the pure readings of
 * it that both its paths share: the count it drives a ReplicaSet towards, its live pods.
 */
import type { ObjectKey, PodKey } from '../../../spec/types/ids.js';
import { splitKey } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type { PodView, ReplicaSetView } from '../../../spec/types/objects.js';
import type { ClientContext } from '../controller/client-link.js';
import { withKey } from '../controller/context.js';
import type { HeldCount } from '../controller/counts.js';
import { groupOf } from '../controller/grouped-by.js';
import { podsOwnedBy } from '../controller/informer.js';
import type { Written } from '../controller/written.js';
import type { PendingRound2, ServerLinks } from '../link/index.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

/** A pod requested from the scheduler and not yet seen persisted. */
export interface RequestedPod extends PodEntry {
  readonly state: 'requested';
}

/** The vanilla path's bookkeeping per ReplicaSet: expectations and the slow-start batch. */
export interface VanillaSync {
  /** Creations (deletions) issued whose pod the informer has not shown (gone) yet. */
  readonly expectAdds: number;
  readonly expectDels: number;
  /** Pods of this sync not yet asked for, the size of the batch in flight, its answers due. */
  readonly remaining: number;
  readonly batch: number;
  readonly inBatch: number;
  /** A creation failed: wait for the resync timer before the next sync. */
  readonly backoff: boolean;
  /**
   * `spec.replicas` when this sync began. Like the Kubernetes controller, a sync runs its
   * slow-start batches to the end on the count it started with, so this is a desired count
   * the controller still holds (and `bounded-overshoot` must allow) until the sync is done.
   */
  readonly target: number;
  /** The highest resourceVersion of this sync's pods created so far (0: none yet). */
  readonly createdRv: number;
  /**
   * The names of this sync's creations neither observed nor failed yet: an expectation is
   * met once per name, so a creation the controller took for failed (its answer lost) and
   * that then shows up meets none (counting it let a sync stop expecting a pod it had not
   * seen, and overshoot: `kd check` seed 14, bounded-overshoot-6).
   */
  readonly awaited: readonly string[];
}

export interface ReplicaSetContext extends ClientContext {
  /** Server end of `deployment -> replicaset`: the current epoch per source. */
  readonly server: ServerLinks;
  /** Desired counts from the Deployment controller, until seen written back. */
  readonly desired: Readonly<Record<ObjectKey, HeldCount>>;
  /** Pods sent to the scheduler, until seen persisted: by cache key (switch `cacheKey`). */
  readonly requested: Readonly<Record<string, RequestedPod>>;
  /** `schedulePodsPayload: count`: pods asked for by number and not seen yet, per ReplicaSet. */
  readonly expected: Readonly<Record<ObjectKey, number>>;
  /** Pod names minted in this incarnation, per ReplicaSet (`<rs>-<incarnation>-<n>`). */
  readonly minted: Readonly<Record<ObjectKey, number>>;
  /** Status this incarnation last wrote (`replicas/ready`), per ReplicaSet. */
  readonly statusWritten: Readonly<Record<ObjectKey, Written<string>>>;
  /** ReplicaSets a GET showed to exist although the informer does not show them yet. */
  readonly seenByGet: Readonly<Record<ObjectKey, true>>;
  /** `round2Read: quorum`: an accepted reply waiting for its pod GETs. */
  readonly reads: PendingRound2 | null;
  readonly vanilla: Readonly<Record<ObjectKey, VanillaSync>>;
  /**
   * The Deployment controller's round 2 reached this incarnation: counts a crash lost were
   * re-sent, so the persisted count is no longer a stale stand-in for them.
   */
  readonly upstreamSynced: boolean;
}

/**
 * Does this ReplicaSet's pod creation take the direct path (schedulePods)? Not in mode
 * `api`, not without `kubedirect/managed`, and not with `kubedirect/fallback-scaling`,
 * which sends exactly this hop back to Pod CREATE.
 */
export const createsDirectly = (c: ReplicaSetContext, rs: ReplicaSetView): boolean =>
  c.input.mode === 'direct' && rs.managed && !rs.fallbackScaling;

/** The count this controller drives the ReplicaSet towards: the held one, else the spec. */
export const targetOf = (c: ReplicaSetContext, rs: ReplicaSetView): number =>
  c.desired[rs.key]?.replicas ?? rs.replicas;

export const activePods = (c: ReplicaSetContext, rs: ReplicaSetView): PodView[] =>
  podsOwnedBy(c.informer, rs.uid).filter((p) => !p.deleting);

/** Pods sent on the direct path and not yet seen persisted. */
export const requestedOf = (c: ReplicaSetContext, rs: ReplicaSetView): number =>
  groupOf(c.requested, 'ownerUid', (held) => held.ownerUid, rs.uid).length;

/** Creations the API path asked for and has not yet seen (the sync's unasked rest excluded). */
const vanillaInFlight = (c: ReplicaSetContext, rs: ReplicaSetView): number => {
  const v = c.vanilla[rs.key];
  return v ? Math.max(0, v.expectAdds - v.remaining) : 0;
};

/**
 * Live pods of a ReplicaSet as this controller knows them: persisted pods not being
 * deleted, pods requested on the direct path, count-form expectations, and creations in
 * flight on the API path. Both paths count both, so a label flip from one path to the
 * other mid burst does not create again what the other path has in flight.
 */
export const liveOf = (c: ReplicaSetContext, rs: ReplicaSetView): number =>
  activePods(c, rs).length +
  requestedOf(c, rs) +
  (c.expected[rs.key] ?? 0) +
  vanillaInFlight(c, rs);

/** Entries sent on the scheduler link and not yet seen persisted. */
export const holdsDirty = (c: ReplicaSetContext): boolean =>
  Object.keys(c.requested).length > 0 || Object.keys(c.expected).length > 0;

/** `replicas/ready` over the ReplicaSet's pods that are not being deleted. */
export const statusOf = (c: ReplicaSetContext, rs: ReplicaSetView): string => {
  const pods = activePods(c, rs);
  let ready = 0;
  for (const pod of pods) if (pod.ready) ready += 1;
  return `${pods.length}/${ready}`;
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

/**
 * Deterministic pod names, never reused by a later incarnation (it is in the name): the
 * next `count` of this ReplicaSet's.
 */
export const mintNames = (
  c: ReplicaSetContext,
  rs: ReplicaSetView,
  count: number,
): { readonly context: ReplicaSetContext; readonly names: PodKey[] } => {
  if (count <= 0) return { context: c, names: [] };
  const last = c.minted[rs.key] ?? 0;
  const { namespace, name } = splitKey(rs.key);
  const names = Array.from(
    { length: count },
    (_, i): PodKey => `${namespace}/${name}-${c.lease.incarnation}-${last + i + 1}`,
  );
  return { context: { ...c, minted: withKey(c.minted, rs.key, last + count) }, names };
};

/** Scale-down order: not-ready pods first, then the newest name first (as the model). */
export const deletionOrder = (a: PodView, b: PodView): number =>
  Number(a.ready) - Number(b.ready) || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
