/**
 * WATCH over HTTP: a `200` response that stays open, one JSON `{type, object}` per line, as
 * the Kubernetes API Server streams it. A watch starts from a resourceVersion (the changes
 * after it, from the watch history) or, without one, with an ADDED event for every object
 * that matches now. New writes reach every open stream once the request that made them is
 * answered, whoever sent it: the streams subscribe to the API Server and drain its events
 * in a microtask, so a burst of writes costs one pass.
 *
 * A watch that allows bookmarks (`allowWatchBookmarks`) is told, every `bookmarkMs`, the
 * API's resourceVersion once everything up to it that matches has been sent, when it moved
 * since the last event or bookmark the stream carried: a client whose filter sees no writes
 * still learns how far it has come (client-go's last-synced resourceVersion, which the
 * stages' round 2 waits on). Kubernetes sends them about once a minute; the in-memory
 * server has no watch cache to spare, so a tenth of a second is the default.
 *
 * A stream ends when the client goes, after `timeoutSeconds`, when the endpoint closes,
 * or when the client reads so slowly that more than `bufferBytesMax` wait for it; the
 * client then watches again from the last resourceVersion it saw, as Kubernetes clients do
 * after the server closes an unresponsive watch.
 */
import type { ServerResponse } from 'node:http';
import type { ApiServer } from '../api-server.js';
import { unavailable } from '../errors.js';
import { compileFilter, type ObjectPredicate } from '../selectors.js';
import { KINDS } from '../store.js';
import type { Kind, ListFilter } from '../types.js';
import type { WriteGate } from './gate.js';
import { badRequest, errorReply, failureStatus, type Reply } from './status.js';
import { type Change, eventFor, KindLog } from './watch-log.js';

export interface WatchStart {
  readonly filter: ListFilter;
  /** The `resourceVersion` parameter: null, '' or '0' start with the current objects. */
  readonly resourceVersion: string | null;
  readonly timeoutSeconds?: number;
  readonly client: string;
  /** `allowWatchBookmarks`: send BOOKMARK events (see `WatchLimits.bookmarkMs`). */
  readonly bookmarks: boolean;
  /** The apiVersion of the watched resource, which a BOOKMARK's object carries. */
  readonly apiVersion: string;
}

interface HttpWatcher {
  readonly kind: Kind;
  readonly matches: ObjectPredicate;
  /** Changes at or before this resourceVersion were sent (or are not wanted). */
  readonly afterResourceVersion: number;
  readonly response: ServerResponse;
  /** The object of this stream's BOOKMARK events, or undefined when it takes none. */
  readonly bookmark: { readonly kind: Kind; readonly apiVersion: string } | undefined;
  /** The resourceVersion the stream has told its client about, by an event or a bookmark. */
  toldResourceVersion: number;
}

export interface WatchLimits {
  /** Changes kept per kind for watches that resume from a resourceVersion. */
  readonly changesMax: number;
  /** Bytes a watcher may leave unread before its stream is ended. */
  readonly bufferBytesMax: number;
  /** How often a watch that allows bookmarks gets one (0: never). */
  readonly bookmarkMs: number;
}

