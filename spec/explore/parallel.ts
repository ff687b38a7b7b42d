/**
 * `kd explore --workers N`: the breadth-first search split over N worker threads, each the
 * owner of the fingerprints that fall to it and the holder of the states it found
 * (`shard.ts`), coordinated level by level from here (frontiers evened out between levels); at the end the shards' states are gathered into one numbering
 * (`gather.ts`), so the liveness analysis, the statuses and the traces are those of the
 * one-thread explorer. States, transitions and verdicts do not depend on N; a trace may
 * take another path of the same (shortest) length.
 *
 * Each worker builds its own model and catalogue from `WorkerSpec`: `spec/` cannot name the
 * catalogue (`properties/` builds on it), so the caller says which module does that.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { ExploreOptions, ExploreResult } from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue } from '../types/index.js';
import { gather } from './gather.js';
import { afterLevel, balance, type LevelReport, type ShardExport } from './shard.js';
import type { FromShard, ShardSetup, ToShard } from './shard-worker.js';

/** Marks a worker's data as a shard's: the module may also be loaded in other threads. */
export const SHARD_ROLE = 'kd-explore-shard';

export interface WorkerSpec {
  /** A module that calls `serveShard` with the model of `data` and the catalogue. */
  readonly url: URL;
  /** Posted to the worker beside the shard's setup (`workerData.model`). */
  readonly data: unknown;
  /**
   * A module whose `register()` is called before `url` is loaded: a loader for TypeScript
   * (Node 20 does not apply `--import` hooks to a worker's own module).
   */
  readonly register?: URL;
}

export interface ParallelOptions extends ExploreOptions {
  readonly workers: number;
  readonly worker: WorkerSpec;
  /** Aborting it stops the search after the state each shard is expanding: 'interrupted'. */
  readonly signal?: AbortSignal;
}

export async function exploreParallel<S>(
  model: Model<S>,
  catalogue: Catalogue,
  options: ParallelOptions,
): Promise<ExploreResult> {
  const start = performance.now();
  const stopAtFirstViolation = options.stopAtFirstViolation ?? true;
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(interrupt, 0, 1);
  if (options.signal?.aborted === true) onAbort();
  options.signal?.addEventListener('abort', onAbort);
  const shards = startShards(options, stopAtFirstViolation, interrupt);
  try {
    const progress = new ProgressRelay(options, shards.length, start);
    const { maxDepth } = options;
    let reports = await Promise.all(shards.map((s) => s.next('level-done')));
    let stop = afterLevel(reports, stopAtFirstViolation, 0, maxDepth);
    for (let depth = 1; stop === null; depth++) {
      progress.level(depth, reports);
      const moves = balance(reports.map((r) => r.frontier));
      for (const shard of shards) {
        shard.onProgress = (report, left) => progress.update(shard.index, report, left);
        shard.send({ type: 'level', moves });
      }
      reports = await Promise.all(shards.map((s) => s.next('level-done')));
      stop = afterLevel(reports, stopAtFirstViolation, depth, maxDepth);
    }
    for (const shard of shards) shard.send({ type: 'export' });
    const exports = await Promise.all(shards.map((s) => s.next('export')));
    return gather({
      model,
      catalogue,
      stopAtFirstViolation,
      shards: exports,
      stop: stop === 'done' ? null : stop,
      seconds: (performance.now() - start) / 1000,
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(shards.map((s) => s.worker.terminate()));
  }
}

function startShards(
  options: ParallelOptions,
  stopAtFirstViolation: boolean,
  interrupt: Int32Array,
): ShardHandle[] {
  const count = options.workers;
  const ports: (MessagePort | undefined)[][] = Array.from({ length: count }, () =>
    Array.from({ length: count }, () => undefined),
  );
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const { port1, port2 } = new MessageChannel();
      (ports[i] as (MessagePort | undefined)[])[j] = port1;
      (ports[j] as (MessagePort | undefined)[])[i] = port2;
    }
  }
  const perShard = Math.ceil((options.maxStates ?? Number.POSITIVE_INFINITY) / count);
  return Array.from({ length: count }, (_, index) => {
    const peers = ports[index] as (MessagePort | undefined)[];
    const setup: ShardSetup = {
      index,
      count,
      maxStates: perShard,
      stopAtFirstViolation,
      peers,
      interrupt,
    };
    const worker = new Worker(bootstrap(options.worker), {
      eval: true,
      workerData: { role: SHARD_ROLE, setup, model: options.worker.data },
      transferList: peers.filter((p) => p !== undefined),
    });
    return new ShardHandle(index, worker);
  });
}

