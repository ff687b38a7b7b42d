/**
 * A shard of `kd explore --workers N` in its worker thread: it talks to the coordinator
 * (`parallel.ts`) on `parentPort` and to every other shard on a port of its own.
 *
 * Per level (the phases of `shard.ts`): the coordinator says `level` with the frontier
 * states to move; the shard posts those it gives, waits for those it takes, expands its
 * frontier, posting its claims to their owners (in batches), then `end` to every peer. Once
 * every peer's `end` has arrived (all claims of the level with it: a port delivers in
 * order) it answers the claims (`grants` to every peer); once every peer has answered its
 * own, it keeps what it was granted and reports. Levels never overlap: the coordinator
 * starts the next only when every shard has reported.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Model } from '../model.js';
import type { Catalogue } from '../types/index.js';
import {
  type Claims,
  type FrontierEntry,
  type Grants,
  type LevelReport,
  type Move,
  Shard,
  type ShardExport,
} from './shard.js';

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

export type ToShard =
  | { readonly type: 'level'; readonly moves: readonly Move[] }
  | { readonly type: 'export' };

export type FromShard =
  | { readonly type: 'level-done'; readonly report: LevelReport }
  | { readonly type: 'progress'; readonly report: LevelReport; readonly left: number }
  | { readonly type: 'export'; readonly data: ShardExport };

type PeerMessage<S> =
  | { readonly type: 'states'; readonly entries: readonly FrontierEntry<S>[] }
  | { readonly type: 'claims'; readonly claims: Claims }
  | { readonly type: 'end' }
  | { readonly type: 'grants'; readonly grants: Grants };

/** Claims per message: few enough to keep memory flat, many enough to amortise a post. */
const BATCH = 4096;
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
  const level = new LevelPhases(shard, setup, (message) => coordinator.postMessage(message));
  setup.peers.forEach((port, from) => {
    port?.on('message', (message: PeerMessage<S>) => level.fromPeer(from, message));
  });
  coordinator.on('message', (message: ToShard) => {
    if (message.type === 'export')
      coordinator.postMessage({ type: 'export', data: shard.export() });
    else level.start(message.moves);
  });
  shard.seed();
  coordinator.postMessage({ type: 'level-done', report: shard.report() } satisfies FromShard);
}

/**
 * One level's phases as messages arrive. A peer may be a phase ahead of this shard (its
 * states, claims or grants arrive before this shard has started the level, or finished
 * expanding it), so each phase waits for what it needs and keeps what comes early.
 */
class LevelPhases<S> {
  private readonly peerCount: number;
  /** States moved here for this level, by sender; how many are still to come. */
  private readonly incoming: FrontierEntry<S>[][];
  private statesDue = 0;
  private started = false;
  private expanded = false;
  private decided = false;
  private ends = 0;
  private grantsIn = 0;

  constructor(
    private readonly shard: Shard<S>,
    private readonly setup: ShardSetup,
    private readonly post: (message: FromShard) => void,
  ) {
    this.peerCount = setup.count - 1;
    this.incoming = setup.peers.map(() => []);
  }

  start(moves: readonly Move[]): void {
    const { index, peers } = this.setup;
    for (const move of moves) {
      if (move.from === index) {
        const entries = this.shard.give(move.count);
        peers[move.to]?.postMessage({ type: 'states', entries } satisfies PeerMessage<S>);
      }
      // Whatever arrived early already counts against what is due.
      if (move.to === index) this.statesDue += move.count;
    }
    this.started = true;
    this.expandWhenReady();
  }

  fromPeer(from: number, message: PeerMessage<S>): void {
    switch (message.type) {
      case 'states':
        // Not `push(...)`: a move may hold more states than a call takes arguments.
        for (const entry of message.entries) this.incoming[from]?.push(entry);
        this.statesDue -= message.entries.length;
        this.expandWhenReady();
        return;
      case 'claims':
        this.shard.receiveClaims(from, message.claims);
        return;
      case 'end':
        this.ends += 1;
        this.decideWhenReady();
        return;
      case 'grants':
        this.shard.receiveGrants(from, message.grants);
        this.grantsIn += 1;
        this.settleWhenReady();
        return;
      default:
        message satisfies never;
    }
  }

  private expandWhenReady(): void {
    if (!this.started || this.statesDue > 0) return;
    this.started = false;
    for (const entries of this.incoming) {
      this.shard.take(entries);
      entries.length = 0;
    }
    expandAndClaim(this.shard, this.setup, (left) =>
      this.post({ type: 'progress', report: this.shard.report(), left }),
    );
    this.expanded = true;
    this.decideWhenReady();
  }

  private decideWhenReady(): void {
    if (!this.expanded || this.ends < this.peerCount) return;
    this.expanded = false;
    this.ends = 0;
    const grants = this.shard.decide();
    this.setup.peers.forEach((port, to) => {
      const answer = grants[to] as Grants;
      port?.postMessage({ type: 'grants', grants: answer } satisfies PeerMessage<S>, [
        answer.buffer as ArrayBuffer,
      ]);
    });
    this.decided = true;
    this.settleWhenReady();
  }

  private settleWhenReady(): void {
    if (!this.decided || this.grantsIn < this.peerCount) return;
    this.decided = false;
    this.grantsIn = 0;
    this.shard.settle();
    this.post({ type: 'level-done', report: this.shard.report() });
  }
}

function expandAndClaim<S>(
  shard: Shard<S>,
  { peers, interrupt }: ShardSetup,
  progress: (left: number) => void,
): void {
  const batches: number[][] = peers.map(() => []);
  const flush = (to: number) => {
    const batch = batches[to] as number[];
    if (batch.length === 0) return;
    const claims = Int32Array.from(batch);
    peers[to]?.postMessage({ type: 'claims', claims } satisfies PeerMessage<S>, [
      claims.buffer as ArrayBuffer,
    ]);
    batches[to] = [];
  };
  let expanded = 0;
  shard.expandLevel(
    (owner, high, low) => {
      const batch = batches[owner] as number[];
      batch.push(high | 0, low | 0);
      if (batch.length >= 2 * BATCH) flush(owner);
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
