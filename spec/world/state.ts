/**
 * The whole system as one immutable value: the API Server, every stage's memory, the
 * sessions of the direct links, the messages in flight, the remaining fault budgets and the
 * ghost history the properties read. A step never changes it: it builds the next state,
 * sharing every part it leaves as it was (`Step`, spec/stages/common.ts).
 *
 * Maps are plain records keyed by strings; `key.ts` serialises them in sorted key order, so
 * the order in which entries were inserted never leaks into a state's identity.
 */
import type { Budgets } from '../types/config.js';
import type { Epoch, LinkId, NodeName, ObjectKey, PodKey, StageId } from '../types/ids.js';
import type { CountEntry, LinkEntry, Message, PodEntry } from '../types/messages.js';
import type { ApiObjects } from '../types/objects.js';
import type {
  AppliedEvent,
  Ghost,
  LinkPhase,
  PodEntryState,
  StagePhase,
} from '../types/observation.js';

/** What one stage's informer has observed: the API objects as of `rv` (a past API state). */
export interface InformerView {
  readonly rv: number;
  readonly objects: ApiObjects;
}

interface ApiState extends ApiObjects {
  readonly up: boolean;
  readonly rv: number;
  readonly uidCounter: number;
  /**
   * `spec.leaseTransitions` of each leased stage's Lease (ids.ts `holdsLease`). Not in
   * `ApiObjects`: no informer watches Leases and no property reads them.
   */
  readonly leases: Readonly<Partial<Record<StageId, number>>>;
}

/** A write-back entry as a stage holds it, keyed in the stage's cache by `cacheKey`. */
export interface HeldPod extends PodEntry {
  readonly state: PodEntryState;
  /** The pod spec the kubelet materialised ('' until it has). */
  readonly templateHash: string;
  /** The last API write for this entry failed; the next attempt is a retry. */
  readonly failed: boolean;
}

export interface HeldCount extends CountEntry {
  /** The write-back was issued in this incarnation; wait for the informer to show it. */
  readonly written: boolean;
}

/** Memory every stage has; all of it is lost in a crash. */
export interface StageCore {
  readonly id: StageId;
  /**
   * The number epochs and names are minted with. A leased stage reads it from its Lease
   * after a restart (0 until it holds it); the others' is only the process count.
   */
  readonly incarnation: number;
  readonly phase: StagePhase;
  /** Handshakes minted in this incarnation (the epoch counter). */
  readonly epochs: number;
  readonly view: InformerView;
}

interface AutoscalerState extends StageCore {
  /** Desired count per function that this incarnation already wrote to the API (or sent). */
  readonly written: Readonly<Record<ObjectKey, number>>;
  /** `autoscalerLink: 'direct'`: deployment.scale sent, not yet known written back. */
  readonly held: Readonly<Record<ObjectKey, HeldCount>>;
  /** Scale versions minted in this incarnation (see `mintScaleVersion`). */
  readonly versions: number;
}

export interface DeploymentCtlState extends StageCore {
  /** replicaset.scale sent, not yet seen persisted: by ReplicaSet key. */
  readonly counts: Readonly<Record<ObjectKey, HeldCount>>;
  /** Deployment status this incarnation last wrote (`replicas/ready`), by Deployment key. */
  readonly statusWritten: Readonly<Record<ObjectKey, string>>;
  /**
   * `autoscalerLink: 'direct'`: desired counts received from the autoscaler, by Deployment
   * key, until the informer shows them written back to `spec.replicas`.
   */
  readonly scales: Readonly<Record<ObjectKey, HeldCount>>;
}

export interface ReplicaSetCtlState extends StageCore {
  /** Desired counts received from the Deployment controller, not yet seen written back. */
  readonly desired: Readonly<Record<ObjectKey, HeldCount>>;
  /** Pods requested from the scheduler, not yet seen persisted: by cache key. */
  readonly requested: Readonly<Record<string, HeldPod>>;
  /** `schedulePodsPayload: count`: pods asked for by count and not yet seen, per ReplicaSet. */
  readonly expected: Readonly<Record<ObjectKey, number>>;
  /**
   * Pod names minted in this incarnation, per ReplicaSet (names are
   * `<rs>-<incarnation>-<counter>`; like generateName suffixes, they can collide across
   * namespaces, which is what a name-only cache key trips over).
   */
  readonly minted: Readonly<Record<ObjectKey, number>>;
  /** Status this incarnation last wrote, per ReplicaSet (`replicas/ready`). */
  readonly statusWritten: Readonly<Record<ObjectKey, string>>;
  /**
   * The Deployment controller's round 2 reached this incarnation: counts a crash lost were
   * re-sent, so the persisted count is no longer a stale stand-in for them.
   */
  readonly upstreamSynced: boolean;
  /**
   * Pods this incarnation asked the API to delete, not yet seen deleting or gone: its
   * deletion expectations (Kubernetes' ReplicaSet controller keeps them too). It neither
   * counts them in its surplus nor picks them again. A restarted controller has none and may
   * ask again; a repeated delete is harmless.
   */
  readonly deleted: Readonly<Record<PodKey, true>>;
}

