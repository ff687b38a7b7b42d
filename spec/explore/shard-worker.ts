/**
 * A shard of `kd explore --workers N` in its worker thread: it talks to the coordinator
 * (`parallel.ts`) on `parentPort` and to every other shard on a port of its own.
 *
 * Per level: the coordinator says `level`; the shard expands its frontier, posting each
 * successor owned elsewhere to its owner (in batches), then `end` to every peer; once every
 * peer's `end` has arrived (all candidates of the level with it: a port delivers in order),
 * it absorbs them and reports. Levels never overlap: the coordinator starts the next only
 * when every shard has reported.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Model } from '../model.js';
import type { Catalogue } from '../types/index.js';
import { type Candidate, type LevelReport, Shard, type ShardExport } from './shard.js';

export interface ShardSetup {
  readonly index: number;
  readonly count: number;
  readonly maxStates: number;
  readonly stopAtFirstViolation: boolean;
  /** `peers[j]` reaches shard j; undefined at the shard's own index. */
  readonly peers: readonly (MessagePort | undefined)[];
  /**
   * Shared with the coordinator (a SharedArrayBuffer): non-zero once the search is to stop.
   * Read between two states, because a level is expanded without yielding to the event loop.
   */
  readonly interrupt: Int32Array;
}

export type ToShard = { readonly type: 'level' } | { readonly type: 'export' };

export type FromShard =
  | { readonly type: 'level-done'; readonly report: LevelReport }
  | { readonly type: 'progress'; readonly report: LevelReport; readonly left: number }
  | { readonly type: 'export'; readonly data: ShardExport };

type PeerMessage<S> =
  | { readonly type: 'candidates'; readonly candidates: readonly Candidate<S>[] }
  | { readonly type: 'end' };

/** Candidates per message: few enough to keep memory flat, many enough to amortise a post. */
const BATCH = 256;
/** States expanded between two progress messages. */
const PROGRESS_EVERY = 1000;

export function serveShard<S>(
  model: Model<S>,
  catalogue: Catalogue,
  setup: ShardSetup,
  coordinator: MessagePort,
): void {
  const shard = new Shard(
    model,
    catalogue,
    setup.index,
    setup.count,
    setup.maxStates,
    setup.stopAtFirstViolation,
  );
  const post = (message: FromShard) => coordinator.postMessage(message);
  let depth = 0;
  let ends = 0;
  // A peer may finish the level (and say `end`) before this shard has even started it.
  let waiting = false;
  const finishLevel = () => {
    if (!waiting || ends < setup.count - 1) return;
    waiting = false;
    ends = 0;
    shard.absorb(depth);
    post({ type: 'level-done', report: shard.report() });
  };
  setup.peers.forEach((port, from) => {
    port?.on('message', (message: PeerMessage<S>) => {
      if (message.type === 'candidates') shard.receive(from, message.candidates);
      else {
        ends += 1;
        finishLevel();
      }
    });
  });
  coordinator.on('message', (message: ToShard) => {
    if (message.type === 'export') {
      post({ type: 'export', data: shard.export() });
      return;
    }
    depth += 1;
    expandAndSend(shard, setup, (left) => post({ type: 'progress', report: shard.report(), left }));
    waiting = true;
    finishLevel();
  });
  shard.seed();
  post({ type: 'level-done', report: shard.report() });
}

function expandAndSend<S>(
  shard: Shard<S>,
  { peers, interrupt }: ShardSetup,
  progress: (left: number) => void,
): void {
  const batches: Candidate<S>[][] = peers.map(() => []);
  const flush = (to: number) => {
    const batch = batches[to] as Candidate<S>[];
    if (batch.length === 0) return;
    peers[to]?.postMessage({ type: 'candidates', candidates: batch } satisfies PeerMessage<S>);
    batches[to] = [];
  };
  let expanded = 0;
  shard.expandLevel(
    (to, candidate) => {
      const batch = batches[to] as Candidate<S>[];
      batch.push(candidate);
      if (batch.length >= BATCH) flush(to);
    },
    (left) => {
      expanded += 1;
      if (expanded % PROGRESS_EVERY === 0) progress(left);
    },
    () => Atomics.load(interrupt, 0) !== 0,
  );
  peers.forEach((port, to) => {
    flush(to);
    port?.postMessage({ type: 'end' } satisfies PeerMessage<S>);
  });
}
