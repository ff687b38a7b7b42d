/**
 * The configuration a run is checked under: topology and workload bounds (a preset), the
 * design switches of protocol.md §10 (a profile), and at most one mutant.
 *
 * Every switch is honoured by the model and, with the same names, by the implementation.
 * `hardened` is our design and every property must hold under it; `artifact` is the
 * behaviour the artifact's code shows; a mutant flips one switch (or injects one defect)
 * from `hardened` and names the property that must catch it.
 */
import type { NodeName, StageKind } from './ids.js';

export interface Switches {
  /** What `scheduler.schedulePods` carries: pod names (idempotent) or a count (artifact). */
  readonly schedulePodsPayload: 'names' | 'count';
  /** How stages index their in-memory caches: `namespace/name`, or the bare name (artifact). */
  readonly cacheKey: 'namespacedName' | 'name';
  /** Whether round 2 (sync) runs after the handshake reply, or the link connects at once. */
  readonly round2: 'resend' | 'none';
  /**
   * What happens to a pod identity that the downstream lost: the ReplicaSet controller
   * replaces it under a fresh name and lower stages forget it (`recreate`), or the same
   * identity is re-sent (`reuse`, which can resurrect a pod that was persisted and deleted).
   */
  readonly lostIdentity: 'recreate' | 'reuse';
  /** Round-2 decisions read the API with a consistent (quorum) read, or the informer. */
  readonly round2Read: 'quorum' | 'informer';
  /** A restarted middle stage recovers its downstream before answering upstream. */
  readonly recovery: 'bottomUp' | 'topDown';
  /** Handshake and data-message processing are serialized per source (the fence). */
  readonly fence: 'exclusive' | 'none';
  /** Servers refuse data messages whose epoch is not the current one for their source. */
  readonly serverEpochCheck: boolean;
  /** Clients ignore a handshake reply whose epoch is not the one they sent last. */
  readonly clientReplyCheck: boolean;
  /** Servers ignore a handshake older than the epoch they hold for that source. */
  readonly monotoneEpochs: boolean;
  /** How the autoscaler's desired count reaches the Deployment controller. */
  readonly autoscalerLink: 'direct' | 'api';
  /** The kubelet materialises a pod only from a template it has in its informer. */
  readonly exposeRequiresTemplate: boolean;
  /**
   * Before an expose, the kubelet (and the scheduler's fallback create) looks for the owner
   * ReplicaSet in its own informer and drops the entry if it sees the owner gone. Best
   * effort: Kubernetes does not check owner references on create.
   */
  readonly exposeChecksOwner: boolean;
  /** The kubelet drops its in-memory entry once it observes the pod persisted. */
  readonly evictOnPersist: boolean;
  /** The kubelet remembers pods it exposed, so a late duplicate bind cannot re-create one. */
  readonly kubeletTombstones: boolean;
  /** The kubelet drops in-memory entries whose template it knows was deleted. */
  readonly dropOrphanedEntries: boolean;
  /** The scheduler counts assumed (in-flight) pods against node capacity. */
  readonly schedulerCountsInflight: boolean;
  /** The kubelet patches status only (true) or writes its whole in-memory pod (false). */
  readonly statusPatchOnly: boolean;
  /** The kubelet marks a running pod Ready (off only as an injected defect). */
  readonly markReady: boolean;
  /** The ReplicaSet controller keeps the ReplicaSet's status (off only as an injected defect). */
  readonly writeStatus: boolean;
  /**
   * The kubelet stops a deleted pod's sandbox in the step that removes its object (off only as
   * an injected defect: the object goes first and the sandbox runs on, unknown, until swept).
   */
  readonly stopBeforeRemove: boolean;
  /**
   * A client re-validates entries it adopted in round 2 with its server (a re-check
   * handshake): the snapshot they came from may be stale by the time round 2 runs. Off only
   * as an injected defect (an adopted entry persisted and deleted since stays held for good).
   */
  readonly revalidateAdopted: boolean;
  /**
   * The scheduler frees the slot of a pod it assumed on a node only on evidence that the slot
   * is free or counted elsewhere: the API shows the pod, the node is lost, or the node's
   * kubelet no longer reports it in round 2 (off: also when its owner is deleted, although
   * the kubelet, whose informer may lag, still holds it and may run it).
   */
  readonly holdSlotUntilFreed: boolean;
  /**
   * Writes of `ReplicaSet.spec.replicas` carry the resourceVersion they were decided on (a
   * Kubernetes precondition: 409 if the object changed since), so a write of a crashed
   * incarnation still on the wire cannot land over a newer count (off: a plain patch).
   */
  readonly writeBackPrecondition: boolean;
  /**
   * Servers admit a data message only if its whole epoch is the current one (off: only its
   * incarnation is compared, so a re-handshake within one incarnation fences nothing).
   */
  readonly fenceWholeEpoch: boolean;
  /**
   * The kubelet's handshake snapshot reports its bound pods in every state (off: it leaves
   * out those still `exposing`, whose CREATE was not yet accepted).
   */
  readonly snapshotExposing: boolean;
  /**
   * A client's epoch counter runs for its whole incarnation (off: it starts again whenever a
   * link reconnects after its connection broke, so a handshake can reuse an earlier epoch).
   */
  readonly epochCounterPerIncarnation: boolean;
  /**
   * A restarted ReplicaSet controller scales down only once its upstream's round 2 reached
   * it (off: it deletes down to the persisted count at once, although the Deployment
   * controller may be about to re-send the newer count the crash lost).
   */
  readonly scaleDownAfterUpstreamSync: boolean;
  /**
   * The Deployment controller's round-2 sync carries, besides the counts it holds, the count
   * of every direct ReplicaSet whose persisted count is not its Deployment's (what its
   * reconcile would send next), so the sync a restarted ReplicaSet controller waits for
   * before scaling down has the current counts even when the Deployment controller
   * restarted too and holds none (off: only held counts).
   */
  readonly syncCarriesTargets: boolean;
  /**
   * A scale-down deletes persisted pods only down to the target: the part of a surplus made
   * of pods still in flight waits until they are persisted (or dropped), and is then taken
   * from them, not-Ready first (off: any persisted pod may go towards the whole surplus, a
   * Ready one included, although the pods in flight that make it may never run).
   */
  readonly surplusWaitsForInFlight: boolean;
  /**
   * A scale-down's delete carries the resourceVersion of the cached copy its victim was
   * chosen on (a Kubernetes delete precondition): a pod that changed since, such as one that
   * became Ready while the informer lagged, is refused with 409 and chosen again on a
   * fresher copy (off: the uid only, so a pod ranked not Ready may be Ready when it goes).
   */
  readonly scaleDownPrecondition: boolean;
  /** The Deployment controller keeps the Deployment's status (off only as an injected defect). */
  readonly writeDeploymentStatus: boolean;
}

