/**
 * The `Observation`: everything the property catalogue reads about one state of a run, and
 * the events applied in the step that led to it. The model's world and the implementation's
 * sim runtime both produce it, so one catalogue checks both.
 *
 * Ghost state (`ghost`) is bookkeeping that no stage reads: history a property needs in
 * order to speak about the past (deleted pods, every ReplicaSet's template, recent desired).
 */
import type { Epoch, LinkId, NodeName, ObjectKey, PodKey, StageId, StageKind, Uid } from './ids.js';
import type { CountEntry, PodEntry } from './messages.js';
import type { ApiObjects } from './objects.js';

/** Lifecycle of a stage process (protocol.md §5, bottom-up recovery). */
export type StagePhase = 'down' | 'syncing' | 'recovering' | 'serving';

/** Where a pod entry is in its journey through a stage's write-back cache. */
export type PodEntryState =
  /** ReplicaSet controller: sent to the scheduler, not yet seen persisted. */
  | 'requested'
  /** Scheduler: received, no node fits yet. */
  | 'pending'
  /** Scheduler: assumed on `node`, bind sent or about to be. */
  | 'assumed'
  /** Kubelet: bound, waiting for the template to reach its informer. */
  | 'waitingTemplate'
  /** Kubelet: materialised, CREATE not yet accepted (retried after failures). */
  | 'exposing'
  /** Kubelet: created in the API, not yet seen through the informer. */
  | 'exposed';

export type DirtyEntry =
  | (CountEntry & { readonly source: StageId | null })
  | (PodEntry & { readonly source: StageId | null; readonly state: PodEntryState });

export interface StageObservation {
  readonly id: StageId;
  readonly kind: StageKind;
  readonly up: boolean;
  readonly incarnation: number;
  readonly phase: StagePhase;
  /** Write-back cache: entries held until this stage observes them persisted. */
  readonly dirty: readonly DirtyEntry[];
  /** resourceVersion up to which this stage's informer has observed the API. */
  readonly informerRv: number;
}

export interface Sandbox {
  readonly pod: PodKey;
  readonly ownerUid: Uid;
  readonly templateHash: string;
}

export interface KubeletObservation {
  readonly node: NodeName;
  /** False once the node is lost: its kubelet and sandboxes are gone for good. */
  readonly nodeAlive: boolean;
  /** Sandboxes running on the node (they survive a kubelet crash, not a node loss). */
  readonly sandboxes: readonly Sandbox[];
}

export type LinkPhase = 'disconnected' | 'handshaking' | 'syncing' | 'connected';

export interface LinkObservation {
  readonly id: LinkId;
  readonly client: StageId;
  readonly server: StageId;
  readonly clientPhase: LinkPhase;
  /** The epoch the client minted for its latest handshake (null before the first). */
  readonly clientEpoch: Epoch | null;
  /** The server's current epoch for this source (null after a server restart). */
  readonly serverEpoch: Epoch | null;
  /** Messages in flight on this link, both directions. */
  readonly inFlight: number;
}

/** Events applied in the last step (design.md §5: step properties read them). */
export type AppliedEvent =
  /** A data message reached its server: admitted iff its epoch matched at admission. */
  | {
      readonly kind: 'admit';
      readonly link: LinkId;
      readonly message: string;
      readonly epoch: Epoch;
      readonly serverEpochAtAdmission: Epoch | null;
      readonly admitted: boolean;
      readonly entries: readonly string[];
    }
  /** An admitted data message's entries entered the server's cache. */
  | {
      readonly kind: 'apply';
      readonly link: LinkId;
      readonly message: string;
      readonly epoch: Epoch;
      readonly serverEpochAtApply: Epoch | null;
      readonly entries: readonly string[];
    }
  /**
   * A server installed a new epoch and took its snapshot. `unfinished` is ghost data: the
   * entries this server admitted from this source that are neither persisted nor dropped.
   */
  | {
      readonly kind: 'handshake';
      readonly link: LinkId;
      readonly epoch: Epoch;
      readonly snapshot: readonly string[];
      readonly unfinished: readonly string[];
    }
  /** A client received a handshake reply. */
  | {
      readonly kind: 'reply';
      readonly link: LinkId;
      readonly epoch: Epoch;
      readonly clientEpoch: Epoch | null;
      readonly accepted: boolean;
    }
  /** A client's round 2: what it adopted, re-sent, re-created under fresh names, discarded. */
  | {
      readonly kind: 'sync';
      readonly link: LinkId;
      readonly epoch: Epoch;
      readonly adopted: readonly string[];
      readonly resent: readonly string[];
      readonly recreated: readonly string[];
      readonly forgotten: readonly string[];
      readonly discarded: readonly string[];
    }
  /** A request to the API Server and its outcome. */
  | {
      readonly kind: 'api';
      readonly actor: StageId | 'user' | 'gc' | 'nodeLifecycle';
      readonly verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
      readonly resource: 'deployment' | 'replicaset' | 'templatePod' | 'pod' | 'node' | 'lease';
      readonly key: ObjectKey;
      readonly outcome:
        | 'ok'
        | 'outage'
        | 'conflict'
        | 'notFound'
        | 'alreadyExists'
        | 'precondition';
      /** The stage had already tried this write and failed. */
      readonly retry: boolean;
      /**
       * Evidence for `no-orphan-exposure`, recorded by the model or the runtime (not by the
       * stage): when this create was decided, the exposer's informer already showed its
       * owner ReplicaSet gone or deleting.
       */
      readonly ownerSeenGone?: true;
    }
  /** A kubelet received a bind for a pod whose template its informer does not show. */
  | { readonly kind: 'bindBeforeTemplate'; readonly node: NodeName; readonly pod: PodKey }
  /** A fault or environment action. */
  | { readonly kind: 'fault'; readonly fault: string; readonly target: string };

