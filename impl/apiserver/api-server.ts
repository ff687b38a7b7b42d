/**
 * The in-memory API Server with Kubernetes semantics: requests in, responses out, both
 * plain data; watches and informers with explicit delivery; garbage collection as an
 * explicit step; an outage switch; accounting of requests, bytes and watch traffic.
 *
 * Deterministic and synchronous: time comes only from the injected `now()` (virtual
 * milliseconds), names and uids from counters, iteration follows insertion order. The
 * same requests in the same order give the same store, byte for byte.
 */
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { Accounting, type AccountingSnapshot } from './accounting.js';
import { Core, type JournalEntry } from './core.js';
import { unavailable } from './errors.js';
import { collectGarbage, type GcReport } from './gc.js';
import { Informer, type InformerOptions } from './informer.js';
import { type StoredObject, storeKey } from './store.js';
import type {
  ApiRequest,
  ApiResponse,
  Kind,
  KindMap,
  ListFilter,
  ResponseOf,
  WatchEvent,
} from './types.js';
import { deleteObject } from './verbs-delete.js';
import { getObject, list } from './verbs-read.js';
import { bind, create, patch, update } from './verbs-write.js';
import type { Watch } from './watch.js';

export interface ApiServerOptions {
  /** Virtual milliseconds; the only source of time (timestamps, grace periods). */
  readonly now: () => number;
  /** Deep-freeze every stored object, so a caller that mutates a shared object fails loudly. */
  readonly freezeObjects?: boolean;
  /**
   * What crosses the wire, for a runtime that pays for encoding (the real-time benchmark):
   * called with every request and its response, and with every watch event an informer
   * takes off its stream. Absent in the sim runtime, which shares objects in memory.
   */
  readonly wire?: WireHooks;
  /**
   * Called with every write as it is stored, in resourceVersion order, for storage that
   * makes it durable (impl/apiserver/etcd/). Absent in the sim.
   */
  readonly journal?: (entry: JournalEntry) => void;
}

export interface WireHooks {
  exchange(request: ApiRequest, response: ApiResponse): void;
  watchEvent(watcher: string, event: WatchEvent): void;
}

export class ApiServer {
  private readonly core: Core;
  private readonly accounting = new Accounting();
  private up = true;
  private readonly wire: WireHooks | undefined;
  private readonly answered = new Set<() => void>();

  constructor(options: ApiServerOptions) {
    this.core = new Core(options.now, options.freezeObjects ?? false, options.journal);
    this.wire = options.wire;
  }

  /**
   * Starts this (empty) server from a durable copy read at `resourceVersion`: the objects
   * in the order they were created (Store.restore, Core.restore).
   */
  restore(objects: readonly StoredObject[], resourceVersion: number): void {
    this.core.restore(objects, resourceVersion);
  }

  get available(): boolean {
    return this.up;
  }

  /** The outage switch: while unavailable, every request gets a 503. */
  setAvailable(up: boolean): void {
    this.up = up;
  }

  /** The resourceVersion of the last write. */
  get resourceVersion(): number {
    return this.core.store.resourceVersion;
  }

  handle<R extends ApiRequest>(request: R): ResponseOf<R> {
    const response = this.up ? this.route(request) : unavailable();
    this.accounting.record(request, response);
    this.wire?.exchange(request, response);
    if (this.answered.size > 0) for (const listener of this.answered) listener();
    return response as ResponseOf<R>;
  }

  /**
   * Calls `listener` after every request this server answers, whoever sent it (a write may
   * have appended watch events); returns the function that removes it. For an endpoint that
   * streams watches to other processes (http/); the sim runtime registers none.
   */
  onAnswered(listener: () => void): () => void {
    this.answered.add(listener);
    return () => this.answered.delete(listener);
  }

  private route(request: ApiRequest): ApiResponse {
    switch (request.verb) {
      case 'get':
        return getObject(this.core, request);
      case 'list':
        return list(this.core, request);
      case 'create':
        return create(this.core, request);
      case 'update':
        return update(this.core, request);
      case 'patch':
        return patch(this.core, request);
      case 'delete':
        return deleteObject(this.core, request);
      case 'bind':
        return bind(this.core, request);
    }
  }

  /** A raw watch: every later write that matches `filter` appends an event to its queue. */
  watch(name: string, filter: ListFilter, capacity?: number): Watch {
    return this.core.hub.open(name, filter, capacity);
  }

  closeWatch(watch: Watch): void {
    this.core.hub.close(watch);
  }

  /** A new informer named `name` (its list requests are accounted to that client). */
  informer<K extends Kind>(
    name: string,
    filter: ListFilter<K>,
    options: InformerOptions = {},
  ): Informer<K> {
    return new Informer(
      {
        handle: (request) => this.handle(request),
        openWatch: (watcher, f, capacity) => this.core.hub.open(watcher, f, capacity),
        closeWatch: (watch) => this.core.hub.close(watch),
        recordWatchEvent: (watcher, bytes) => this.accounting.recordWatchEvent(watcher, bytes),
        ...(this.wire
          ? { streamed: (watcher, event) => this.wire?.watchEvent(watcher, event) }
          : {}),
      },
      name,
      filter,
      options,
    );
  }

  /** Queued garbage-collection items; a runtime offers `collectGarbage` while this is > 0. */
  pendingGc(): number {
    return this.core.gc.size;
  }

  /** Works the garbage-collection queue to a fixpoint (nothing while unavailable). */
  collectGarbage(): GcReport {
    return collectGarbage(this.core, (request) => this.handle(request), this.up);
  }

  stats(): AccountingSnapshot {
    return this.accounting.snapshot();
  }

  /** Direct read for observers (not a request: not accounted, works during an outage). */
  lookup<K extends Kind>(kind: K, namespace: string, name: string): KindMap[K] | undefined {
    return this.core.store.get(kind, storeKey(kind === 'Node' ? undefined : namespace, name));
  }

  /** Every stored object of a kind, in creation order (for observers, not accounted). */
  objects<K extends Kind>(kind: K): KindMap[K][] {
    return [...this.core.store.all(kind)];
  }

  /** Counts by kind, cheaply. */
  count(kind: Kind): number {
    return this.core.store.count(kind);
  }

  /** The whole store grouped by kind, as `toApiObjects` takes it. */
  stored(): {
    deployments: V1Deployment[];
    replicaSets: V1ReplicaSet[];
    pods: V1Pod[];
    nodes: V1Node[];
  } {
    return {
      deployments: this.objects('Deployment'),
      replicaSets: this.objects('ReplicaSet'),
      pods: this.objects('Pod'),
      nodes: this.objects('Node'),
    };
  }

  /** The store as JSON: identical for identical request sequences. */
  dump(): string {
    return JSON.stringify({ resourceVersion: this.resourceVersion, ...this.stored() });
  }
}