export type ProfileName = 'hardened' | 'artifact';

export const HARDENED: Switches = {
  schedulePodsPayload: 'names',
  cacheKey: 'namespacedName',
  round2: 'resend',
  lostIdentity: 'recreate',
  round2Read: 'quorum',
  recovery: 'bottomUp',
  fence: 'exclusive',
  serverEpochCheck: true,
  clientReplyCheck: true,
  monotoneEpochs: true,
  autoscalerLink: 'api',
  exposeRequiresTemplate: true,
  exposeChecksOwner: true,
  evictOnPersist: true,
  kubeletTombstones: true,
  dropOrphanedEntries: true,
  schedulerCountsInflight: true,
  statusPatchOnly: true,
  markReady: true,
  writeStatus: true,
  stopBeforeRemove: true,
  revalidateAdopted: true,
  holdSlotUntilFreed: true,
  writeBackPrecondition: true,
  fenceWholeEpoch: true,
  snapshotExposing: true,
  epochCounterPerIncarnation: true,
  scaleDownAfterUpstreamSync: true,
  syncCarriesTargets: true,
  surplusWaitsForInFlight: true,
  scaleDownPrecondition: true,
  writeDeploymentStatus: true,
};

/**
 * The artifact's behaviour as protocol.md §10 reads it: name-only cache key, count-based
 * schedulePods, in-memory entries left behind when the template is deleted, no guard
 * against a duplicate bind after eviction, lost identities re-sent from the informer's view,
 * opaque (unordered) epochs, and no look at the owner before an expose.
 */
const ARTIFACT: Switches = {
  ...HARDENED,
  schedulePodsPayload: 'count',
  cacheKey: 'name',
  lostIdentity: 'reuse',
  round2Read: 'informer',
  dropOrphanedEntries: false,
  kubeletTombstones: false,
  exposeChecksOwner: false,
  monotoneEpochs: false,
};

export const PROFILES: Readonly<Record<ProfileName, Switches>> = {
  hardened: HARDENED,
  artifact: ARTIFACT,
};

/** A function (Deployment) of the workload. */
export interface FunctionSpec {
  readonly namespace: string;
  readonly name: string;
}

/** How many faults and environment actions of each kind one run may contain. */
export interface Budgets {
  /** Crash and restart of any stage (counted once per crash). */
  readonly crashes: number;
  readonly drops: number;
  readonly duplicates: number;
  /** Spurious timeouts: a client re-handshakes although nothing was lost. */
  readonly timeouts: number;
  /** API Server outage windows. */
  readonly apiOutages: number;
  readonly nodeLosses: number;
  /** Writes by other actors (protocol.md §7). */
  readonly apiWrites: number;
  /** Changes of the autoscaler's desired count. */
  readonly scaleEvents: number;
  /** Upper bound on all faults together (crashes … nodeLosses, apiWrites). */
  readonly faultsTotal: number;
}