/**
 * The epoch a link's server last installed, as the world saw it: the epoch of the last
 * handshake reply that server sent on the link, and the server's incarnation then. Kept by
 * the world (the model) or the runtime (the implementation) from the messages on the wire,
 * not by the stage code that the fence properties judge.
 */
export interface InstalledEpoch {
  readonly epoch: Epoch;
  readonly serverIncarnation: number;
}

/** A link's handshake history, as the world saw the client send them. */
export interface HandshakeEpochs {
  /** The newest epoch any handshake on this link carried. */
  readonly newest: Epoch;
  /** The first handshake epoch that was not newer than every earlier one (null: none). */
  readonly regressed: Epoch | null;
}

/**
 * Keys asked about one at a time. The deleted pods of a long run are many, and an
 * Observation each step must not copy them: a runtime can answer `has` from one growing
 * record (impl/runtime/ghost-keys.ts).
 */
export interface KeySet {
  has(key: PodKey): boolean;
}

export interface Ghost {
  /** Pods whose API object was removed. */
  readonly deletedPods: KeySet;
  /** The template hash of every ReplicaSet ever created, by uid (templates are immutable). */
  readonly rsTemplates: Readonly<Record<Uid, string>>;
  /**
   * Per ReplicaSet key: the highest desired count since its live pods last fitted the
   * desired count (`bounded-overshoot` allows this plus the preset's slack).
   */
  readonly recentDesiredMax: Readonly<Record<ObjectKey, number>>;
  /** Per link: the epoch its server holds now, from its handshake replies (`epoch-fencing`). */
  readonly installedEpochs: Readonly<Partial<Record<LinkId, InstalledEpoch>>>;
  /** Per link: the epochs its handshakes carried (`handshake-epochs-increase`). */
  readonly handshakeEpochs: Readonly<Partial<Record<LinkId, HandshakeEpochs>>>;
  /**
   * Per ReplicaSet key: the smaller of the old and the new desired count across scale
   * events, and the Ready pods others took meanwhile (`deletes-only-surplus`,
   * spec/types/ghost.ts `nextReadyFloor`). The desired count is the load for a ReplicaSet of
   * its Deployment's current template, 0 for an outdated or orphaned one.
   */
  readonly readyFloor: Readonly<Record<ObjectKey, ReadyFloor>>;
}

export interface ReadyFloor {
  readonly desired: number;
  readonly takenByOthers: number;
}

export interface Observation {
  /** Steps taken since the initial state. */
  readonly step: number;
  readonly api: ApiObjects & { readonly up: boolean; readonly rv: number };
  readonly stages: readonly StageObservation[];
  readonly kubelets: readonly KubeletObservation[];
  readonly links: readonly LinkObservation[];
  /** The autoscaler's desired count per function (Deployment key): the truth to converge to. */
  readonly desired: Readonly<Record<ObjectKey, number>>;
  /** Allowed live pods above the recent desired count (`bounded-overshoot`). */
  readonly overshootSlack: number;
  readonly ghost: Ghost;
  /** Events applied in the step that produced this state (empty for the initial state). */
  readonly events: readonly AppliedEvent[];
}
