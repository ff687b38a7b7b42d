/**
 * One shard of a parallel breadth-first search (`parallel.ts`): the states it holds, their
 * BFS bookkeeping, and the expansion of its part of each level.
 *
 * Every fingerprint has an owner (`ownerOf`), which alone decides whether a state is new, but
 * the state itself stays with the shard that found it: states are large object graphs, and
 * one that crosses a thread is copied (structured clone) and loses the per-object memo of keys
 * and observations its successors would share. A level runs in phases:
 *
 * 1. `expandLevel`: every frontier state is expanded and each transition's step properties
 *    checked here (both ends are at hand). A successor this shard owns is kept (or dropped as
 *    met) at once; one owned elsewhere is held back and *claimed* from its owner by
 *    fingerprint alone (at most once per shard and fingerprint).
 * 2. `decide`: once every shard has finished expanding, the owner answers the claims it got,
 *    sender by sender (so the run does not depend on message timing): new and unclaimed
 *    yet → granted, anything else → refused.
 * 3. `settle`: the claimant keeps the states it was granted, in the order it claimed them.
 *
 * Between levels the coordinator may move frontier states from a shard with more than its
 * share to one with less (`balance`, `give`, `take`): without it the shard holding the
 * initial state would keep finding, and so holding, almost everything.
 *
 * Parents and edges are kept as fingerprints: the shard that holds the other end is unknown
 * to this one until the results are gathered into one `StateStore`.
 */
import type { ShardTraffic } from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue, Observation } from '../types/index.js';
import { FingerprintSet, fingerprintBuffer, fingerprintInto } from './fingerprint.js';
import { IntVec } from './int-vec.js';
import type { Fingerprint } from './store.js';
import {
  checkAlways,
  failingLiveness,
  judgeTransition,
  newVerdicts,
  type Pending,
  type StopReason,
  type Verdicts,
} from './verdicts.js';

/** A state waiting to be expanded, with what its expander needs to know of it. */
export interface FrontierEntry<S> {
  readonly state: S;
  readonly high: number;
  readonly low: number;
  /** Its liveness bitmask (`failingLiveness`), for a deadlock found when expanding it. */
  readonly failing: number;
}

/** A violation with its prefix state named by fingerprint: ids are local to a shard. */
export interface ShardPending extends Omit<Pending, 'prefixState'> {
  readonly prefix: Fingerprint;
}

/** Everything a shard knows once the search is over, in typed arrays cheap to post. */
export interface ShardExport {
  /** The states it holds, by depth: fingerprint, parent's fingerprint, ordinal, depth, mask. */
  readonly highs: Int32Array;
  readonly lows: Int32Array;
  readonly parentHighs: Int32Array;
  readonly parentLows: Int32Array;
  readonly ordinals: Int32Array;
  readonly depths: Int32Array;
  readonly failing: Int32Array;
  /** The states it expanded (held here or moved here), by fingerprint. */
  readonly expandedHighs: Int32Array;
  readonly expandedLows: Int32Array;
  /** Edges of expanded state `i` are `edgeStarts[i] .. edgeStarts[i + 1]`. */
  readonly edgeStarts: Int32Array;
  readonly edgeHighs: Int32Array;
  readonly edgeLows: Int32Array;
  readonly edgeOrdinals: Int32Array;
  readonly found: readonly ShardPending[];
  readonly violated: readonly string[];
  readonly hit: readonly string[];
  readonly transitions: number;
  readonly traffic: ShardTraffic;
}

export function ownerOf(low: number, shards: number): number {
  return (low >>> 0) % shards;
}

export interface LevelReport {
  readonly states: number;
  readonly transitions: number;
  readonly frontier: number;
  readonly violations: number;
  readonly full: boolean;
  /** The level was cut short from outside: states are left unexpanded. */
  readonly interrupted: boolean;
}

/**
 * After a level: why the search stops ('done' when nothing is left to expand), or null to
 * expand the next one. A violation ends it only at a level's end, so every shard has met
 * the violations as shallow as the first. `depth` is that of the frontiers' states, which
 * are not expanded at `maxDepth` (the one-thread explorer's bound).
 */
export function afterLevel(
  reports: readonly LevelReport[],
  stopAtFirstViolation: boolean,
  depth: number,
  maxDepth = Number.POSITIVE_INFINITY,
): StopReason | null {
  if (reports.some((r) => r.interrupted)) return 'interrupted';
  if (reports.some((r) => r.full)) return 'maxStates';
  if (stopAtFirstViolation && reports.some((r) => r.violations > 0)) return 'violation';
  if (reports.every((r) => r.frontier === 0)) return 'done';
  return depth >= maxDepth ? 'maxDepth' : null;
}