/**
 * One bounded world: a topology, a workload and fault budgets, explored exhaustively. The
 * default bound, `tiny`, is not one world but a suite of five small ones (`SUITES`).
 */
export type PresetName =
  | 'up'
  | 'down'
  | 'retries'
  | 'tenants'
  | 'spread'
  | 'revalidate'
  | 'slots'
  | 'surplus'
  | 'rescale'
  | 'updown'
  | 'small';

export interface Preset {
  readonly name: PresetName;
  readonly functions: readonly FunctionSpec[];
  readonly nodes: readonly NodeName[];
  /** Allocatable pod slots per node. */
  readonly nodeAllocatable: number;
  /** The autoscaler chooses desired counts in 0..desiredMax. */
  readonly desiredMax: number;
  /**
   * The load when the run starts, before the autoscaler has written it: a run begins with a
   * scale-up from zero, and a scale event can then take it back down.
   */
  readonly initialLoad: number;
  /** `bounded-overshoot` allows this many live pods above the highest recent desired. */
  readonly overshootSlack: number;
  /** Liveness: converged within this many fault-free steps after faults stop. */
  readonly convergenceBound: number;
  readonly budgets: Budgets;
  /** Stage kinds that may crash (every kind unless a preset narrows it). */
  readonly crashTargets: readonly StageKind[];
  /** Writes by other actors the environment may make (protocol.md §7). */
  readonly userWrites: readonly UserWrite[];
}

export type UserWrite = 'deletePod' | 'deleteDeployment';

const EVERY_STAGE: readonly StageKind[] = [
  'autoscaler',
  'deployment',
  'replicaset',
  'scheduler',
  'kubelet',
];
const EVERY_WRITE: readonly UserWrite[] = ['deletePod', 'deleteDeployment'];

/** Budgets that allow no fault: presets start from it and add what their world needs. */
export const NO_FAULTS: Budgets = {
  crashes: 0,
  drops: 0,
  duplicates: 0,
  timeouts: 0,
  apiOutages: 0,
  nodeLosses: 0,
  apiWrites: 0,
  scaleEvents: 0,
  faultsTotal: 0,
};

/** One function scaling from zero to one pod on one node, with any one fault at any point. */
const UP: Preset = {
  name: 'up',
  functions: [{ namespace: 'a', name: 'fn' }],
  nodes: ['n1'],
  nodeAllocatable: 2,
  desiredMax: 1,
  initialLoad: 1,
  overshootSlack: 0,
  // Each handshake takes three client steps besides its messages: the reply, the read of the
  // API's resourceVersion and round 2 (plus an informer delivery when it is behind).
  convergenceBound: 80,
  budgets: {
    ...NO_FAULTS,
    crashes: 1,
    drops: 1,
    duplicates: 1,
    timeouts: 1,
    apiOutages: 1,
    apiWrites: 1,
    faultsTotal: 1,
  },
  crashTargets: EVERY_STAGE,
  userWrites: EVERY_WRITE,
};

