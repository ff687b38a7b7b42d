/**
 * The write primitives every verb shares: stamp the next resourceVersion, store the new
 * version, append watch events, and note garbage-collection work. Keeping them in one
 * place is what makes "every mutation appends a watch event" and "every removal is seen by
 * the garbage collector" true by construction.
 */
import { Store, type StoredObject } from './store.js';
import type { Kind, KubeObject } from './types.js';
import { atResourceVersion, WatchHub } from './watch.js';

/** The finalizer of a foreground deletion: the owner stays until its dependents are gone. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/**
 * Garbage-collection work, deduplicated, in the order it arose: owner uids whose
 * dependents need a look, and lost nodes whose pods must go.
 */
class GcQueue {
  private readonly items = new Set<string>();

  get size(): number {
    return this.items.size;
  }

  owner(uid: string): void {
    this.items.add(`owner:${uid}`);
  }

  node(name: string): void {
    this.items.add(`node:${name}`);
  }

  /** Takes the oldest item. */
  take(): { type: 'owner' | 'node'; id: string } | undefined {
    const first = this.items.values().next();
    if (first.done) return undefined;
    this.items.delete(first.value);
    const colon = first.value.indexOf(':');
    return {
      type: first.value.slice(0, colon) as 'owner' | 'node',
      id: first.value.slice(colon + 1),
    };
  }
}

const deepFreeze = (value: unknown): void => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
};

export const isForegroundDeleting = (object: KubeObject): boolean =>
  object.metadata?.deletionTimestamp !== undefined &&
  (object.metadata.finalizers?.includes(FOREGROUND_FINALIZER) ?? false);

/**
 * One write as storage must make it durable (etcd, impl/apiserver/etcd/): the object's new
 * version (undefined when removed) at `resourceVersion`, replacing the version stored at
 * `previousResourceVersion` (0: none).
 */
export interface JournalEntry {
  readonly kind: Kind;
  readonly key: string;
  readonly previousResourceVersion: number;
  readonly object: KubeObject | undefined;
  readonly resourceVersion: number;
}

const resourceVersionOf = (object: KubeObject | undefined): number =>
  Number(object?.metadata?.resourceVersion ?? 0);

export class Core {
  readonly store = new Store();
  readonly hub = new WatchHub();
  readonly gc = new GcQueue();
  /** Names of Nodes deleted so far: a pod later bound to one is garbage (pod GC). */
  private readonly deletedNodes = new Set<string>();

  constructor(
    readonly now: () => number,
    private readonly freeze: boolean,
    private readonly journal?: (entry: JournalEntry) => void,
  ) {}

  /**
   * Starts from a durable copy (Store.restore), with the garbage collector's work found
   * again as Kubernetes' collector finds it on a restart, by looking at every object:
   * dependents whose owner is gone, pods bound to a Node that is not there.
   */
  restore(objects: readonly StoredObject[], resourceVersion: number): void {
    this.store.restore(objects, resourceVersion);
    for (const { object } of objects) {
      this.noteDanglingOwners(object);
      const nodeName = (object as { spec?: { nodeName?: string } }).spec?.nodeName;
      if (nodeName && !this.store.get('Node', nodeName)) this.gc.node(nodeName);
    }
  }

  /** A timestamp `offsetMs` after the injected clock's now. */
  timestamp(offsetMs = 0): Date {
    return new Date(this.now() + offsetMs);
  }

  /** Stores `next` (a new object, not yet stamped) as the successor of `previous`. */
  write<T extends KubeObject>(
    kind: Kind,
    key: string,
    previous: KubeObject | undefined,
    next: T,
  ): T {
    const rv = this.store.nextResourceVersion();
    const stamped = { ...next, metadata: { ...next.metadata, resourceVersion: rv } } as T;
    if (this.freeze) deepFreeze(stamped);
    this.store.put(kind, key, previous, stamped);
    this.journal?.({
      kind,
      key,
      previousResourceVersion: resourceVersionOf(previous),
      object: stamped,
      resourceVersion: Number(rv),
    });
    this.hub.dispatch(kind, previous, stamped, rv);
    this.noteDanglingOwners(stamped);
    return stamped;
  }

  /**
   * Removes an object for good; returns its last content (`previous`, or `last` when the
   * removal comes with a final change, such as a dropped finalizer) at the removal's
   * resourceVersion, which is also what watchers see in the DELETED event.
   */
  remove(kind: Kind, key: string, previous: KubeObject, last: KubeObject = previous): KubeObject {
    const rv = this.store.nextResourceVersion();
    this.store.remove(kind, key, previous);
    this.journal?.({
      kind,
      key,
      previousResourceVersion: resourceVersionOf(previous),
      object: undefined,
      resourceVersion: Number(rv),
    });
    this.hub.dispatch(kind, last, undefined, rv);
    const uid = previous.metadata?.uid ?? '';
    if (this.store.dependentsOf(uid).length > 0) this.gc.owner(uid);
    for (const ref of previous.metadata?.ownerReferences ?? []) {
      const owner = this.store.byUidRef(ref.uid);
      if (owner && isForegroundDeleting(owner.object)) this.gc.owner(ref.uid);
    }
    if (kind === 'Node') this.deletedNodes.add(key);
    if (kind === 'Node' && this.store.podKeysOn(key).length > 0) this.gc.node(key);
    return atResourceVersion(last, rv);
  }

  /**
   * An owner reference to a uid that is not live makes the object garbage; so does one to
   * an owner deleting in the foreground (its dependents must all go before it does). This is
   * how a dependent created after its owner was deleted (a kubelet's late expose) is
   * collected. An object already being deleted is left alone, so that writes to it (a
   * kubelet's status patch) do not queue work the collector has already done.
   */
  private noteDanglingOwners(object: KubeObject): void {
    if (object.metadata?.deletionTimestamp !== undefined) return;
    for (const ref of object.metadata?.ownerReferences ?? []) {
      const owner = this.store.byUidRef(ref.uid);
      if (!owner || isForegroundDeleting(owner.object)) this.gc.owner(ref.uid);
    }
    // A pod bound to a Node that was deleted (written by a request in flight when the node
    // was lost) is an orphan the pod GC controller removes, as in Kubernetes.
    const nodeName = (object as { spec?: { nodeName?: string } }).spec?.nodeName;
    if (nodeName && this.deletedNodes.has(nodeName) && !this.store.get('Node', nodeName))
      this.gc.node(nodeName);
  }
}
