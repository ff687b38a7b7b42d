/**
 * The one contract between a stage machine and a runtime: what a stage consumes (events) and
 * what it produces (effects, as data). A stage never performs I/O. The sim runtime decides
 * when each effect takes effect and which event is delivered next; the live runtime maps the
 * same effects onto timers, sockets and `@kubernetes/client-node`.
 *
 * Stage logic only ever sees the narrow views of `spec/types/objects.ts`. API requests leave
 * a stage as *intents* (`ApiIntent`): the runtime turns each into a real Kubernetes request
 * with `impl/k8s` (building the ~17 KB pod of an expose from the template Pod in the stage's
 * informer cache), so the projection between real objects and views happens at one boundary.
 *
 * Machines are xstate v5 machines driven with the pure `transition(machine, snapshot, event)`;
 * effects are xstate `emit` actions whose event is an `Effect` (`collectEffects` below).
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { Config } from '../../spec/types/config.js';
import type {
  Epoch,
  LinkId,
  NodeName,
  ObjectKey,
  PodKey,
  StageId,
  StageKind,
  Uid,
} from '../../spec/types/ids.js';
import type { Message } from '../../spec/types/messages.js';
import type {
  DeploymentView,
  LeaseView,
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../spec/types/objects.js';
import type {
  AppliedEvent,
  DirtyEntry,
  LinkPhase,
  StagePhase,
} from '../../spec/types/observation.js';

/** Which path a stage takes for objects that do not opt out by label (protocol.md §2). */
export type Mode = 'direct' | 'api';

/** What a stage is created with; a crash discards the actor and a restart creates a new one. */
export interface StageInput {
  readonly id: StageId;
  readonly config: Config;
  readonly mode: Mode;
  /** The stages downstream of this one (the scheduler: every kubelet), in a fixed order. */
  readonly downstream: readonly StageId[];
}

/** An object as an informer delivers it: one view per kind, template Pods apart from pods. */
export type ObjectView =
  | { readonly kind: 'Deployment'; readonly view: DeploymentView }
  | { readonly kind: 'ReplicaSet'; readonly view: ReplicaSetView }
  | { readonly kind: 'TemplatePod'; readonly view: TemplatePodView }
  | { readonly kind: 'Pod'; readonly view: PodView }
  | { readonly kind: 'Node'; readonly view: NodeView };

export type ObjectKind = ObjectView['kind'];

/** The outcome of an API request, in the words of `AppliedEvent` (spec/types/observation). */
export type ApiOutcome =
  | 'ok'
  | 'outage'
  | 'conflict'
  | 'notFound'
  | 'alreadyExists'
  | 'precondition';

/**
 * A request a stage wants made, as data. Keys are `namespace/name`. The runtime builds the
 * real request; `id` in the `api` effect pairs the response with it.
 */
