/**
 * One informer over HTTP, as client-go's reflector keeps one: LIST, then WATCH from the
 * list's resourceVersion, the cache following every event. It delivers what the sim's
 * informer delivers (stage-io `DeliveredEvent`): a list's events marked `relisted`, in list
 * order, as the difference from the cache (`listDifference`, shared with the in-memory
 * informer: new objects ADDED, changed ones MODIFIED, missing ones as tombstones); then the
 * watch's events as they stream.
 *
 *   list ──ok──▶ watch ──event/bookmark──▶ watch
 *    ▲  └fail─▶ (retryMs) list        │
 *    │                                 ├─ ends ──────────────▶ watch again from last rv
 *    │                                 ├─ fails ─(retryMs)──▶ watch again from last rv
 *    └──────────── 410 Expired ────────┘
 *
 * Progress (client-go's last-synced resourceVersion) is moved by streamed events, by
 * BOOKMARKs and by a whole list (to its resourceVersion), not by a list's single events, as
 * in the sim (sim/informers.ts). Objects are the
 * client-node models, as the typed clients answer them (watch events are deserialised with
 * `ObjectSerializer`), so a template read from the cache builds the same pod.
 */

import type { ConfigurationOptions, Watch } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import {
  type KubeObject,
  keyOfObject,
  listDifference,
  type QueuedEvent,
} from '../../apiserver/index.js';
import type { DeliveredEvent, InformerSpec } from '../../runtime/stage-io/index.js';
import type { KindCalls } from './kinds.js';
import { selectorQuery } from './selectors.js';

export interface InformerHooks {
  /** One event, in order; the cache already reflects it. */
  deliver(event: DeliveredEvent): void;
  /** A list succeeded and its events were delivered. */
  listed(): void;
  /** A bookmark moved `progressRv`. */
  bookmarked(): void;
}

export interface InformerCounts {
  lists: number;
  listsFailed: number;
  watches: number;
  watchesFailed: number;
  /** Watches the server ended with 410 Expired, each followed by a re-list. */
  expired: number;
  bookmarks: number;
}

export interface InformerDeps {
  readonly calls: KindCalls;
  readonly watch: Watch;
  readonly options: () => ConfigurationOptions;
  /** The pause before a failed list or watch is tried again. */
  readonly retryMs: number;
}

type Raw = { metadata?: { resourceVersion?: string }; code?: number };

export class HttpInformer {
  readonly cache = new Map<string, KubeObject>();
  readonly counts: InformerCounts = {
    lists: 0,
    listsFailed: 0,
    watches: 0,
    watchesFailed: 0,
    expired: 0,
    bookmarks: 0,
  };
  hasListed = false;
  /** The resourceVersion of the first successful list. */
  listedRv = 0;
  /** Every event up to this resourceVersion has been delivered (streamed or bookmarked). */
  progressRv = 0;
  /** Where the next watch starts: the last list's, event's or bookmark's resourceVersion. */
  private watchRv = '';
  /** Bumped whenever a watch is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly spec: InformerSpec,
    private readonly deps: InformerDeps,
    private readonly hooks: InformerHooks,
  ) {}

  /** The first list (delivered before this resolves when it succeeds), then the watch. */
  async start(): Promise<void> {
    await this.listThenWatch();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.controller?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private later(run: () => void, ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(run, ms);
  }

  private async listThenWatch(): Promise<void> {
    if (await this.list()) this.startWatch();
    else this.later(() => void this.listThenWatch(), this.deps.retryMs);
  }

  /** Lists and delivers the difference from the cache; false when the list failed. */
  private async list(): Promise<boolean> {
    this.generation += 1;
    const { calls, options } = this.deps;
    let answer: Awaited<ReturnType<KindCalls['list']>>;
    try {
      answer = await calls.list(selectorQuery(this.spec.filter), options());
    } catch {
      this.counts.listsFailed += 1;
      return false;
    }
    if (this.stopped) return false;
    this.counts.lists += 1;
    const resourceVersion = answer.metadata?.resourceVersion ?? '0';
    for (const event of listDifference(this.cache, answer.items, resourceVersion))
      this.apply(event);
    this.watchRv = resourceVersion;
    if (!this.hasListed) this.listedRv = Number(resourceVersion);
    this.hasListed = true;
    this.hooks.listed();
    // The list is the state at its resourceVersion, delivered whole: progress as from a
    // bookmark there (the sim bookmarks after every delivery). Without it an informer of a
    // quiet API would wait for a write to learn how far it has come.
    this.progressRv = Math.max(this.progressRv, Number(resourceVersion));
    this.hooks.bookmarked();
    return true;
  }

  private apply(event: QueuedEvent): void {
    const key = keyOfObject(event.object);
    if (event.type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, event.object);
    if (!event.relisted) this.progressRv = Math.max(this.progressRv, Number(event.resourceVersion));
    this.hooks.deliver({
      type: event.type,
      object: event.object,
      resourceVersion: event.resourceVersion,
      tombstone: event.tombstone === true,
      relisted: event.relisted === true,
    });
  }

  private startWatch(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.counts.watches += 1;
    const query = {
      ...selectorQuery(this.spec.filter),
      resourceVersion: this.watchRv,
      allowWatchBookmarks: true,
    };
    const current = () => generation === this.generation;
    this.deps.watch
      .watch(
        this.deps.calls.watchPath,
        query,
        (type: string, object: Raw) => {
          if (current()) this.onWatchEvent(type, object);
        },
        (error: unknown) => {
          if (current()) this.onWatchEnd(error);
        },
      )
      .then((controller) => {
        if (current()) this.controller = controller;
        else controller.abort();
      })
      .catch((error: unknown) => {
        if (current()) this.onWatchEnd(error ?? new Error('watch failed'));
      });
  }

  private onWatchEvent(type: string, raw: Raw): void {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const object = ObjectSerializer.deserialize(raw, this.deps.calls.modelType) as KubeObject;
        const resourceVersion = object.metadata?.resourceVersion ?? this.watchRv;
        this.watchRv = resourceVersion;
        this.apply({ type, object, resourceVersion });
        return;
      }
      case 'BOOKMARK': {
        const resourceVersion = raw.metadata?.resourceVersion;
        if (resourceVersion === undefined) return;
        this.counts.bookmarks += 1;
        this.watchRv = resourceVersion;
        this.progressRv = Math.max(this.progressRv, Number(resourceVersion));
        this.hooks.bookmarked();
        return;
      }
      case 'ERROR':
        this.abandonWatch();
        if (raw.code === 410) this.expire();
        else this.watchAgain(true);
        return;
      default:
        return;
    }
  }

  private onWatchEnd(error: unknown): void {
    this.abandonWatch();
    if ((error as { statusCode?: number } | null)?.statusCode === 410) this.expire();
    else this.watchAgain(error !== null && error !== undefined);
  }

  private abandonWatch(): void {
    this.generation += 1;
    this.controller?.abort();
    this.controller = undefined;
  }

  /** The server no longer has the changes since `watchRv`: list again, then watch. */
  private expire(): void {
    this.counts.expired += 1;
    this.later(() => void this.listThenWatch(), 0);
  }

  /** A watch that ended resumes at once; one that failed, after `retryMs`. */
  private watchAgain(failed: boolean): void {
    if (failed) this.counts.watchesFailed += 1;
    this.later(() => this.startWatch(), failed ? this.deps.retryMs : 0);
  }
}