export class WatchStreams {
  private readonly logs: KindLog[];
  private readonly watchers = new Set<HttpWatcher>();
  private scheduled = false;
  private readonly unsubscribe: () => void;
  private readonly bookmarkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: ApiServer,
    private readonly limits: WatchLimits,
    private readonly gate: WriteGate,
  ) {
    this.logs = KINDS.map((kind) => new KindLog(api, kind, limits.changesMax));
    this.unsubscribe = gate.onSettled(() => this.schedule());
    if (limits.bookmarkMs > 0) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), limits.bookmarkMs);
      this.bookmarkTimer.unref();
    }
  }

  get open(): number {
    return this.watchers.size;
  }

  /** Starts a stream on `response`; returns a reply instead when the watch cannot start. */
  start(start: WatchStart, response: ServerResponse): Reply | undefined {
    this.flush();
    const initial = this.initialEvents(start);
    if ('code' in initial) return initial;
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    response.flushHeaders();
    if (initial.expired !== undefined) {
      response.end(`${JSON.stringify({ type: 'ERROR', object: initial.expired })}\n`);
      return undefined;
    }
    const watcher: HttpWatcher = {
      kind: start.filter.kind,
      matches: compileFilter(start.filter),
      afterResourceVersion: initial.afterResourceVersion,
      response,
      bookmark: start.bookmarks
        ? { kind: start.filter.kind, apiVersion: start.apiVersion }
        : undefined,
      toldResourceVersion: initial.afterResourceVersion,
    };
    this.watchers.add(watcher);
    // As in Kubernetes, 0 (or none) leaves the stream open until the client goes.
    const timer = start.timeoutSeconds
      ? setTimeout(() => response.end(), start.timeoutSeconds * 1000)
      : undefined;
    timer?.unref();
    response.on('close', () => {
      this.watchers.delete(watcher);
      if (timer) clearTimeout(timer);
    });
    for (const event of initial.events) this.send(watcher, event);
    return undefined;
  }

  /** Ends every stream and stops listening to the API Server. */
  close(): void {
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    this.unsubscribe();
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
    for (const log of this.logs) log.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Takes the API Server's new events and sends each open stream its own, once they may be
   * seen (a write not yet durable waits for the gate's next `onSettled`).
   */
  private flush(): void {
    if (!this.gate.settled()) return;
    for (const log of this.logs) {
      const changes = log.pull();
      if (changes.length === 0) continue;
      for (const watcher of this.watchers)
        if (watcher.kind === log.kind) this.sendChanges(watcher, changes);
    }
  }

  private sendChanges(watcher: HttpWatcher, changes: readonly Change[]): void {
    for (const change of changes) {
      if (change.resourceVersion <= watcher.afterResourceVersion) continue;
      const event = eventFor(change, watcher.matches);
      if (!event) continue;
      this.send(watcher, event);
      watcher.toldResourceVersion = change.resourceVersion;
    }
  }

  /**
   * A BOOKMARK to every stream that takes them and has not been told the API's current
   * resourceVersion, after sending every change up to it (so nothing it matches is older).
   */
  private sendBookmarks(): void {
    if (!this.api.available || !this.gate.settled()) return;
    this.flush();
    const resourceVersion = this.api.resourceVersion;
    for (const watcher of this.watchers) {
      if (!watcher.bookmark || watcher.toldResourceVersion >= resourceVersion) continue;
      watcher.toldResourceVersion = resourceVersion;
      const metadata = { resourceVersion: String(resourceVersion) };
      this.send(watcher, { type: 'BOOKMARK', object: { ...watcher.bookmark, metadata } });
    }
  }

  private send(watcher: HttpWatcher, event: unknown): void {
    const { response } = watcher;
    if (response.writableEnded || response.destroyed) return;
    try {
      response.write(`${JSON.stringify(event)}\n`);
      if (response.writableLength <= this.limits.bufferBytesMax) return;
    } catch {
      // A stream that cannot take an event ends; its client watches again.
    }
    this.watchers.delete(watcher);
    response.end();
  }

  /** The events a new stream starts with, or why it cannot start. */
  private initialEvents(
    start: WatchStart,
  ): Reply | { events: unknown[]; afterResourceVersion: number; expired?: unknown } {
    const { filter, resourceVersion } = start;
    if (resourceVersion === null || resourceVersion === '' || resourceVersion === '0') {
      const listed = this.api.handle({ verb: 'list', ...filter, client: start.client });
      if (!listed.ok) return errorReply(listed, {});
      return {
        events: listed.items.map((object) => ({ type: 'ADDED', object })),
        afterResourceVersion: Number(listed.resourceVersion),
      };
    }
    if (!/^\d{1,15}$/.test(resourceVersion))
      throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
    if (!this.api.available) return errorReply(unavailable(), {});
    const from = Number(resourceVersion);
    const log = this.logs.find((l) => l.kind === filter.kind) as KindLog;
    const changes = log.since(from);
    if (!changes) {
      const message = `too old resource version: ${from}`;
      return {
        events: [],
        afterResourceVersion: from,
        expired: failureStatus(410, 'Expired', message),
      };
    }
    const matches = compileFilter(filter);
    const events = changes.flatMap((change) => eventFor(change, matches) ?? []);
    return { events, afterResourceVersion: from };
  }
}