/** `count` frontier states to move from shard `from` to shard `to` before a level. */
export interface Move {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * Moves that even out the frontiers (sizes `frontiers`), or none while the largest exceeds
 * an even share by less than an eighth: a moved state costs a copy each way and its memo.
 * Surplus goes to deficit in shard order, so the plan is a function of the sizes alone.
 */
export function balance(frontiers: readonly number[]): Move[] {
  const total = frontiers.reduce((sum, n) => sum + n, 0);
  const n = frontiers.length;
  const share = (i: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);
  if (Math.max(...frontiers) - total / n <= Math.max(8, total / n / 8)) return [];
  const surplus = frontiers.map((size, i) => size - share(i));
  const moves: Move[] = [];
  let to = 0;
  for (let from = 0; from < n; from++) {
    while ((surplus[from] as number) > 0) {
      while ((surplus[to] as number) >= 0) to++;
      const count = Math.min(surplus[from] as number, -(surplus[to] as number));
      moves.push({ from, to, count });
      surplus[from] = (surplus[from] as number) - count;
      surplus[to] = (surplus[to] as number) + count;
    }
  }
  return moves;
}

/** A successor held back until its owner has answered this shard's claim of it. */
interface Claimed<S> {
  readonly state: S;
  readonly high: number;
  readonly low: number;
  readonly parentHigh: number;
  readonly parentLow: number;
  readonly ordinal: number;
  readonly observation: Observation;
  readonly owner: number;
}

/** A shard's claims to one owner, as fingerprint pairs `[high, low, high, low, …]`. */
export type Claims = Int32Array;
/** An owner's answer to one shard's claims, in their order: 1 granted, 0 refused. */
export type Grants = Uint8Array;

export class Shard<S> {
  private readonly verdicts: Verdicts;
  /** States held here, by fingerprint → local id. */
  private readonly held = new FingerprintSet();
  /** Fingerprints this shard owns and granted to another shard. */
  private readonly granted = new FingerprintSet();
  /** Fingerprints this shard has claimed (granted or not): never claimed twice. */
  private readonly claimedOnce = new FingerprintSet();
  private readonly highs = new IntVec();
  private readonly lows = new IntVec();
  private readonly parentHighs = new IntVec();
  private readonly parentLows = new IntVec();
  private readonly ordinals = new IntVec();
  private readonly depths = new IntVec();
  private readonly failing = new IntVec();
  private readonly expandedHighs = new IntVec();
  private readonly expandedLows = new IntVec();
  private readonly edgeStarts = new IntVec();
  private readonly edgeHighs = new IntVec();
  private readonly edgeLows = new IntVec();
  private readonly edgeOrdinals = new IntVec();
  /** The prefix state of each of `verdicts.found`, by fingerprint. */
  private readonly foundPrefixes: Fingerprint[] = [];
  /** This level's claims, in the order they were made, and their owners' answers. */
  private claimed: Claimed<S>[] = [];
  private readonly grants: (Grants | undefined)[];
  /** Claims received this level, by claimant. */
  private readonly inbox: Claims[][];
  private frontier: FrontierEntry<S>[] = [];
  private depth = 0;
  private readonly fingerprint = fingerprintBuffer();
  transitions = 0;
  private readonly traffic = { claims: 0, granted: 0, moved: 0 };
  /** Set when the shard's share of `maxStates` is used up: the search ends incomplete. */
  full = false;
  private interrupted = false;

  constructor(
    private readonly model: Model<S>,
    catalogue: Catalogue,
    readonly index: number,
    readonly shards: number,
    private readonly maxStates: number,
    stopAtFirstViolation: boolean,
  ) {
    this.verdicts = newVerdicts(catalogue, stopAtFirstViolation);
    this.inbox = Array.from({ length: shards }, () => []);
    this.grants = Array.from({ length: shards }, () => undefined);
  }

  get size(): number {
    return this.highs.length;
  }

  /** Level 0: the shard that owns the initial state holds it. */
  seed(): void {
    const initial = this.model.initial();
    fingerprintInto(this.model.key(initial), this.fingerprint);
    const high = this.fingerprint[0] as number;
    const low = this.fingerprint[1] as number;
    if (ownerOf(low, this.shards) !== this.index) return;
    const observation = this.model.observe(initial);
    const held = this.model.kept?.(initial) ?? initial;
    this.keep(held, high, low, { high: 0, low: 0, ordinal: -1 }, observation);
  }

  /** Moving frontier states: the last `count` leave this shard … */
  give(count: number): FrontierEntry<S>[] {
    return this.frontier.splice(this.frontier.length - count, count);
  }