export interface SchedulerState extends StageCore {
  /** Pending and assumed pods, by cache key. */
  readonly pods: Readonly<Record<string, HeldPod>>;
  /** `schedulePodsPayload: count`: names the scheduler minted itself. */
  readonly minted: number;
}

export interface KubeletState extends StageCore {
  readonly node: NodeName;
  /** False once the node is lost. */
  readonly alive: boolean;
  /** Bound pods not yet seen persisted, by cache key. */
  readonly bound: Readonly<Record<string, HeldPod>>;
  /** Pods this incarnation exposed: a late duplicate bind for one of them is ignored. */
  readonly tombstones: Readonly<Record<string, true>>;
  /** Running sandboxes: they survive a kubelet crash, not a node loss. */
  readonly sandboxes: Readonly<
    Record<PodKey, { readonly ownerUid: string; readonly templateHash: string }>
  >;
}

/** Both ends of a direct link. */
export interface LinkState {
  readonly id: LinkId;
  readonly client: StageId;
  readonly server: StageId;
  readonly phase: LinkPhase;
  /** The client's epoch for its latest handshake. */
  readonly epoch: Epoch | null;
  /** The server's current epoch for this source. */
  readonly serverEpoch: Epoch | null;
  /** `fence: none` only: data messages admitted but not yet applied at the server. */
  readonly admitted: readonly Message[];
  /** An accepted handshake reply whose round 2 waits for the client's informer to be fresh. */
  readonly round2: PendingRound2 | null;
  /**
   * What a handshake on this link would find, as of the client's latest handshake
   * (`recheck.ts`): a re-check timer firing while it is still the same would learn nothing
   * new, so the model leaves that firing out (null: no handshake yet).
   */
  readonly checked: string | null;
}

/**
 * Round 2 waits until the client's informer is at least as new as the API was after the
 * reply arrived (model-decisions §1), which the client learns as a real client does: it reads
 * the API's current resourceVersion (`read`: with the reply if the API is up, else a step of
 * its own once it is back), then, if its informer is behind, waits for a delivery (`wait`;
 * any delivery jumps the view to the API's newest state) and runs round 2 in that step.
 * Faults may strike between the read and round 2.
 */
export interface PendingRound2 {
  readonly snapshot: readonly LinkEntry[];
  readonly freshness: 'read' | 'wait';
}

export type Remaining = { -readonly [K in keyof Budgets]: number };

/**
 * The ghost as the world keeps it: deleted pods as a record of keys (a step copies it on
 * write, the state key serialises it); the Observation asks it by key (`observedGhost`,
 * observe.ts).
 */
export type WorldGhost = Omit<Ghost, 'deletedPods'> & {
  readonly deletedPods: Readonly<Record<PodKey, true>>;
};

export interface WorldState {
  readonly api: ApiState;
  readonly autoscaler: AutoscalerState;
  readonly deployment: DeploymentCtlState;
  readonly replicaset: ReplicaSetCtlState;
  readonly scheduler: SchedulerState;
  readonly kubelets: Readonly<Record<NodeName, KubeletState>>;
  readonly links: Readonly<Record<string, LinkState>>;
  /** Messages in flight: a multiset, kept in send order; the state key sorts it. */
  readonly net: readonly Message[];
  /** The autoscaler's desired count per function: the load, chosen by the environment. */
  readonly load: Readonly<Record<ObjectKey, number>>;
  readonly budgets: Remaining;
  readonly ghost: WorldGhost;
  /** Not part of the state's identity: the step count and the last step's events. */
  readonly step: number;
  readonly events: readonly AppliedEvent[];
}