/** The worker's first module: the loader's `register()`, if any, then the shard's module. */
function bootstrap({ url, register }: WorkerSpec): string {
  const load = `import(${JSON.stringify(url.href)})`;
  if (register === undefined) return load;
  return `import(${JSON.stringify(register.href)}).then((m) => { m.register(); return ${load}; })`;
}

type Awaited = { 'level-done': LevelReport; export: ShardExport };

/** One worker seen from the coordinator: its messages turned into awaited answers. */
class ShardHandle {
  private waiting: { type: keyof Awaited; resolve: (v: never) => void } | null = null;
  private failed: ((error: Error) => void) | null = null;
  private failure: Error | null = null;
  onProgress: ((report: LevelReport, left: number) => void) | null = null;

  constructor(
    readonly index: number,
    readonly worker: Worker,
  ) {
    worker.on('message', (message: FromShard) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`explore worker ${index} exited (${code})`)));
  }

  send(message: ToShard): void {
    this.worker.postMessage(message);
  }

  next<T extends keyof Awaited>(type: T): Promise<Awaited[T]> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) reject(this.failure);
      this.waiting = { type, resolve: resolve as (v: never) => void };
      this.failed = reject;
    });
  }

  private receive(message: FromShard): void {
    if (message.type === 'progress') {
      this.onProgress?.(message.report, message.left);
      return;
    }
    const value = message.type === 'export' ? message.data : message.report;
    if (this.waiting?.type !== message.type) {
      this.fail(new Error(`explore worker ${this.index}: unexpected ${message.type}`));
      return;
    }
    const { resolve } = this.waiting;
    this.waiting = null;
    resolve(value as never);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.failed?.(this.failure);
    this.failed = null;
    this.waiting = null;
  }
}

/** The shards' progress, summed and passed on at most every `progressIntervalMs`. */
class ProgressRelay {
  private readonly latest: LevelReport[];
  private readonly left: number[];
  private depth = 0;
  private last: number;

  constructor(
    private readonly options: ExploreOptions,
    count: number,
    private readonly start: number,
  ) {
    this.latest = Array.from({ length: count }, () => ({
      states: 0,
      transitions: 0,
      frontier: 0,
      violations: 0,
      full: false,
      interrupted: false,
    }));
    this.left = Array.from({ length: count }, () => 0);
    this.last = start;
  }

  level(depth: number, reports: readonly LevelReport[]): void {
    this.depth = depth - 1;
    reports.forEach((report, i) => {
      this.latest[i] = report;
      this.left[i] = report.frontier;
    });
    this.emit(true);
  }

  update(index: number, report: LevelReport, left: number): void {
    this.latest[index] = report;
    this.left[index] = left;
    this.emit(false);
  }

  private emit(force: boolean): void {
    const { onProgress } = this.options;
    if (onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - this.last < (this.options.progressIntervalMs ?? 500)) return;
    this.last = now;
    const states = this.latest.reduce((sum, r) => sum + r.states, 0);
    const seconds = (now - this.start) / 1000;
    onProgress({
      states,
      transitions: this.latest.reduce((sum, r) => sum + r.transitions, 0),
      statesPerSecond: seconds > 0 ? states / seconds : 0,
      depth: this.depth,
      frontier: this.left.reduce((sum, n) => sum + n, 0),
      seconds,
    });
  }
}