  /** … and join another's (senders in shard order). */
  take(entries: readonly FrontierEntry<S>[]): void {
    this.traffic.moved += entries.length;
    // Not `push(...entries)`: a move may hold more states than a call takes arguments.
    for (const entry of entries) this.frontier.push(entry);
  }

  /**
   * Phase 1. `claim(owner, high, low)` is called for each successor owned elsewhere and not
   * claimed before, `expanded(left)` after each state with the number still to expand;
   * `stopped()`, checked before each state, cuts the level short.
   */
  expandLevel(
    claim: (owner: number, high: number, low: number) => void,
    expanded?: (left: number) => void,
    stopped?: () => boolean,
  ): void {
    const frontier: (FrontierEntry<S> | undefined)[] = this.frontier;
    this.frontier = [];
    this.depth += 1;
    for (let i = 0; i < frontier.length; i++) {
      if (stopped?.() === true) {
        this.interrupted = true;
        return;
      }
      const entry = frontier[i] as FrontierEntry<S>;
      // As in the one-thread search: only states not yet expanded stay alive.
      frontier[i] = undefined;
      this.expand(entry, claim);
      expanded?.(frontier.length - i - 1);
      // Its share of `maxStates` is used up: the search ends with this level, and the rest
      // of it could only find states this shard may not keep (the one-thread search stops
      // at once too). Expanding it anyway took minutes on a large preset.
      if (this.full) return;
    }
  }

  /** Phase 2 input: claims from shard `from`, in the order it made them. */
  receiveClaims(from: number, claims: Claims): void {
    this.inbox[from]?.push(claims);
  }

  /**
   * Phase 2, once every shard has expanded the level: answers each shard's claims, claimants
   * in shard order. A fingerprint held here, granted before, or granted to an earlier claim
   * of this level is refused.
   */
  decide(): Grants[] {
    return this.inbox.map((batches) => {
      const total = batches.reduce((sum, b) => sum + b.length / 2, 0);
      const answer = new Uint8Array(total);
      let at = 0;
      for (const claims of batches) {
        for (let i = 0; i < claims.length; i += 2, at++) {
          const high = (claims[i] as number) >>> 0;
          const low = (claims[i + 1] as number) >>> 0;
          if (this.held.get(high, low) >= 0 || this.granted.get(high, low) >= 0) continue;
          this.granted.add(high, low, 0);
          answer[at] = 1;
        }
      }
      batches.length = 0;
      return answer;
    });
  }

  /** Phase 3 input: owner `from`'s answer to this shard's claims. */
  receiveGrants(from: number, grants: Grants): void {
    this.grants[from] = grants;
  }

  /** Phase 3, once every owner has answered: keeps what was granted, in claim order. */
  settle(): void {
    const next = this.grants.map(() => 0);
    for (const c of this.claimed) {
      const at = next[c.owner] as number;
      next[c.owner] = at + 1;
      if (this.grants[c.owner]?.[at] !== 1) continue;
      this.traffic.granted += 1;
      const parent = { high: c.parentHigh, low: c.parentLow, ordinal: c.ordinal };
      this.keep(c.state, c.high, c.low, parent, c.observation);
    }
    this.claimed = [];
    this.grants.fill(undefined);
  }

  /** What the coordinator needs after each level to decide whether to go on. */
  report(): LevelReport {
    return {
      states: this.size,
      transitions: this.transitions,
      frontier: this.frontier.length,
      violations: this.verdicts.found.length,
      full: this.full,
      interrupted: this.interrupted,
    };
  }

  export(): ShardExport {
    const { found, violated, hit } = this.verdicts;
    const copy = (vec: IntVec) => vec.view().slice();
    const starts = new Int32Array(this.edgeStarts.length + 1);
    starts.set(this.edgeStarts.view());
    starts[this.edgeStarts.length] = this.edgeHighs.length;
    return {
      highs: copy(this.highs),
      lows: copy(this.lows),
      parentHighs: copy(this.parentHighs),
      parentLows: copy(this.parentLows),
      ordinals: copy(this.ordinals),
      depths: copy(this.depths),
      failing: copy(this.failing),
      expandedHighs: copy(this.expandedHighs),
      expandedLows: copy(this.expandedLows),
      edgeStarts: starts,
      edgeHighs: copy(this.edgeHighs),
      edgeLows: copy(this.edgeLows),
      edgeOrdinals: copy(this.edgeOrdinals),
      found: found.map(({ prefixState: _, ...rest }, i) => ({
        ...rest,
        prefix: this.foundPrefixes[i] as Fingerprint,
      })),
      violated: [...violated],
      hit: [...hit],
      transitions: this.transitions,
      traffic: { ...this.traffic },
    };
  }