export type ApiIntent =
  /**
   * Autoscaler → API: Deployment `scale` subresource (kubectl scale, the artifact's hop).
   * With a `version` (the Deployment controller's write-back of a direct count), a patch of
   * `spec.replicas` and the `kubedirect/replicas-version` annotation.
   */
  | {
      readonly op: 'scaleDeployment';
      readonly key: ObjectKey;
      readonly replicas: number;
      readonly version?: number;
      /**
       * With a `version`, the precondition (switch `writeBackPrecondition`): the
       * resourceVersion of the cached copy the write-back was decided on (409 if it changed).
       */
      readonly resourceVersion?: number;
    }
  /**
   * Deployment controller: write back (or, on the API path, set) a ReplicaSet's replicas,
   * with the `kubedirect/replicas-version` annotation so an older count never wins.
   */
  | {
      readonly op: 'scaleReplicaSet';
      readonly key: ObjectKey;
      readonly replicas: number;
      readonly version: number;
      /**
       * Precondition (switch `writeBackPrecondition`): the resourceVersion of the copy this
       * count was decided on; the API Server answers 409 if the ReplicaSet changed since.
       */
      readonly resourceVersion?: number;
    }
  /** Status subresources: the ReplicaSet controller and the Deployment controller. */
  | {
      readonly op: 'replicaSetStatus';
      readonly key: ObjectKey;
      readonly replicas: number;
      readonly readyReplicas: number;
    }
  | {
      readonly op: 'deploymentStatus';
      readonly key: ObjectKey;
      readonly replicas: number;
      readonly readyReplicas: number;
    }
  /** API path: the ReplicaSet controller creates a pod from the ReplicaSet's template. */
  | { readonly op: 'createPod'; readonly key: PodKey; readonly ownerKey: ObjectKey }
  /** API path: the scheduler's Binding. */
  | { readonly op: 'bindPod'; readonly key: PodKey; readonly node: NodeName }
  /**
   * Kubelet (or the scheduler, for fallback binding): materialise the pod from the template
   * Pod in its informer and CREATE it ("expose"). `ownerKey` names the owning ReplicaSet.
   */
  | {
      readonly op: 'exposePod';
      readonly key: PodKey;
      readonly templateKey: ObjectKey;
      readonly node: NodeName;
      readonly ownerKey: ObjectKey;
    }
  /** Kubelet: mark Ready, by status patch or (switch `statusPatchOnly` off) whole update. */
  | { readonly op: 'markReady'; readonly key: PodKey; readonly wholeObject: boolean }
  /**
   * ReplicaSet controller (scale-down) and users: graceful delete, by uid precondition, and
   * by the resourceVersion of the copy the victim was chosen on when it carries one.
   */
  | {
      readonly op: 'deletePod';
      readonly key: PodKey;
      readonly uid: Uid;
      readonly resourceVersion?: number;
    }
  /** Kubelet: the final delete (grace period 0) once the sandbox is stopped. */
  | { readonly op: 'removePod'; readonly key: PodKey; readonly uid: Uid }
  /** Quorum reads (switch `round2Read: 'quorum'`), answered with the object's view. */
  | { readonly op: 'get'; readonly kind: ObjectKind; readonly key: ObjectKey }
  /**
   * A client before round 2: the API's current resourceVersion, by a consistent (quorum)
   * LIST that selects nothing, answered in `api.done`'s `rv` (model-decisions §1). `key` names
   * the link whose round 2 waits for it.
   */
  | { readonly op: 'readResourceVersion'; readonly key: LinkId; readonly epoch: Epoch }
  /** Start-up: read this stage's Lease (answered with `lease`, or notFound). */
  | { readonly op: 'getLease'; readonly key: ObjectKey }
  /**
   * Start-up: take this stage's Lease with `transitions` (its incarnation from now on): a
   * CREATE when `resourceVersion` is null, else an UPDATE with that resourceVersion as
   * precondition (a conflict means someone else wrote it first: read it again).
   */
  | {
      readonly op: 'takeLease';
      readonly key: ObjectKey;
      readonly holder: string;
      readonly transitions: number;
      readonly resourceVersion: number | null;
    };

/** Everything a stage can be told. */
export type StageEvent =
  /** Sent once right after the actor is created (first start or restart). */
  | { readonly type: 'start' }
  /** Every informer of this stage has listed: its caches reflect the API up to `rv`. */
  | { readonly type: 'informer.synced'; readonly rv: number }
  | {
      readonly type: 'informer.upsert';
      readonly object: ObjectView;
      readonly rv: number;
      /** Part of a re-list, delivered in list (name) order, not resourceVersion order. */
      readonly relisted?: true;
    }
  | {
      readonly type: 'informer.delete';
      readonly object: ObjectView;
      readonly rv: number;
      readonly relisted?: true;
      /** The informer re-listed and never saw the delete itself (DeletedFinalStateUnknown). */
      readonly tombstone: boolean;
    }
  | { readonly type: 'message'; readonly message: Message }
  /**
   * Client only: the connection to `server` broke because its process died (a reset
   * stream). The model disconnects the client at once; without this an idle client would
   * stay "connected" to a server that restarted with no epoch.
   */
  | { readonly type: 'link.down'; readonly server: StageId }
  | {
      readonly type: 'api.done';
      readonly id: number;
      readonly intent: ApiIntent;
      readonly outcome: ApiOutcome;
      /** The object after a successful write or read. */
      readonly object?: ObjectView;
      /** `readResourceVersion`: the list's resourceVersion. */
      readonly rv?: number;
      /** The Lease after a successful `getLease` or `takeLease`. */
      readonly lease?: LeaseView;
    }
  /**
   * Clients only: every informer of this stage has delivered everything up to `rv` (client-go's
   * last-synced resourceVersion, the least over the stage's informers, advanced by the events
   * they deliver and by watch bookmarks).
   */
  | { readonly type: 'informer.progress'; readonly rv: number }
  | { readonly type: 'timer'; readonly name: string }
  /** Kubelet: the container runtime started or stopped a sandbox. */
  | { readonly type: 'sandbox.started'; readonly pod: PodKey }
  | { readonly type: 'sandbox.stopped'; readonly pod: PodKey }
  /** Kubelet, right after `start`: the sandboxes the container runtime runs (they survive a crash). */
  | { readonly type: 'sandbox.list'; readonly pods: readonly PodKey[] }
  /** Autoscaler: the load metric of a function (its Deployment key) changed. */
  | { readonly type: 'load'; readonly deployment: ObjectKey; readonly load: number };

