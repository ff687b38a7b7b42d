/**
 * An informer, one per controller, each with its own lag: a cache of the objects at the
 * version it last saw, fed by a queue of undelivered watch events. The runtime decides
 * when the next event is delivered (`deliverNext`), which is how informer lag, and the
 * races it causes, become schedulable choices.
 *
 * `relist` is client-go's re-list after a broken watch: the pending queue is replaced by
 * what a fresh list says, so intermediate versions coalesce into one MODIFIED, objects new
 * to the cache arrive as ADDED, and objects the cache holds but the list lacks leave as
 * tombstones (DELETED with the last known state, client-go's `DeletedFinalStateUnknown`).
 * An object deleted and re-created under the same name between two lists arrives as one
 * MODIFIED whose uid differs from `previous`'s, as in client-go: handlers compare uids.
 * A new informer starts with a relist, so its first events are the initial list.
 */

import { watchEventSize } from './accounting.js';
import type { Fifo } from './deque.js';
import { keyOfObject } from './store.js';
import type {
  ApiResponse,
  ErrorResponse,
  Kind,
  KindMap,
  KubeObject,
  ListFilter,
  ListRequest,
  WatchEventType,
} from './types.js';
import type { QueuedEvent, Watch } from './watch.js';

/** What the API Server offers an informer (kept narrow to avoid a circular import). */
interface InformerHost {
  handle(request: ListRequest): ApiResponse;
  openWatch(name: string, filter: ListFilter, capacity?: number): Watch;
  closeWatch(watch: Watch): void;
  recordWatchEvent(watcher: string, bytes: number): void;
  /** A streamed (not relisted) event taken off the watch (see `ApiServerOptions.wire`). */
  streamed?(watcher: string, event: QueuedEvent): void;
}

export interface InformerOptions {
  /**
   * Undelivered events the server keeps for this informer before it ends the watch (see
   * `expired`); unbounded by default. Bounds memory when a runtime lets an informer lag.
   */
  readonly queueCapacity?: number;
}

/** One delivered event, with the cached version it replaced (client-go's `oldObj`). */
export interface InformerEvent<T = KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
  readonly previous: T | undefined;
  readonly resourceVersion: string;
  /** A relist found the object gone; `object` is the last state this informer knew. */
  readonly tombstone: boolean;
  /** Part of a relist (list order), not streamed from the watch (resourceVersion order). */
  readonly relisted: boolean;
}

export class Informer<K extends Kind = Kind> {
  private readonly cache = new Map<string, KindMap[K]>();
  private readonly watch: Watch;
  private synced = false;

  constructor(
    private readonly host: InformerHost,
    readonly name: string,
    readonly filter: ListFilter<K>,
    options: InformerOptions = {},
  ) {
    this.watch = host.openWatch(name, filter, options.queueCapacity);
    this.relist();
  }

  /** True once a list has succeeded (the informer's `HasSynced`, before delivery). */
  get hasListed(): boolean {
    return this.synced;
  }

  /** The server ended the watch because this informer lagged too far: it must relist. */
  get expired(): boolean {
    return this.watch.expired;
  }

  /** Undelivered events. */
  get pending(): number {
    return this.queue.length;
  }

  get(key: string): KindMap[K] | undefined {
    return this.cache.get(key);
  }

  /** The cached objects, in the order they were first seen. */
  list(): KindMap[K][] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  peek(): QueuedEvent | undefined {
    return this.queue.peek();
  }

  /** Visits the undelivered events, oldest first. */
  forEachQueued(visit: (event: QueuedEvent) => void): void {
    this.queue.forEach(visit);
  }

  /** Delivers the oldest pending event into the cache and returns it for the handler. */
  deliverNext(): InformerEvent<KindMap[K]> | undefined {
    const event = this.watch.take();
    if (!event) return undefined;
    const object = event.object as KindMap[K];
    const key = keyOfObject(object);
    const previous = this.cache.get(key);
    if (event.type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, object);
    if (!event.relisted) {
      this.host.recordWatchEvent(this.name, watchEventSize(event.type, object));
      this.host.streamed?.(this.name, event);
    }
    return {
      type: event.type,
      object,
      previous,
      resourceVersion: event.resourceVersion,
      tombstone: event.tombstone === true,
      relisted: event.relisted === true,
    };
  }

  /** Delivers every pending event; returns them in order. */
  deliverAll(): InformerEvent<KindMap[K]>[] {
    const delivered: InformerEvent<KindMap[K]>[] = [];
    for (let event = this.deliverNext(); event; event = this.deliverNext()) delivered.push(event);
    return delivered;
  }

  /**
   * Replaces the pending queue by the difference between a fresh list and the cache. Fails
   * (and changes nothing) when the API Server refuses the list.
   */
  relist(): ErrorResponse | undefined {
    const response = this.host.handle({ verb: 'list', ...this.filter, client: this.name });
    if (!response.ok) return response;
    if (!('items' in response)) throw new Error('list returned no items');
    this.watch.replace(listDifference(this.cache, response.items, response.resourceVersion));
    this.synced = true;
    return undefined;
  }

  /** Stops watching: a crashed controller's informer is dropped with it. */
  close(): void {
    this.host.closeWatch(this.watch);
  }

  private get queue(): Fifo<QueuedEvent> {
    return this.watch.queue;
  }
}

/**
 * What a fresh list tells an informer whose cache is `cache`, as events in list order:
 * objects new to the cache as ADDED, those at another resourceVersion as MODIFIED, and those
 * the list lacks as tombstones (DELETED with the last known state at the list's
 * resourceVersion). Shared with the client-node adapter's re-list (impl/k8s/adapter/).
 */
export const listDifference = (
  cache: ReadonlyMap<string, KubeObject>,
  items: readonly KubeObject[],
  resourceVersion: string,
): QueuedEvent[] => {
  const events: QueuedEvent[] = [];
  const listed = new Set<string>();
  for (const object of items) {
    const key = keyOfObject(object);
    listed.add(key);
    const cached = cache.get(key);
    const rv = object.metadata?.resourceVersion ?? resourceVersion;
    if (!cached) events.push({ type: 'ADDED', object, resourceVersion: rv, relisted: true });
    else if (cached.metadata?.resourceVersion !== rv) {
      events.push({ type: 'MODIFIED', object, resourceVersion: rv, relisted: true });
    }
  }
  for (const [key, cached] of cache) {
    if (!listed.has(key)) {
      events.push({
        type: 'DELETED',
        object: cached,
        resourceVersion,
        relisted: true,
        tombstone: true,
      });
    }
  }
  return events;
};
