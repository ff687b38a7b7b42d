/**
 * The mutable state of one sim run, shared by the modules that act on it: the virtual
 * clock, the API Server, the agenda of pending events, one slot per stage (its xstate
 * snapshot and incarnation), each stage's informers, each node's container runtime, the
 * load, the ghost history, and the events applied in the current step.
 *
 * Maps are iterated in insertion order only, and everything is inserted in topology order,
 * so iteration never depends on anything but the run itself.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Config } from '../../../spec/types/config.js';
import {
  type LinkId,
  type NodeName,
  type ObjectKey,
  type PodKey,
  type StageId,
  type StageKind,
  stageKindOf,
} from '../../../spec/types/ids.js';
import type {
  AppliedEvent,
  HandshakeEpochs,
  InstalledEpoch,
  ReadyFloor,
  Sandbox,
} from '../../../spec/types/observation.js';
import { ApiServer, type KubeObject } from '../../apiserver/index.js';
import type { Mode } from '../../stages/io.js';
import { GrowingKeys } from '../ghost-keys.js';
import { Agenda } from './agenda.js';
import type { StageInformer } from './informers.js';
import { type Prng, prng } from './prng.js';
import { type RateLimit, TokenBucket } from './rate-limit.js';
import {
  DEFAULT_LATENCIES,
  type Latencies,
  type Pending,
  type SimOptions,
  type StageModule,
  type StageRegistry,
  type Topology,
} from './types.js';

export interface ActorSlot {
  readonly id: StageId;
  readonly kind: StageKind;
  readonly module: StageModule;
  incarnation: number;
  /** Null while crashed (or for good, after its node was lost). */
  snapshot: AnyMachineSnapshot | null;
  informers: StageInformer[];
  /** `informer.synced` was delivered to this incarnation. */
  synced: boolean;
  /** The informer progress this incarnation was last told (`progress.ts`). */
  progressTold: number;
  /** Objects this incarnation wrote successfully, by `<Kind> <key>` (its own copies). */
  readonly written: Map<string, KubeObject>;
}

/** Ghost history the properties need, in the `Ghost` shape but mutable. */
interface GhostState {
  readonly deletedPods: GrowingKeys;
  rsTemplates: Record<string, string>;
  /** Entries `rsTemplates` has gained so far (it only ever grows). */
  templatesAdded: number;
  recentDesiredMax: Record<ObjectKey, number>;
  installedEpochs: Partial<Record<LinkId, InstalledEpoch>>;
  handshakeEpochs: Partial<Record<LinkId, HandshakeEpochs>>;
  readyFloor: Record<ObjectKey, ReadyFloor>;
  /** Ready pods per ReplicaSet after the last step: what the next step may take. */
  readyPods: Record<ObjectKey, ReadonlySet<string>>;
  /** The smallest desired count held anywhere for each ReplicaSet after the last step. */
  heldMin: Record<ObjectKey, number>;
  /**
   * That smallest count when each ReplicaSet-controller pod deletion still on its way to
   * the API was decided, by the pending request's id (ghost.ts `capByDeletions`).
   */
  deletionCounts: Map<string, number>;
  /**
   * API-path pod creations that were executed but whose answer was lost (a timeout): pod key
   * → its ReplicaSet's key (ghost.ts `unansweredLive`).
   */
  unansweredCreates: Map<PodKey, ObjectKey>;
}

export class SimState {
  readonly config: Config;
  readonly mode: Mode;
  readonly registry: StageRegistry;
  readonly topology: Topology;
  readonly latencies: Latencies;
  readonly observeEachStep: boolean;
  readonly random: Prng;
  readonly api: ApiServer;
  readonly agenda: Agenda<Pending>;
  nowMs = 0;
  step = 0;
  /** Events applied in the current step. */
  events: AppliedEvent[] = [];
  readonly actors = new Map<StageId, ActorSlot>();
  /** Each node's container runtime: running sandboxes by pod. */
  readonly sandboxes = new Map<NodeName, Map<PodKey, Sandbox>>();
  readonly lostNodes = new Set<NodeName>();
  readonly load = new Map<ObjectKey, number>();
  readonly ghost: GhostState = {
    deletedPods: new GrowingKeys(),
    rsTemplates: {},
    templatesAdded: 0,
    recentDesiredMax: {},
    installedEpochs: {},
    handshakeEpochs: {},
    readyFloor: {},
    readyPods: {},
    heldMin: {},
    deletionCounts: new Map(),
    unansweredCreates: new Map(),
  };
  /** Writes (`<stage> <op> <key>`) whose last attempt met an outage: the next is a retry. */
  readonly failedWrites = new Set<string>();
  readonly messagesSent = new Map<string, number>();
  /** Client-side rate limits per stage kind (none: unthrottled). */
  readonly rateLimits: Readonly<Partial<Record<StageKind, RateLimit>>>;
  readonly onTransition: SimOptions['onTransition'];
  /** One token bucket per running stage process; a restart starts a fresh one. */
  readonly buckets = new Map<string, TokenBucket>();
  /** The resourceVersion at which informers were last checked for new events. */
  lastRefreshRv = -1;
  private idCounter = 0;

  constructor(options: SimOptions) {
    this.config = options.config;
    this.mode = options.mode;
    this.registry = options.registry;
    const preset = options.config.preset;
    this.topology = options.topology ?? {
      functions: preset.functions,
      nodes: preset.nodes,
      slotsPerNode: preset.nodeAllocatable,
    };
    this.latencies = { ...DEFAULT_LATENCIES, ...options.latencies };
    this.observeEachStep = options.observeEachStep ?? true;
    this.rateLimits = options.rateLimits ?? {};
    this.onTransition = options.onTransition;
    this.random = prng(options.seed ?? 1);
    this.api = new ApiServer({
      now: () => this.nowMs,
      ...(options.apiWire ? { wire: options.apiWire } : {}),
    });
    this.agenda = new Agenda<Pending>(() => this.random.next());
  }

  /** A fresh id for a pending event: `<prefix><counter>`. */
  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${this.idCounter}`;
  }

  /** `now + latency`, plus the seeded jitter if any. */
  dueIn(latencyMs: number): number {
    const jitter = this.latencies.jitterMs > 0 ? this.random.next() * this.latencies.jitterMs : 0;
    return this.nowMs + latencyMs + jitter;
  }

  /** How long a request of `stage` (incarnation `incarnation`) waits for its client's token. */
  throttle(stage: StageId, incarnation: number): number {
    const limit = this.rateLimits[stageKindOf(stage)];
    if (!limit) return 0;
    const id = `${stage}#${incarnation}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.nowMs);
      this.buckets.set(id, bucket);
    }
    return bucket.take(this.nowMs);
  }

  record(event: AppliedEvent): void {
    this.events.push(event);
  }

  slot(stage: StageId): ActorSlot | undefined {
    return this.actors.get(stage);
  }

  /** Every stage's slot, in the order the stages were created. */
  slots(): ActorSlot[] {
    return [...this.actors.values()];
  }

  isUp(stage: StageId): boolean {
    return this.actors.get(stage)?.snapshot != null;
  }
}
