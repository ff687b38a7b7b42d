/**
 * Test support: one stage's API effects and informers carried out by two back ends side by
 * side, each over its own API Server with the same history, so a test can require that
 * they agree event for event and object for object:
 *
 * - `sim`: the sim runtime's own pieces in process: stage-io `requestFor`, sim
 *   `executeIntent` against the `ApiServer`, sim `openInformers` delivered in spec order
 *   after every write, `informer.synced` and `informer.progress` as sim/take.ts and
 *   sim/progress.ts tell them (no bookmark rounds);
 * - `http`: the client-node adapter against `serveApi` of the other `ApiServer`, over real
 *   HTTP on port 0.
 *
 * `Twin.write` and `Twin.request` apply the same step to both and wait until the adapter
 * has delivered the informer events the sim did (`untilCaughtUp`).
 */
import type { StageId } from '../../../spec/types/ids.js';
import { type Endpoint, type EndpointOptions, serveApi } from '../../apiserver/http/index.js';
import {
  ApiServer,
  type SeededFunction,
  seedFunction,
  seedNodes,
  virtualClock,
} from '../../apiserver/index.js';
import type { StageInformer } from '../../runtime/sim/informers.js';
import { openInformers } from '../../runtime/sim/informers.js';
import { InProcessRequests } from '../../runtime/sim/intents.js';
import { type ApiDone, listensToProgress } from '../../runtime/stage-io/index.js';
import { inputFor } from '../../stages/controller/test-config.js';
import type { ApiIntent, StageEvent } from '../../stages/io.js';
import { kubeConfigFor } from '../client.js';
import {
  type ApiEffect,
  createKubeAdapter,
  type InformerRun,
  type KubeAdapter,
} from './adapter.js';

/** The wall clock both back ends build objects with. */
export const NOW_MS = 5_000;