/** Two functions with the same name in two namespaces (`a/fn`, `b/fn`). */
const TWO_TENANTS: readonly FunctionSpec[] = [
  { namespace: 'a', name: 'fn' },
  { namespace: 'b', name: 'fn' },
];

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  up: UP,
  /**
   * Up, then back to zero at any point, with one crashed kubelet or one duplicated message:
   * pods are deleted while others are in flight, the world of the resurrection hazards.
   */
  down: {
    ...UP,
    name: 'down',
    convergenceBound: 100,
    budgets: { ...NO_FAULTS, crashes: 1, duplicates: 1, scaleEvents: 1, faultsTotal: 1 },
    crashTargets: ['kubelet'],
    userWrites: [],
  },
  /**
   * An idle system whose clients time out twice: several handshakes of one client in flight
   * at once and nothing else going on, the smallest world in which their order matters.
   */
  retries: {
    ...UP,
    name: 'retries',
    initialLoad: 0,
    budgets: { ...NO_FAULTS, timeouts: 2, faultsTotal: 2 },
  },
  /** Two tenants scaling at once onto one node, without faults: their identities can collide. */
  tenants: {
    ...UP,
    name: 'tenants',
    functions: TWO_TENANTS,
    convergenceBound: 100,
    budgets: NO_FAULTS,
  },
  /** One function of two pods onto two one-slot nodes, without faults: a node can be over-committed. */
  spread: {
    ...UP,
    name: 'spread',
    nodes: ['n1', 'n2'],
    nodeAllocatable: 1,
    desiredMax: 2,
    initialLoad: 2,
    convergenceBound: 100,
    budgets: NO_FAULTS,
  },
  /**
   * Up, then back to zero at any point, with one scheduler crash: the restarted scheduler
   * adopts from its kubelet's snapshot a pod that may be persisted and deleted by the time its
   * round 2 runs (the world of mutant `no-adopted-revalidation`, `kd check`'s seed-9 find).
   */
  revalidate: {
    ...UP,
    name: 'revalidate',
    convergenceBound: 100,
    budgets: { ...NO_FAULTS, crashes: 1, scaleEvents: 1, faultsTotal: 1 },
    crashTargets: ['scheduler'],
    userWrites: [],
  },
  /**
   * Two tenants onto two one-slot nodes, and one of them deleted at any point: the scheduler
   * may give a deleted function's slot to the other only once the node's kubelet let go of
   * its pod (the world of mutant `release-slot-on-owner-delete`, `kd check`'s capacity-3 find).
   */
  slots: {
    ...UP,
    name: 'slots',
    functions: TWO_TENANTS,
    nodes: ['n1', 'n2'],
    nodeAllocatable: 1,
    convergenceBound: 100,
    budgets: { ...NO_FAULTS, apiWrites: 1, faultsTotal: 1 },
    crashTargets: [],
    userWrites: ['deleteDeployment'],
  },
  /**
   * `up` with two crashes, of the Deployment and the ReplicaSet controller, at any point:
   * both restarted, the only count the Deployment controller re-sends is the one it reads
   * afresh (the world of mutant `sync-only-held-counts`, model decision §14).
   */
  surplus: {
    ...UP,
    name: 'surplus',
    convergenceBound: 120,
    budgets: { ...NO_FAULTS, crashes: 2, faultsTotal: 2 },
    crashTargets: ['deployment', 'replicaset'],
    userWrites: [],
  },
  /**
   * One function at one pod and two scale events to any count in 0..2 (1 -> 2 -> 1 among
   * them), without faults: the scale-down can arrive while the pod made for the scale-up is
   * still in flight, or before the informer shows it Ready (the world of mutants
   * `delete-for-in-flight-surplus` and `delete-on-stale-readiness`, `kd check`'s
   * deletes-only-surplus find).
   */
  rescale: {
    ...UP,
    name: 'rescale',
    desiredMax: 2,
    convergenceBound: 100,
    budgets: { ...NO_FAULTS, scaleEvents: 2 },
    crashTargets: [],
    userWrites: [],
  },
  /**
   * Deeper than `tiny`, for campaigns: `up` plus one scale event back to zero, with any one
   * fault at any point (2.3 million states, about 20 minutes).
   */
  updown: {
    ...UP,
    name: 'updown',
    convergenceBound: 100,
    budgets: { ...UP.budgets, scaleEvents: 1 },
    // The autoscaler's crash is left out: its only memory is what it wrote, and its restart
    // rewrites the same value, a no-op. Pods are deleted by the scale-down; the user's
    // write is the deletion of the whole function (owner-reference garbage collection).
    crashTargets: ['deployment', 'replicaset', 'scheduler', 'kubelet'],
    userWrites: ['deleteDeployment'],
  },
  /** Two tenants on two nodes with two faults: too large to finish; use --max-states. */
  small: {
    name: 'small',
    functions: TWO_TENANTS,
    nodes: ['n1', 'n2'],
    nodeAllocatable: 2,
    desiredMax: 2,
    initialLoad: 1,
    overshootSlack: 0,
    convergenceBound: 120,
    budgets: {
      crashes: 1,
      drops: 1,
      duplicates: 1,
      timeouts: 1,
      apiOutages: 1,
      nodeLosses: 1,
      apiWrites: 1,
      scaleEvents: 2,
      faultsTotal: 2,
    },
    crashTargets: EVERY_STAGE,
    userWrites: EVERY_WRITE,
  },
};

type SuiteName = 'tiny';

/**
 * A suite is explored preset by preset and reported as one: a property holds if it holds in
 * every part, is violated if violated in any, and is exercised if exercised in any. `tiny`
 * is the default bound: every hazard of protocol.md §10 shows in one of its parts, and all
 * of them together are small enough for the default test suite.
 */
export const SUITES: Readonly<Record<SuiteName, readonly PresetName[]>> = {
  tiny: ['up', 'down', 'retries', 'tenants', 'spread'],
};

/** Names `--preset` accepts: a suite or one preset. */
export const isSuiteName = (name: string): name is SuiteName => Object.hasOwn(SUITES, name);
export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESETS, name);

export interface Config {
  readonly preset: Preset;
  readonly profile: ProfileName;
  /** The switches in force: the profile's, with the mutant's flip applied. */
  readonly switches: Switches;
  readonly mutant: string | null;
}
