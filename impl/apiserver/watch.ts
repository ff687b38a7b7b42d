/**
 * Watches: every write appends one event to every watch it concerns, in write order, so
 * each watch is FIFO and per-object order holds. Selector semantics are Kubernetes': an
 * object that starts matching arrives as ADDED, one that stops matching leaves as DELETED
 * (carrying its previous content at the new resourceVersion), a removed object leaves as
 * DELETED with its last content. One event object is shared by every watch that gets it.
 *
 * Pod watches with a `spec.nodeName` selector (one per kubelet, thousands in a burst) are
 * indexed by node, so a pod write touches the watches of its node, not all of them.
 */
import { Fifo } from './deque.js';
import { getOrInsert } from './maps.js';
import { compileFilter, nodeNameOf, type ObjectPredicate } from './selectors.js';
import type { Kind, KubeObject, ListFilter, WatchEvent } from './types.js';

/** An event in a watch queue; `relisted` events come from a list, not the watch stream. */
export interface QueuedEvent extends WatchEvent {
  readonly relisted?: true;
  /** A relist found the object gone: its last known state (`DeletedFinalStateUnknown`). */
  readonly tombstone?: true;
}

export class Watch {
  readonly queue = new Fifo<QueuedEvent>();
  readonly matches: ObjectPredicate;
  closed = false;
  /**
   * The watcher fell further behind than `capacity` events: the server dropped its queue,
   * as Kubernetes ends a watch whose resourceVersion is too old (410 Gone), and nothing is
   * appended until the watcher re-lists.
   */
  expired = false;
  /** Relisted events still queued; they sit in front of every streamed one. */
  private relisted = 0;

  constructor(
    readonly name: string,
    readonly filter: ListFilter,
    readonly capacity: number = Number.POSITIVE_INFINITY,
  ) {
    this.matches = compileFilter(filter);
  }

  /** A write's event. The capacity bounds streamed events only, not a relist's. */
  append(event: QueuedEvent): void {
    if (this.expired) return;
    if (this.queue.length - this.relisted >= this.capacity) {
      this.expired = true;
      this.queue.reset();
      this.relisted = 0;
      return;
    }
    this.queue.push(event);
  }

  /** Replaces the queue by a relist's events and resumes an expired watch. */
  replace(events: QueuedEvent[]): void {
    this.queue.reset(events);
    this.relisted = events.length;
    this.expired = false;
  }

  take(): QueuedEvent | undefined {
    const event = this.queue.shift();
    if (event?.relisted) this.relisted -= 1;
    return event;
  }
}

/** The previous content of an object at a later resourceVersion (for DELETED events). */
export const atResourceVersion = (object: KubeObject, resourceVersion: string): KubeObject =>
  ({ ...object, metadata: { ...object.metadata, resourceVersion } }) as KubeObject;

export class WatchHub {
  private readonly byKind = new Map<Kind, Set<Watch>>();
  private readonly podsByNode = new Map<string, Set<Watch>>();

  open(name: string, filter: ListFilter, capacity?: number): Watch {
    if (filter.nodeName !== undefined && filter.kind !== 'Pod') {
      throw new Error(
        `field selector spec.nodeName is only supported for pods, not ${filter.kind}`,
      );
    }
    const watch = new Watch(name, filter, capacity);
    this.bucketOf(filter).add(watch);
    return watch;
  }

  close(watch: Watch): void {
    watch.closed = true;
    this.bucketOf(watch.filter).delete(watch);
    watch.queue.reset();
  }

  /** Appends the events of one write: `previous` → `next` (either may be absent). */
  dispatch(
    kind: Kind,
    previous: KubeObject | undefined,
    next: KubeObject | undefined,
    resourceVersion: string,
  ): void {
    const events = new LazyEvents(previous, next, resourceVersion);
    for (const watch of this.byKind.get(kind) ?? []) deliver(watch, events);
    if (kind !== 'Pod') return;
    const before = previous ? nodeNameOf(previous) : undefined;
    const after = next ? nodeNameOf(next) : undefined;
    if (before !== undefined)
      for (const watch of this.podsByNode.get(before) ?? []) deliver(watch, events);
    if (after !== undefined && after !== before) {
      for (const watch of this.podsByNode.get(after) ?? []) deliver(watch, events);
    }
  }

  private bucketOf(filter: ListFilter): Set<Watch> {
    return filter.nodeName === undefined
      ? getOrInsert(this.byKind, filter.kind, () => new Set<Watch>())
      : getOrInsert(this.podsByNode, filter.nodeName, () => new Set<Watch>());
  }
}

/** The events of one write, built on first use and shared by every watch. */
class LazyEvents {
  private readonly built = new Map<WatchEvent['type'], WatchEvent>();

  constructor(
    readonly previous: KubeObject | undefined,
    readonly next: KubeObject | undefined,
    private readonly resourceVersion: string,
  ) {}

  get(type: WatchEvent['type']): WatchEvent {
    return getOrInsert(this.built, type, () => ({
      type,
      object:
        type === 'DELETED'
          ? atResourceVersion(this.previous as KubeObject, this.resourceVersion)
          : (this.next as KubeObject),
      resourceVersion: this.resourceVersion,
    }));
  }
}

const deliver = (watch: Watch, events: LazyEvents): void => {
  const was = events.previous !== undefined && watch.matches(events.previous);
  const is = events.next !== undefined && watch.matches(events.next);
  if (is) watch.append(events.get(was ? 'MODIFIED' : 'ADDED'));
  else if (was) watch.append(events.get('DELETED'));
};
