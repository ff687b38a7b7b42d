import type { AnyMachineSnapshot, AnyStateMachine, AnyTransitionDefinition } from 'xstate';
import type { Config, FunctionSpec } from '../../../spec/types/config.js';
import type {
  LinkId,
  NodeName,
  ObjectKey,
  PodKey,
  StageId,
  StageKind,
} from '../../../spec/types/ids.js';
import type { Message } from '../../../spec/types/messages.js';
import type { AppliedEvent, Observation, Sandbox } from '../../../spec/types/observation.js';
import type { ApiRequest, WireHooks } from '../../apiserver/index.js';
import type { ApiIntent, Mode, StageEvent, StageRegistry } from '../../stages/io.js';
import type { RateLimit } from './rate-limit.js';

export type { StageModule, StageRegistry } from '../../stages/io.js';

export interface Topology {
  readonly functions: readonly FunctionSpec[];
  readonly nodes: readonly NodeName[];
  /** Allocatable pod slots per node. */
  readonly slotsPerNode: number;
  /**
   * Every function's pod template is the same, as when one chart is installed in every
   * tenant's namespace: same-named functions then get same-named ReplicaSets and pods, one
   * per namespace (the hazard of a name-only cache key). Default: each function's own
   * Knative template, which differs by namespace.
   */
  readonly sharedTemplate?: boolean;
}

/** Virtual latencies of the simulated environment (all in milliseconds). */
export interface Latencies {
  /** One direct message, either direction. */
  readonly networkMs: number;
  /** From an `api` effect to its execution by the API Server. */
  readonly apiRequestMs: number;
  /** From execution to the `api.done` reaching the stage. */
  readonly apiResponseMs: number;
  /** From a write to its watch event reaching an informer's handler. */
  readonly informerLagMs: number;
  /** From `sandbox.start` to the sandbox running (protocol.md §6: 100 ms by default). */
  readonly sandboxStartMs: number;
  /** From queued garbage-collection work to the collector running. */
  readonly gcDelayMs: number;
  /** A failed informer list is retried after this long. */
  readonly relistRetryMs: number;
  /** Watch bookmarks: how often the API Server tells an idle watch its resourceVersion. */
  readonly bookmarkMs: number;
  /** Every scheduled event gets up to this much extra delay, drawn from the seed. */
  readonly jitterMs: number;
}

export const DEFAULT_LATENCIES: Latencies = {
  networkMs: 0.5,
  apiRequestMs: 1,
  apiResponseMs: 1,
  informerLagMs: 1,
  sandboxStartMs: 100,
  gcDelayMs: 1,
  relistRetryMs: 100,
  bookmarkMs: 10,
  jitterMs: 0,
};

export interface SimOptions {
  readonly config: Config;
  readonly mode: Mode;
  readonly registry: StageRegistry;
  /** Defaults to the config's preset (functions, nodes, nodeAllocatable). */
  readonly topology?: Topology;
  readonly latencies?: Partial<Latencies>;
  readonly seed?: number;
  /**
   * Build the `Observation` (and keep the ghost history) after every step. Off for large
   * benchmark runs, where `observe()` is still available but the ghost's
   * `recentDesiredMax` is not maintained.
   */
  readonly observeEachStep?: boolean;
  /**
   * Client-side token buckets per stage kind, as client-go's (`KUBERNETES_DEFAULT_LIMITS`
   * are the Kubernetes defaults). Absent: unthrottled.
   */
  readonly rateLimits?: Readonly<Partial<Record<StageKind, RateLimit>>>;
  /** Called after every machine transition (coverage of the stage machines). */
  readonly onTransition?: (record: TransitionRecord) => void;
  /** Called after every step with the Observations around it (conformance checking). */
  readonly onStep?: (before: Observation, record: StepRecord, after: Observation) => void;
  /**
   * The real-time runtime's clock (milliseconds): every step first moves the clock up to
   * it. Absent in the sim, where time moves only to the due time of the event taken.
   */
  readonly clock?: () => number;
  /** The API Server's wire hooks (the real-time runtime pays for JSON on the wire). */
  readonly apiWire?: WireHooks;
}

/** One event fed to one stage machine, with the snapshots around it. */
export interface TransitionRecord {
  readonly stage: StageId;
  readonly machine: AnyStateMachine;
  readonly before: AnyMachineSnapshot;
  readonly event: StageEvent;
  readonly after: AnyMachineSnapshot;
  /** The transitions of every microstep the event caused, eventless ones included. */
  readonly taken: readonly AnyTransitionDefinition[];
}

interface PendingBase {
  readonly id: string;
  dueAtMs: number;
  /** One line for traces: `deliver kubelet.bindPod scheduler->kubelet/n1 e=...`. */
  readonly label: string;
  /** The stage (or environment actor) the event happens to. */
  readonly actor: string;
}