/** Everything a stage can ask of its runtime. */
export type Effect =
  | { readonly type: 'send'; readonly message: Message }
  | {
      readonly type: 'api';
      readonly id: number;
      readonly intent: ApiIntent;
      /** The stage already tried this write and it failed (the `api` applied event's `retry`). */
      readonly retry?: boolean;
    }
  /** (Re)arm a named timer; a timer of the same name pending is replaced. */
  | { readonly type: 'timer.set'; readonly name: string; readonly afterMs: number }
  | { readonly type: 'timer.cancel'; readonly name: string }
  /** Kubelet: the container runtime. Starting takes the sandbox start delay. */
  | {
      readonly type: 'sandbox.start';
      readonly pod: PodKey;
      readonly ownerUid: Uid;
      readonly templateHash: string;
    }
  | { readonly type: 'sandbox.stop'; readonly pod: PodKey }
  /** What the step applied, for the step properties of the catalogue (not an action). */
  | { readonly type: 'applied'; readonly event: AppliedEvent };

/** One client end of a direct link, as the stage sees it. */
export interface ClientLinkReport {
  readonly server: StageId;
  readonly phase: LinkPhase;
  /** The epoch minted for the latest handshake (null before the first). */
  readonly epoch: string | null;
}

/**
 * What a stage reports about itself after every step, for the `Observation`: every stage
 * module exports `report(snapshot): StageReport`.
 */
export interface StageReport {
  readonly phase: StagePhase;
  /** The write-back cache: entries held until this stage observes them persisted. */
  readonly dirty: readonly DirtyEntry[];
  /** resourceVersion up to which this stage's informers have delivered. */
  readonly informerRv: number;
  /** A leased stage's incarnation, from its Lease (0 until taken); absent for the others. */
  readonly incarnation?: number;
  /** As a client: one per downstream link. */
  readonly clients: readonly ClientLinkReport[];
  /** As a server: the current epoch per source (absent: none since the last restart). */
  readonly serverEpochs: Readonly<Partial<Record<StageId, string>>>;
}

/**
 * One stage kind's implementation as a runtime plugs it in: its xstate machine (created with
 * a `StageInput`) and the projection of its snapshot onto a `StageReport`. Method syntax on
 * purpose: a module typed on its own snapshot still fits.
 */
export interface StageModule {
  readonly machine: AnyStateMachine;
  report(snapshot: AnyMachineSnapshot): StageReport;
}

export type StageRegistry = Readonly<Record<StageKind, StageModule>>;

/** The effects of one xstate `transition`: the events of its `emit` actions, in order. */
export const collectEffects = (actions: readonly unknown[]): Effect[] => {
  const effects: Effect[] = [];
  for (const action of actions) {
    const a = action as { type?: string; params?: { event?: Effect } };
    if (a.type === 'xstate.emit' && a.params?.event !== undefined) effects.push(a.params.event);
  }
  return effects;
};
