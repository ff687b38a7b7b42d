/**
 * The API Server backed by etcd, as Kubernetes' is: every object under
 * `<prefix><Kind>/<namespace>/<name>`, its resourceVersion the etcd revision that last
 * changed it. On start the server is restored from one read of the prefix; from then on
 * each write is its own etcd transaction, made only if the key is still at the revision
 * the server last stored it at, and its revision must be the resourceVersion the server
 * gave the write: the server and etcd count writes in step, and anything else writing
 * under the prefix (or a lost answer) shows as a mismatch.
 *
 * Durable before seen: requests run one at a time (`run`, the endpoint's `WriteGate`), each
 * answered once its writes are in etcd, and the watches carry a write only once it is.
 * Should etcd refuse or fail a write, the server cannot tell what the next request would
 * see: it stops taking requests and reports the loss (`onLost`); its process exits and is
 * started again, restored from what etcd holds, as a crashed kube-apiserver is.
 */
import { ApiServer } from '../api-server.js';
import type { JournalEntry } from '../core.js';
import type { WriteGate } from '../http/gate.js';
import { KINDS, keyOfObject, type StoredObject } from '../store.js';
import type { Kind, KubeObject } from '../types.js';
import { EtcdClient, EtcdError } from './client.js';

export interface DurableApiOptions {
  /** etcd's client URL, `http://127.0.0.1:2379`. */
  readonly etcd: string;
  /** Where the objects live in etcd (default `/kd/registry/`). */
  readonly prefix?: string;
  /** The API Server's clock (timestamps). */
  readonly now: () => number;
  /** Told once, when a write could not be made durable; no request is served after it. */
  readonly onLost: (error: Error) => void;
  /**
   * etcd keeps every version of every key until compacted; the server reads only the
   * present (its watch history is its own), so it compacts to what is durable every this
   * many writes (default 10,000), as kube-apiserver compacts every five minutes. Without it
   * a long run's etcd grows by every version of every pod.
   */
  readonly compactEvery?: number;
}

export const DEFAULT_PREFIX = '/kd/registry/';

const COMPACT_EVERY = 10_000;

/** What a restart found in etcd. */
export interface Restored {
  readonly objects: number;
  readonly resourceVersion: number;
}

export class DurableApi implements WriteGate {
  readonly api: ApiServer;
  private readonly etcd: EtcdClient;
  private readonly prefix: string;
  private readonly unsent: JournalEntry[] = [];
  private readonly listeners = new Set<() => void>();
  private tail: Promise<unknown> = Promise.resolve();
  private working = false;
  private durable = 0;
  private compacted = 0;
  private lost: Error | null = null;

  private constructor(private readonly options: DurableApiOptions) {
    this.etcd = new EtcdClient(options.etcd);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.api = new ApiServer({ now: options.now, journal: (entry) => this.journaled(entry) });
  }

  /** An API Server restored from what etcd holds under the prefix. */
  static async open(
    options: DurableApiOptions,
  ): Promise<{ durable: DurableApi; restored: Restored }> {
    const durable = new DurableApi(options);
    const restored = await durable.restore();
    return { durable, restored };
  }

  /** Every write up to this resourceVersion is in etcd. */
  get durableResourceVersion(): number {
    return this.durable;
  }

  run<T>(work: () => T): Promise<T> {
    const done = this.tail.then(async () => {
      if (this.lost) throw this.lost;
      this.working = true;
      try {
        return work();
      } finally {
        this.working = false;
        await this.persist();
      }
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  settled(): boolean {
    return this.lost === null && this.durable >= this.api.resourceVersion;
  }

  onSettled(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async restore(): Promise<Restored> {
    const { revision, kvs } = await this.etcd.range(this.prefix);
    const objects = [...kvs]
      .sort((a, b) => a.createRevision - b.createRevision)
      .map((kv): StoredObject => this.objectOf(kv.key, kv.value, kv.modRevision));
    this.api.restore(objects, revision);
    this.durable = revision;
    this.compacted = revision;
    return { objects: objects.length, resourceVersion: revision };
  }

  /** The object stored at `key`, at the revision etcd says last changed it. */
  private objectOf(key: string, value: string, modRevision: number): StoredObject {
    const [kind, ...rest] = key.slice(this.prefix.length).split('/');
    if (!KINDS.includes(kind as Kind))
      throw new EtcdError(`etcd key ${key} is not an object this API Server stores`);
    let object: KubeObject;
    try {
      object = JSON.parse(value) as KubeObject;
    } catch {
      throw new EtcdError(`etcd key ${key} holds no JSON object`);
    }
    if (typeof object !== 'object' || object === null || keyOfObject(object) !== rest.join('/'))
      throw new EtcdError(`etcd key ${key} holds an object of another name`);
    const metadata = { ...object.metadata, resourceVersion: String(modRevision) };
    return { kind: kind as Kind, object: { ...object, metadata } };
  }

  private journaled(entry: JournalEntry): void {
    // Every write must come through `run`, or it could be seen before it is durable.
    if (!this.working)
      this.lose(new Error(`a write outside a request: ${entry.kind} ${entry.key}`));
    this.unsent.push(entry);
  }

  private async persist(): Promise<void> {
    if (this.unsent.length === 0 || this.lost) return;
    try {
      while (this.unsent.length > 0) {
        const entry = this.unsent.shift() as JournalEntry;
        const result = await this.etcd.write({
          key: `${this.prefix}${entry.kind}/${entry.key}`,
          value: entry.object === undefined ? undefined : JSON.stringify(entry.object),
          expectedModRevision: entry.previousResourceVersion,
        });
        if (!result.succeeded)
          throw new EtcdError(
            `etcd changed ${entry.kind} ${entry.key} behind the API Server (expected it at revision ${entry.previousResourceVersion})`,
          );
        if (result.revision !== entry.resourceVersion)
          throw new EtcdError(
            `etcd gave the write of ${entry.kind} ${entry.key} revision ${result.revision}, the API Server resourceVersion ${entry.resourceVersion}: something else writes to etcd`,
          );
        this.durable = entry.resourceVersion;
      }
    } catch (error) {
      this.lose(error instanceof Error ? error : new Error(String(error)));
      throw this.lost;
    }
    for (const listener of this.listeners) listener();
    if (this.durable - this.compacted >= (this.options.compactEvery ?? COMPACT_EVERY))
      this.compact();
  }

  /** In the background: a failed compaction costs etcd memory, not correctness. */
  private compact(): void {
    this.compacted = this.durable;
    this.etcd.compact(this.durable).catch(() => undefined);
  }

  private lose(error: Error): void {
    if (this.lost) return;
    this.lost = error;
    this.options.onLost(error);
  }
}