/** Everything that can be pending; each is one choice of a schedule. */
export type Pending =
  | (PendingBase & { readonly kind: 'message'; readonly link: LinkId; readonly message: Message })
  | (PendingBase & {
      readonly kind: 'api';
      readonly stage: StageId;
      readonly incarnation: number;
      /**
       * When the request leaves its client's rate limiter for the API Server: until then it
       * waits in the stage's process and dies with it in a crash.
       */
      readonly sentAtMs: number;
      readonly callId: number;
      readonly intent: ApiIntent;
      /** Built when the stage asked (null: the stage lacked what the request needs). */
      readonly request: ApiRequest | null;
      /** An expose asked for while the stage's informer showed the owner gone (evidence.ts). */
      readonly ownerSeenGone?: true;
    })
  | (PendingBase & {
      readonly kind: 'apiDone';
      readonly stage: StageId;
      readonly incarnation: number;
      readonly event: StageEvent & { readonly type: 'api.done' };
    })
  | (PendingBase & { readonly kind: 'inform'; readonly stage: StageId; readonly informer: string })
  | (PendingBase & { readonly kind: 'synced'; readonly stage: StageId })
  | (PendingBase & { readonly kind: 'list'; readonly stage: StageId; readonly informer: string })
  | (PendingBase & { readonly kind: 'gc' })
  /** Watch bookmarks to every idle informer of the link clients (`progress.ts`). */
  | (PendingBase & { readonly kind: 'bookmark' })
  | (PendingBase & {
      readonly kind: 'timer';
      readonly stage: StageId;
      readonly incarnation: number;
      readonly name: string;
    })
  | (PendingBase & {
      readonly kind: 'sandboxStart';
      readonly node: NodeName;
      readonly sandbox: Sandbox;
    })
  | (PendingBase & {
      readonly kind: 'sandboxStopped';
      readonly node: NodeName;
      readonly pod: PodKey;
    });

export type PendingKind = Pending['kind'];

/** A write by another actor (protocol.md §7). */
export type UserWrite =
  | { readonly op: 'deletePod'; readonly key: PodKey }
  | { readonly op: 'deleteDeployment'; readonly key: ObjectKey }
  | { readonly op: 'deleteReplicaSet'; readonly key: ObjectKey }
  | { readonly op: 'scaleDeployment'; readonly key: ObjectKey; readonly replicas: number }
  | { readonly op: 'scaleReplicaSet'; readonly key: ObjectKey; readonly replicas: number }
  /** A new pod template: the Deployment changes and a new ReplicaSet (and template Pod) appear. */
  | { readonly op: 'changeTemplate'; readonly key: ObjectKey }
  /** Set (`on`) or remove a boolean `kubedirect/*` label. */
  | {
      readonly op: 'setLabel';
      readonly kind: 'Deployment' | 'ReplicaSet' | 'Pod';
      readonly key: ObjectKey;
      readonly label: string;
      readonly on: boolean;
    };

/** One step of a schedule: an event taken from the agenda, a fault, or an environment action. */
export type SimAction =
  | { readonly type: 'take'; readonly id: string }
  | { readonly type: 'drop'; readonly id: string }
  | { readonly type: 'duplicate'; readonly id: string }
  /**
   * An API request or its response is lost and the client's call times out: a pending
   * `api` is never executed, a pending `apiDone` was (the write stands); either way the
   * stage hears that its call failed.
   */
  | { readonly type: 'timeout'; readonly id: string }
  | { readonly type: 'delay'; readonly id: string; readonly ms: number }
  | { readonly type: 'crash'; readonly stage: StageId }
  | { readonly type: 'restart'; readonly stage: StageId }
  | { readonly type: 'apiOutage'; readonly on: boolean }
  | { readonly type: 'relist'; readonly stage: StageId }
  | { readonly type: 'nodeLoss'; readonly node: NodeName }
  | { readonly type: 'write'; readonly write: UserWrite }
  | { readonly type: 'load'; readonly deployment: ObjectKey; readonly load: number }
  /** Moves the virtual clock forward without taking anything (nothing is due before). */
  | { readonly type: 'advance'; readonly toMs: number };

/** What one step did, for traces and determinism checks. */
export interface StepRecord {
  readonly step: number;
  readonly atMs: number;
  readonly action: SimAction;
  readonly label: string;
  readonly actor: string;
  /** The applied events (stage `applied` effects, API requests, faults). */
  readonly events: readonly AppliedEvent[];
  /** Why nothing happened, when nothing did (a message to a crashed stage, a stale response). */
  readonly note?: string;
}