/** A server with one function (`a/fn`) and nodes n1 and n2, the same every time. */
export const seededApi = (): { api: ApiServer; fn: SeededFunction } => {
  const api = new ApiServer({ now: virtualClock(1_000).now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  seedNodes(api, ['n1', 'n2'], 10);
  return { api, fn };
};

export const withoutProgress = (events: readonly StageEvent[]): StageEvent[] =>
  events.filter((e) => e.type !== 'informer.progress');

/** The resourceVersion of the last `informer.progress` (0: none). */
export const lastProgress = (events: readonly StageEvent[]): number => {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (event?.type === 'informer.progress') return event.rv;
  }
  return 0;
};

/** The sim runtime's handling of one stage, in process. */
class SimSide {
  readonly events: StageEvent[] = [];
  private readonly requests: InProcessRequests;
  private informers: StageInformer[] = [];
  /** Informers whose list is not yet delivered. */
  private listing = new Set<StageInformer>();
  private running = false;
  private synced = false;
  private progressTold = 0;

  constructor(
    readonly api: ApiServer,
    private readonly stage: StageId,
    private readonly progress: boolean,
  ) {
    this.requests = new InProcessRequests(api, stage);
  }

  request(effect: ApiEffect): ApiDone {
    return this.requests.request(effect, this.informers, NOW_MS);
  }

  startInformers(): void {
    this.informers = openInformers(this.api, this.stage);
    this.listing = new Set(this.informers);
    this.running = true;
    this.pump();
  }

  /** Delivers nothing until `relist` or `resume` (a stopped informer is never resumed). */
  stopInformers(): void {
    this.running = false;
  }

  resume(): void {
    this.running = true;
    this.pump();
  }

  /** Every informer re-lists, as after a watch that expired, then delivers. */
  relist(): void {
    for (const informer of this.informers) informer.informer.relist();
    this.listing = new Set(this.informers);
    this.resume();
  }

  /**
   * Delivers everything pending, informer by informer; a failed list is tried again. An
   * informer whose list is delivered whole has come as far as the list (client-go's
   * last-synced resourceVersion; the sim's next bookmark round tells it the same).
   */
  pump(): void {
    if (!this.running) return;
    for (const informer of this.informers) {
      if (!informer.informer.hasListed && informer.informer.relist()) continue;
      informer.notice(0, this.api.resourceVersion);
      for (let event = informer.deliver(); event; event = informer.deliver()) {
        this.events.push(event);
        this.reportProgress();
      }
      if (this.listing.delete(informer)) informer.bookmark(this.api.resourceVersion);
    }
    if (!this.synced && this.informers.every((i) => i.informer.hasListed)) {
      this.synced = true;
      const rv = Math.max(0, ...this.informers.map((i) => i.listedRv));
      this.events.push({ type: 'informer.synced', rv });
    }
    this.reportProgress();
  }

  private reportProgress(): void {
    if (!this.progress) return;
    const rv = Math.min(...this.informers.map((i) => i.progressRv));
    if (rv <= this.progressTold) return;
    this.progressTold = rv;
    this.events.push({ type: 'informer.progress', rv });
  }
}

/** The adapter over HTTP, with the events it delivered. */
class HttpSide {
  readonly events: StageEvent[] = [];
  private waiting: { holds: () => boolean; resolve: () => void } | undefined;
  run: InformerRun | undefined;

  constructor(
    readonly api: ApiServer,
    public endpoint: Endpoint,
    readonly adapter: KubeAdapter,
  ) {}

  readonly onEvent = (event: StageEvent): void => {
    this.events.push(event);
    if (this.waiting?.holds()) this.waiting.resolve();
  };

  /**
   * Resolves once the adapter has delivered every event of `sim` but progress, and come as
   * far: after informers re-list each on its own, how many progress steps are told on the
   * way depends on which re-lists first.
   */
  untilCaughtUp(sim: readonly StageEvent[], deadlineMs = 5_000): Promise<void> {
    const count = withoutProgress(sim).length;
    const progress = lastProgress(sim);
    return this.untilEvent(
      () => withoutProgress(this.events).length >= count && lastProgress(this.events) === progress,
      `${count} events and progress ${progress}`,
      deadlineMs,
    );
  }

  /** Resolves once `holds()` after an event; fails naming what arrived after `deadlineMs`. */
  untilEvent(holds: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no ${what} within ${deadlineMs} ms: ${JSON.stringify(this.events)}`));
      }, deadlineMs);
      this.waiting = {
        holds,
        resolve: () => {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
        },
      };
    });
  }
}

export interface TwinOptions {
  readonly stage: StageId;
  /** Writes before the stage starts, on each server. */
  readonly given?: (api: ApiServer, fn: SeededFunction) => void;
  readonly endpoint?: EndpointOptions;
}

/** The endpoint options of a twin: no bookmarks, which the sim side does not send. */
const endpointOptions = (options: TwinOptions): EndpointOptions => ({
  watchBookmarkMs: 0,
  ...options.endpoint,
});

export class Twin {
  private nextId = 1;

  private constructor(
    readonly sim: SimSide,
    readonly http: HttpSide,
    readonly fn: SeededFunction,
  ) {}

  static async start(options: TwinOptions): Promise<Twin> {
    const progress = listensToProgress(options.stage, inputFor(options.stage).config, 'direct');
    const sides = [seededApi(), seededApi()] as const;
    for (const { api, fn } of sides) options.given?.(api, fn);
    const sim = new SimSide(sides[0].api, options.stage, progress);
    const endpoint = await serveApi(sides[1].api, endpointOptions(options));
    const adapter = createKubeAdapter({
      kubeConfig: kubeConfigFor(endpoint.url),
      stage: options.stage,
      progress,
      nowMs: () => NOW_MS,
      retryMs: 20,
    });
    return new Twin(sim, new HttpSide(sides[1].api, endpoint, adapter), sides[0].fn);
  }

  get apis(): readonly ApiServer[] {
    return [this.sim.api, this.http.api];
  }

  async startInformers(): Promise<void> {
    this.sim.startInformers();
    this.http.run = await this.http.adapter.startInformers(this.http.onEvent);
    await this.settle();
  }

  stopInformers(): void {
    this.sim.stopInformers();
    this.http.run?.stop();
  }

  /** The adapter has delivered the informer events the sim did. */
  async settle(): Promise<void> {
    this.sim.pump();
    await this.http.untilCaughtUp(this.sim.events);
  }

  /** The same write on both servers, in process. */
  async write(change: (api: ApiServer) => void): Promise<void> {
    for (const api of this.apis) change(api);
    await this.settle();
  }

  /** The same intent from both back ends: the sim's `api.done`, then the adapter's. */
  async request(intent: ApiIntent | ((api: ApiServer) => ApiIntent)): Promise<ApiDone[]> {
    const id = this.nextId++;
    const intentOf = (api: ApiServer) => (typeof intent === 'function' ? intent(api) : intent);
    const simDone = this.sim.request({ type: 'api', id, intent: intentOf(this.sim.api) });
    const httpDone = await this.http.adapter.request({
      type: 'api',
      id,
      intent: intentOf(this.http.api),
    });
    await this.settle();
    return [simDone, httpDone];
  }

  /**
   * The endpoint goes away while `meanwhile` writes to both servers, then a new one serves
   * on the same port with no watch history, so a watch that resumes is answered 410 Expired;
   * the sim side re-lists.
   */
  async restartEndpoint(meanwhile: (api: ApiServer) => void): Promise<void> {
    const { port } = this.http.endpoint;
    this.sim.stopInformers();
    await this.http.endpoint.close();
    for (const api of this.apis) meanwhile(api);
    this.http.endpoint = await serveApi(this.http.api, { watchBookmarkMs: 0, port });
    this.sim.relist();
    await this.http.untilCaughtUp(this.sim.events);
  }

  async close(): Promise<void> {
    this.http.adapter.close();
    await this.http.endpoint.close();
  }
}

/** A server's objects as JSON values (timestamps as strings, key order aside), Leases too. */
export const storeOf = (api: ApiServer): unknown =>
  JSON.parse(
    JSON.stringify({
      resourceVersion: api.resourceVersion,
      ...api.stored(),
      leases: api.objects('Lease'),
    }),
  );
