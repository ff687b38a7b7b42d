/**
 * The API Server's storage: one map per kind, keyed `namespace/name` (nodes by name), in
 * insertion order so that iteration is deterministic; the global resourceVersion and uid
 * counters; and the indexes that garbage collection and node-scoped lists need (live uids,
 * dependents by owner uid, pods by node).
 */

import { getOrInsert } from './maps.js';
import { nodeNameOf } from './selectors.js';
import type { Kind, KindMap, KubeObject } from './types.js';

/** `namespace/name`, or the bare name of a cluster-scoped object (a Node). */
export const storeKey = (namespace: string | undefined, name: string): string =>
  namespace ? `${namespace}/${name}` : name;

export const keyOfObject = (object: KubeObject): string =>
  storeKey(object.metadata?.namespace, object.metadata?.name ?? '');

export interface ObjectRef {
  readonly kind: Kind;
  readonly key: string;
}

/** One object of a durable copy, as `Store.restore` takes it. */
export interface StoredObject {
  readonly kind: Kind;
  readonly object: KubeObject;
}

/** The counter of a minted uid (`u17` is 17); 0 for a uid this store did not mint. */
const uidNumber = (object: KubeObject): number => {
  const match = /^u(\d+)$/.exec(object.metadata?.uid ?? '');
  return match ? Number(match[1]) : 0;
};

export const KINDS: readonly Kind[] = ['Deployment', 'ReplicaSet', 'Pod', 'Node', 'Lease'];

const ownerUidsOf = (object: KubeObject | undefined): string[] =>
  object?.metadata?.ownerReferences?.map((ref) => ref.uid) ?? [];

export class Store {
  private readonly byKind = new Map<Kind, Map<string, KubeObject>>(
    KINDS.map((k) => [k, new Map()]),
  );
  private readonly byUid = new Map<string, ObjectRef>();
  private readonly dependentsByOwner = new Map<string, Map<string, ObjectRef>>();
  private readonly podsByNode = new Map<string, Set<string>>();
  private rv = 0;
  private uids = 0;

  get resourceVersion(): number {
    return this.rv;
  }

  /** Every write takes the next resourceVersion, deletes included. */
  nextResourceVersion(): string {
    this.rv += 1;
    return String(this.rv);
  }

  /**
   * Starts an empty store from a durable copy (etcd): `objects` in the order they were
   * first created, the resourceVersion the copy was read at. Every uid minted so far came
   * with a write of its own, so none is above `resourceVersion`: minting continues past it
   * and never repeats the uid of an object deleted before the copy was read.
   */
  restore(objects: readonly StoredObject[], resourceVersion: number): void {
    if (this.rv !== 0 || this.byUid.size > 0) throw new Error('restore needs an empty store');
    for (const { kind, object } of objects) this.put(kind, keyOfObject(object), undefined, object);
    this.rv = resourceVersion;
    this.uids = objects.reduce((n, { object }) => Math.max(n, uidNumber(object)), resourceVersion);
  }

  mintUid(): string {
    this.uids += 1;
    return `u${this.uids}`;
  }

  get<K extends Kind>(kind: K, key: string): KindMap[K] | undefined {
    return this.map(kind).get(key) as KindMap[K] | undefined;
  }

  /** The objects of one kind, in insertion order. */
  all<K extends Kind>(kind: K): IterableIterator<KindMap[K]> {
    return this.map(kind).values() as IterableIterator<KindMap[K]>;
  }

  count(kind: Kind): number {
    return this.map(kind).size;
  }

  byUidRef(uid: string): (ObjectRef & { object: KubeObject }) | undefined {
    const ref = this.byUid.get(uid);
    const object = ref && this.map(ref.kind).get(ref.key);
    return ref && object ? { ...ref, object } : undefined;
  }

  isLive(uid: string): boolean {
    return this.byUid.has(uid);
  }

  /** Objects whose ownerReferences name `ownerUid`, in the order they were first indexed. */
  dependentsOf(ownerUid: string): ObjectRef[] {
    return [...(this.dependentsByOwner.get(ownerUid)?.values() ?? [])];
  }

  /** Keys of the pods bound to `nodeName` ('' for unbound pods). */
  podKeysOn(nodeName: string): readonly string[] {
    return [...(this.podsByNode.get(nodeName) ?? [])];
  }

  /** Stores a new version (`previous` is the version it replaces) and updates the indexes. */
  put(kind: Kind, key: string, previous: KubeObject | undefined, next: KubeObject): void {
    this.map(kind).set(key, next);
    const uid = next.metadata?.uid ?? '';
    if (!previous) this.byUid.set(uid, { kind, key });
    this.reindexOwners(kind, key, previous, next);
    if (kind === 'Pod') this.reindexNode(key, previous, next);
  }

  remove(kind: Kind, key: string, previous: KubeObject): void {
    this.map(kind).delete(key);
    this.byUid.delete(previous.metadata?.uid ?? '');
    this.reindexOwners(kind, key, previous, undefined);
    if (kind === 'Pod') this.reindexNode(key, previous, undefined);
  }

  private map(kind: Kind): Map<string, KubeObject> {
    return this.byKind.get(kind) as Map<string, KubeObject>;
  }

  private reindexOwners(kind: Kind, key: string, previous?: KubeObject, next?: KubeObject): void {
    const before = ownerUidsOf(previous);
    const after = ownerUidsOf(next);
    if (before.length === 0 && after.length === 0) return;
    const refKey = `${kind}:${key}`;
    for (const uid of before) {
      if (after.includes(uid)) continue;
      const dependents = this.dependentsByOwner.get(uid);
      dependents?.delete(refKey);
      if (dependents?.size === 0) this.dependentsByOwner.delete(uid);
    }
    for (const uid of after) {
      getOrInsert(this.dependentsByOwner, uid, () => new Map()).set(refKey, { kind, key });
    }
  }

  private reindexNode(key: string, previous?: KubeObject, next?: KubeObject): void {
    const before = previous ? nodeNameOf(previous) : undefined;
    const after = next ? nodeNameOf(next) : undefined;
    if (before === after) return;
    if (before !== undefined) this.podsByNode.get(before)?.delete(key);
    if (after !== undefined) getOrInsert(this.podsByNode, after, () => new Set()).add(key);
  }
}
