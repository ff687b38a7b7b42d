/**
 * In-process ports for tests: an `ApiPort` over an in-memory `ApiServer`, with the sim's
 * mapping of intents onto requests (impl/runtime/stage-io/intents.ts) and the sim's informers
 * (impl/runtime/sim/informers.ts), so a host hears the same `StageEvent`s the sim delivers;
 * and a fake container runtime. Delivery is asynchronous, after the write that caused it
 * (`ApiServer.onAnswered`), as events come off a watch.
 */
import type { PodKey, StageId } from '../../../../spec/types/ids.js';
import type { Sandbox } from '../../../../spec/types/observation.js';
import type { ApiServer } from '../../../apiserver/index.js';
import type { StageEvent } from '../../../stages/io.js';
import { openInformers, type StageInformer } from '../../sim/informers.js';
import { InProcessRequests } from '../../sim/intents.js';
import type {
  ApiDone,
  ApiEffect,
  ApiPort,
  SandboxEvent,
  SandboxPort,
  SandboxSpec,
} from './ports.js';

/** One stage's view of an in-process API Server. */
export class InProcessApi implements ApiPort {
  private informers: StageInformer[] = [];
  private readonly requests: InProcessRequests;

  constructor(
    private readonly api: ApiServer,
    private readonly stage: StageId,
    private readonly nowMs: () => number,
  ) {
    this.requests = new InProcessRequests(api, stage);
  }

  async request(effect: ApiEffect): Promise<ApiDone> {
    await Promise.resolve();
    return this.requests.request(effect, this.informers, this.nowMs());
  }

  async startInformers(onEvent: (event: StageEvent) => void): Promise<() => Promise<void>> {
    const delivery = new Delivery(this.api, openInformers(this.api, this.stage), onEvent);
    this.informers = delivery.informers;
    return async () => delivery.close();
  }
}

/**
 * Delivers a stage's informer events after each answered request, then `informer.synced`
 * once every initial list is through, then `informer.progress`: after a drain every
 * informer has nothing queued, so each learns the API's resourceVersion as from a watch
 * bookmark. Every stage hears progress (the sim tells only the clients that wait for it;
 * the others ignore it).
 */
class Delivery {
  private scheduled = false;
  private closed = false;
  private synced = false;
  private progressTold = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: ApiServer,
    readonly informers: StageInformer[],
    private readonly onEvent: (event: StageEvent) => void,
  ) {
    for (const informer of informers) informer.notice(0, api.resourceVersion);
    this.unsubscribe = api.onAnswered(() => this.schedule());
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const informer of this.informers) informer.informer.close();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.drain();
    });
  }

  private drain(): void {
    const rv = this.api.resourceVersion;
    for (const informer of this.informers) {
      informer.notice(0, rv);
      for (let event = informer.deliver(); event; event = informer.deliver()) this.onEvent(event);
      informer.bookmark(rv);
    }
    if (!this.synced && this.informers.every((i) => i.informer.hasListed)) {
      this.synced = true;
      this.onEvent({
        type: 'informer.synced',
        rv: Math.max(0, ...this.informers.map((i) => i.listedRv)),
      });
    }
    const progress = Math.min(...this.informers.map((i) => i.progressRv));
    if (progress > this.progressTold) {
      this.progressTold = progress;
      this.onEvent({ type: 'informer.progress', rv: progress });
    }
  }
}

/** A node's fake container runtime: a sandbox starts `startMs` after it is asked to. */
export class FakeSandbox implements SandboxPort {
  private readonly running = new Map<PodKey, SandboxSpec>();
  private readonly starting = new Map<PodKey, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<(event: SandboxEvent) => void>();

  constructor(private readonly startMs = 5) {}

  start(pod: PodKey, spec: SandboxSpec): void {
    if (this.running.has(pod) || this.starting.has(pod)) return;
    const timer = setTimeout(() => {
      this.starting.delete(pod);
      this.running.set(pod, { ownerUid: spec.ownerUid, templateHash: spec.templateHash });
      this.emit({ type: 'sandbox.started', pod });
    }, this.startMs);
    this.starting.set(pod, timer);
  }

  stop(pod: PodKey): void {
    clearTimeout(this.starting.get(pod));
    this.starting.delete(pod);
    this.running.delete(pod);
    setImmediate(() => this.emit({ type: 'sandbox.stopped', pod }));
  }

  async list(): Promise<readonly PodKey[]> {
    return [...this.running.keys()];
  }

  /** The sandboxes running now, with what each was started for. */
  sandboxes(): Sandbox[] {
    return [...this.running].map(([pod, spec]) => ({ pod, ...spec }));
  }

  onEvent(listener: (event: SandboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every pending start (the end of a test). */
  close(): void {
    for (const timer of this.starting.values()) clearTimeout(timer);
    this.starting.clear();
    this.listeners.clear();
  }

  private emit(event: SandboxEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
