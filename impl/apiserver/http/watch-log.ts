/**
 * The endpoint's watch history: for each kind, the last writes in resourceVersion order,
 * so that a client can watch from the resourceVersion its list returned and miss nothing
 * that happened in between (the in-memory API Server's watches start at the present, as an
 * informer in the same process needs). A watch from before the oldest retained write is
 * answered `410 Expired`, as Kubernetes answers one older than its watch cache.
 *
 * A change is kept as the object before and after the write; each watcher derives its event
 * with the API Server's selector semantics: an object that starts matching arrives as
 * ADDED, one that stops matching leaves as DELETED (watch.ts).
 */
import type { ApiServer } from '../api-server.js';
import { keyOfObject } from '../store.js';
import type { Kind, KubeObject, WatchEvent } from '../types.js';
import { atResourceVersion, type Watch } from '../watch.js';

export interface Change {
  readonly resourceVersion: number;
  readonly previous: KubeObject | undefined;
  readonly next: KubeObject | undefined;
}

export class KindLog {
  private changes: Change[] = [];
  /** Every write after this resourceVersion is in `changes`. */
  private completeAfter: number;
  /** The current version of every object, to pair a MODIFIED event with what it replaced. */
  private readonly last = new Map<string, KubeObject>();
  private readonly source: Watch;

  constructor(
    private readonly api: ApiServer,
    readonly kind: Kind,
    private readonly changesMax: number,
  ) {
    for (const object of api.objects(kind)) this.last.set(keyOfObject(object), object);
    this.completeAfter = api.resourceVersion;
    this.source = api.watch(`http/log/${kind}`, { kind });
  }

  /** Moves the API Server's new events into the log; returns the changes they made. */
  pull(): Change[] {
    const pulled: Change[] = [];
    for (let event = this.source.take(); event; event = this.source.take()) {
      const change = this.changeOf(event);
      this.changes.push(change);
      pulled.push(change);
    }
    if (this.changes.length > 2 * this.changesMax) {
      const dropped = this.changes.length - this.changesMax;
      this.completeAfter = (this.changes[dropped - 1] as Change).resourceVersion;
      this.changes = this.changes.slice(dropped);
    }
    return pulled;
  }

  /** The changes after `resourceVersion`, or undefined when some are no longer kept. */
  since(resourceVersion: number): Change[] | undefined {
    if (resourceVersion < this.completeAfter) return undefined;
    let first = this.changes.length;
    while (first > 0 && (this.changes[first - 1] as Change).resourceVersion > resourceVersion)
      first -= 1;
    return this.changes.slice(first);
  }

  close(): void {
    this.api.closeWatch(this.source);
  }

  private changeOf(event: WatchEvent): Change {
    const key = keyOfObject(event.object);
    const resourceVersion = Number(event.resourceVersion);
    if (event.type === 'DELETED') {
      this.last.delete(key);
      return { resourceVersion, previous: event.object, next: undefined };
    }
    const previous = this.last.get(key);
    this.last.set(key, event.object);
    return { resourceVersion, previous, next: event.object };
  }
}

/** A watcher's event for a change, with Kubernetes' selector semantics; none if unconcerned. */
export const eventFor = (
  change: Change,
  matches: (object: KubeObject) => boolean,
): Pick<WatchEvent, 'type' | 'object'> | undefined => {
  const was = change.previous !== undefined && matches(change.previous);
  const is = change.next !== undefined && matches(change.next);
  if (is) return { type: was ? 'MODIFIED' : 'ADDED', object: change.next as KubeObject };
  if (!was) return undefined;
  const previous = change.previous as KubeObject;
  // A removed object's last content already carries the removal's resourceVersion.
  const object =
    change.next === undefined
      ? previous
      : atResourceVersion(previous, String(change.resourceVersion));
  return { type: 'DELETED', object };
};
