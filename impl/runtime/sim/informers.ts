/**
 * The informers of each stage, with the filters each stage needs, and the due times of
 * their undelivered events. A write appends one event to every watch it concerns; the
 * runtime notices the new events after the step (`refresh`) and stamps them with the
 * informer lag, so each informer is one pending choice whose due time is its oldest
 * event's. Delivery turns a watch event into the stage's `informer.*` event (what each
 * stage watches, and the events it hears: stage-io/informers.ts, shared with the
 * client-node adapter).
 */
import type { StageId } from '../../../spec/types/ids.js';
import type { ApiServer, Informer } from '../../apiserver/index.js';
import type { StageEvent } from '../../stages/io.js';
import { informerSpecs, stageEventOf } from '../stage-io/index.js';

/** A run of `count` undelivered events that become due together. */
interface DueRun {
  readonly dueAtMs: number;
  count: number;
}

/** One informer of one stage, with the due times of its undelivered events. */
export class StageInformer {
  readonly id: string;
  private readonly runs: DueRun[] = [];
  private known = 0;
  /** Events of the first successful list still undelivered (then `informer.synced`). */
  initialRemaining = -1;
  listedRv = 0;
  /**
   * client-go's last-synced resourceVersion: every event up to it has been delivered. Streamed
   * events (resourceVersion order) and bookmarks move it; a re-list's events (name order) do
   * not, a bookmark after them does.
   */
  progressRv = 0;

  constructor(
    readonly stage: StageId,
    readonly tag: string,
    readonly informer: Informer,
  ) {
    this.id = `${stage}:${tag}`;
  }

  get pending(): number {
    return this.known;
  }

  /** Listed and nothing queued: a bookmark sent now would be delivered next. */
  get idle(): boolean {
    return this.informer.hasListed && this.informer.pending === 0;
  }

  bookmark(rv: number): void {
    this.progressRv = Math.max(this.progressRv, rv);
  }

  get nextDueAtMs(): number | undefined {
    return this.runs[0]?.dueAtMs;
  }

  /** Stamps events appended since the last look with `dueAtMs`. */
  notice(dueAtMs: number, rv: number): void {
    const pending = this.informer.pending;
    if (this.initialRemaining < 0 && this.informer.hasListed) {
      this.initialRemaining = pending;
      this.listedRv = rv;
    }
    if (pending > this.known) this.runs.push({ dueAtMs, count: pending - this.known });
    else if (pending < this.known) this.restamp(dueAtMs, pending);
    this.known = pending;
  }

  /**
   * After a relist the queue is replaced: everything in it becomes due together. A relist
   * before the initial list was delivered replaces that list too, so what is left of the
   * initial list is the new queue (found by the fuzzer: a re-list that emptied the queue
   * left `initialRemaining` above zero for good, and the stage never heard `synced`).
   */
  restamp(dueAtMs: number, pending = this.informer.pending): void {
    if (this.initialRemaining > 0) this.initialRemaining = pending;
    this.runs.length = 0;
    if (pending > 0) this.runs.push({ dueAtMs, count: pending });
    this.known = pending;
  }

  /** Every undelivered event becomes due `ms` later (a delayed watch stream). */
  shift(ms: number): void {
    for (let i = 0; i < this.runs.length; i += 1) {
      const run = this.runs[i] as DueRun;
      this.runs[i] = { dueAtMs: run.dueAtMs + ms, count: run.count };
    }
  }

  deliver(): StageEvent | undefined {
    const event = this.informer.deliverNext();
    if (!event) return undefined;
    const head = this.runs[0];
    if (head) {
      head.count -= 1;
      if (head.count === 0) this.runs.shift();
    }
    this.known -= 1;
    if (this.initialRemaining > 0) this.initialRemaining -= 1;
    if (!event.relisted) this.progressRv = Math.max(this.progressRv, Number(event.resourceVersion));
    return stageEventOf(this.informer.filter.kind, event);
  }
}

/** Opens a stage's informers (each starts with a list, accounted to the stage). */
export const openInformers = (api: ApiServer, stage: StageId): StageInformer[] =>
  informerSpecs(stage).map(
    (spec) => new StageInformer(stage, spec.tag, api.informer(stage, spec.filter)),
  );