  private keep(
    state: S,
    high: number,
    low: number,
    parent: { high: number; low: number; ordinal: number },
    observation: Observation,
  ): void {
    if (this.full || this.held.get(high, low) >= 0) return;
    if (this.size >= this.maxStates) {
      this.full = true;
      return;
    }
    const id = this.size;
    this.held.add(high, low, id);
    this.highs.push(high | 0);
    this.lows.push(low | 0);
    this.parentHighs.push(parent.high | 0);
    this.parentLows.push(parent.low | 0);
    this.ordinals.push(parent.ordinal);
    this.depths.push(this.depth);
    const failing = failingLiveness(this.verdicts, observation);
    this.failing.push(failing);
    checkAlways(this.verdicts, observation, id);
    this.noteFound(high, low);
    this.frontier.push({ state, high, low, failing });
  }

  /** Names the prefix of any violation just recorded by its fingerprint. */
  private noteFound(high: number, low: number): void {
    while (this.foundPrefixes.length < this.verdicts.found.length) {
      this.foundPrefixes.push({ high: high >>> 0, low: low >>> 0 });
    }
  }

  /** Whether a successor is known here to be met: held, granted by this owner, or claimed. */
  private met(high: number, low: number, owner: number): boolean {
    if (this.held.get(high, low) >= 0) return true;
    return owner === this.index
      ? this.granted.get(high, low) >= 0
      : this.claimedOnce.get(high, low) >= 0;
  }

  private expand(
    entry: FrontierEntry<S>,
    claim: (owner: number, high: number, low: number) => void,
  ): void {
    const { model, verdicts, fingerprint } = this;
    const trackLiveness = verdicts.catalogue.liveness.length > 0;
    const { state, high: parentHigh, low: parentLow } = entry;
    const from = { source: this.expandedHighs.length, before: model.observe(state) };
    this.expandedHighs.push(parentHigh | 0);
    this.expandedLows.push(parentLow | 0);
    if (trackLiveness) this.edgeStarts.push(this.edgeHighs.length);
    let progress = 0;
    const transitions = model.transitions(state);
    for (let ordinal = 0; ordinal < transitions.length; ordinal++) {
      const transition = transitions[ordinal];
      if (transition === undefined) continue;
      this.transitions += 1;
      const after = judgeTransition(verdicts, model, from, ordinal, transition.next, fingerprint);
      this.noteFound(parentHigh, parentLow);
      const high = fingerprint[0] as number;
      const low = fingerprint[1] as number;
      const owner = ownerOf(low, this.shards);
      if (!this.met(high, low, owner)) {
        // Kept here, or claimed and then most likely granted: either way expanded here.
        const held = model.kept?.(transition.next) ?? transition.next;
        const parent = { high: parentHigh, low: parentLow, ordinal };
        // A successor of one's own is kept at once, as the one-thread search does: held
        // until the level's end, every duplicate stayed alive for the whole level.
        if (owner === this.index) this.keep(held, high, low, parent, after);
        else {
          this.claimedOnce.add(high, low, 0);
          this.claimed.push({
            state: held,
            high,
            low,
            parentHigh,
            parentLow,
            ordinal,
            observation: after,
            owner,
          });
          this.traffic.claims += 1;
          claim(owner, high, low);
        }
      }
      // As in the one-thread search, a self-loop is a stutter, not an edge.
      if (trackLiveness && !transition.action.fault && (high !== parentHigh || low !== parentLow)) {
        this.edgeHighs.push(high | 0);
        this.edgeLows.push(low | 0);
        this.edgeOrdinals.push(ordinal);
        progress += 1;
      }
    }
    if (trackLiveness && progress === 0) this.reportDeadlock(entry, from.before);
  }

  /** Unconverged with no fault-free way out: reported with the state's own verdicts. */
  private reportDeadlock(entry: FrontierEntry<S>, observation: Observation): void {
    const { verdicts } = this;
    verdicts.catalogue.liveness.forEach((property, i) => {
      if ((entry.failing & (1 << i)) === 0 || verdicts.violated.has(property.name)) return;
      const verdict = property.check(observation);
      verdicts.violated.add(property.name);
      verdicts.found.push({
        property: property.name,
        kind: property.kind,
        message: `deadlock: no fault-free action is enabled: ${verdict.ok ? 'does not hold' : verdict.message}`,
        prefixState: -1,
        extra: [],
        extraFingerprints: [],
        failingOffset: 0,
        liveness: 'deadlock',
      });
      if (verdicts.stopAtFirstViolation) verdicts.stop = 'violation';
    });
    this.noteFound(entry.high, entry.low);
  }
}
