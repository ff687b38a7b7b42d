/**
 * A stage's informers over HTTP (stage-io `informerSpecs`: what each stage watches) and
 * what the stage hears from them, as in the sim runtime: each delivered event as
 * `informer.upsert` / `informer.delete` (stage-io `stageEventOf`); `informer.synced` once
 * every informer has listed, with the greatest of their first lists' resourceVersions
 * (sim/take.ts `deliverSynced`); and, for a stage that listens (`listensToProgress`),
 * `informer.progress` whenever the least resourceVersion its informers have delivered up
 * to grows (sim/progress.ts).
 *
 * The first lists run one after another in the order of the specs, each informer's watch
 * starting after its own list, so a stage started on a quiet API hears the same sequence
 * every time.
 */
import type { StageId } from '../../../spec/types/ids.js';
import type { Kind, KubeObject } from '../../apiserver/index.js';
import { informerSpecs, stageEventOf } from '../../runtime/stage-io/index.js';
import type { StageEvent } from '../../stages/io.js';
import { HttpInformer, type InformerCounts, type InformerDeps } from './informer.js';
import type { KindCalls } from './kinds.js';

export interface StageInformersOptions {
  readonly stage: StageId;
  readonly calls: Readonly<Record<Kind, KindCalls>>;
  readonly deps: Omit<InformerDeps, 'calls'>;
  /** Report `informer.progress` (only stages that wait on it need it). */
  readonly progress: boolean;
  readonly onEvent: (event: StageEvent) => void;
}

export class StageInformers {
  readonly informers: HttpInformer[];
  private synced = false;
  private progressTold = 0;

  constructor(private readonly options: StageInformersOptions) {
    this.informers = informerSpecs(options.stage).map((spec) => {
      const kind = spec.filter.kind;
      return new HttpInformer(
        spec,
        { ...options.deps, calls: options.calls[kind] },
        {
          deliver: (event) => {
            options.onEvent(stageEventOf(kind, event));
            if (!event.relisted) this.reportProgress();
          },
          listed: () => this.maybeSynced(),
          bookmarked: () => this.reportProgress(),
        },
      );
    });
  }

  /** Resolves once every informer has made its first list (each watches on after it). */
  async start(): Promise<void> {
    for (const informer of this.informers) await informer.start();
  }

  stop(): void {
    for (const informer of this.informers) informer.stop();
  }

  /** The cached copies of `key` in the informers of `kind`, in spec order. */
  cached(kind: Kind, key: string): (KubeObject | undefined)[] {
    return this.informers
      .filter((informer) => informer.spec.filter.kind === kind)
      .map((informer) => informer.cache.get(key));
  }

  /** Each informer's counters, by its tag. */
  counts(): Record<string, InformerCounts> {
    return Object.fromEntries(this.informers.map((i) => [i.spec.tag, { ...i.counts }]));
  }

  private maybeSynced(): void {
    if (this.synced || !this.informers.every((i) => i.hasListed)) return;
    this.synced = true;
    const rv = Math.max(0, ...this.informers.map((i) => i.listedRv));
    this.options.onEvent({ type: 'informer.synced', rv });
  }

  private reportProgress(): void {
    if (!this.options.progress) return;
    const rv = Math.min(...this.informers.map((i) => i.progressRv));
    if (rv <= this.progressTold) return;
    this.progressTold = rv;
    this.options.onEvent({ type: 'informer.progress', rv });
  }
}
