/**
 * One shard of a parallel breadth-first search (`parallel.ts`): the states whose fingerprint
 * it owns (`ownerOf`), their BFS bookkeeping, and the expansion of its part of each level.
 *
 * A level runs in two phases. `expandLevel` expands every state of the shard's frontier,
 * checks each transition's step properties here (both ends are at hand), keeps its own
 * successors at once and posts the others to their owners (each at most once). `absorb`, once
 * every shard has finished the level, takes the candidates received in the order of the
 * shard that sent them (so the run does not depend on message timing) and keeps the new ones
 * in the next frontier.
 * Parents and edges are kept as fingerprints: the shard that owns the other end is unknown
 * to it until the results are gathered into one `StateStore`.
 */
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

/** A successor on its way to the shard that owns it. */
export interface Candidate<S> {
  readonly state: S;
  readonly high: number;
  readonly low: number;
  readonly parentHigh: number;
  readonly parentLow: number;
  readonly ordinal: number;
}

/** A violation with its prefix state named by fingerprint: ids are local to a shard. */
export interface ShardPending extends Omit<Pending, 'prefixState'> {
  readonly prefix: Fingerprint;
}

/** Everything a shard knows once the search is over, in typed arrays cheap to post. */
export interface ShardExport {
  readonly highs: Int32Array;
  readonly lows: Int32Array;
  readonly parentHighs: Int32Array;
  readonly parentLows: Int32Array;
  readonly ordinals: Int32Array;
  readonly depths: Int32Array;
  readonly failing: Int32Array;
  /** Edges of local state `i` (expanded states only) are `edgeStarts[i] .. edgeStarts[i + 1]`. */
  readonly edgeStarts: Int32Array;
  readonly edgeHighs: Int32Array;
  readonly edgeLows: Int32Array;
  readonly edgeOrdinals: Int32Array;
  readonly found: readonly ShardPending[];
  readonly violated: readonly string[];
  readonly hit: readonly string[];
  readonly transitions: number;
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
 * the violations as shallow as the first.
 */
export function afterLevel(
  reports: readonly LevelReport[],
  stopAtFirstViolation: boolean,
): StopReason | null {
  if (reports.some((r) => r.interrupted)) return 'interrupted';
  if (reports.some((r) => r.full)) return 'maxStates';
  if (stopAtFirstViolation && reports.some((r) => r.violations > 0)) return 'violation';
  return reports.every((r) => r.frontier === 0) ? 'done' : null;
}

export class Shard<S> {
  private readonly verdicts: Verdicts;
  private readonly visited = new FingerprintSet();
  /**
   * Successors already posted to their owner: the owner has them by the end of the level, so
   * a second copy would only cost a structured clone each way (most transitions lead to a
   * state met before).
   */
  private readonly sent = new FingerprintSet();
  private readonly highs = new IntVec();
  private readonly lows = new IntVec();
  private readonly parentHighs = new IntVec();
  private readonly parentLows = new IntVec();
  private readonly ordinals = new IntVec();
  private readonly depths = new IntVec();
  private readonly failing = new IntVec();
  private readonly edgeStarts = new IntVec();
  private readonly edgeHighs = new IntVec();
  private readonly edgeLows = new IntVec();
  private readonly edgeOrdinals = new IntVec();
  private readonly inbox: Candidate<S>[][];
  private frontier: S[] = [];
  /** The local id of `frontier[0]`: states are stored, and expanded, in frontier order. */
  private frontierStart = 0;
  private readonly fingerprint = fingerprintBuffer();
  transitions = 0;
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
  }

  get size(): number {
    return this.highs.length;
  }

  /** Level 0: the shard that owns the initial state stores it. */
  seed(): void {
    const initial = this.model.initial();
    fingerprintInto(this.model.key(initial), this.fingerprint);
    const high = this.fingerprint[0] as number;
    const low = this.fingerprint[1] as number;
    if (ownerOf(low, this.shards) !== this.index) return;
    this.keep({ state: initial, high, low, parentHigh: 0, parentLow: 0, ordinal: -1 }, 0);
  }

  /**
   * Expands the frontier; `send(shard, candidate)` is called for successors owned elsewhere,
   * `expanded(left)` after each state with the number still to expand; `stopped()`, checked
   * before each state, cuts the level short.
   */
  expandLevel(
    send: (shard: number, candidate: Candidate<S>) => void,
    expanded?: (left: number) => void,
    stopped?: () => boolean,
  ): void {
    const frontier: (S | undefined)[] = this.frontier;
    this.frontier = [];
    for (let i = 0; i < frontier.length; i++) {
      if (stopped?.() === true) {
        this.interrupted = true;
        return;
      }
      const state = frontier[i] as S;
      // As in the one-thread search: only states not yet expanded stay alive.
      frontier[i] = undefined;
      this.expand(state, this.frontierStart + i, send);
      expanded?.(frontier.length - i - 1);
    }
    this.frontierStart += frontier.length;
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

  receive(from: number, candidates: readonly Candidate<S>[]): void {
    this.inbox[from]?.push(...candidates);
  }

  /** Keeps the new candidates, sender by sender, as the frontier of level `depth`. */
  absorb(depth: number): void {
    for (const candidates of this.inbox) {
      for (const candidate of candidates) this.keep(candidate, depth);
      candidates.length = 0;
    }
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
      edgeStarts: starts,
      edgeHighs: copy(this.edgeHighs),
      edgeLows: copy(this.edgeLows),
      edgeOrdinals: copy(this.edgeOrdinals),
      found: found.map(({ prefixState, ...rest }) => ({
        ...rest,
        prefix: this.fingerprintOf(prefixState),
      })),
      violated: [...violated],
      hit: [...hit],
      transitions: this.transitions,
    };
  }

  private fingerprintOf(id: number): Fingerprint {
    return { high: this.highs.get(id) >>> 0, low: this.lows.get(id) >>> 0 };
  }

  private keep(candidate: Candidate<S>, depth: number, observed?: Observation): void {
    const { high, low } = candidate;
    if (this.full || this.visited.get(high, low) >= 0) return;
    if (this.size >= this.maxStates) {
      this.full = true;
      return;
    }
    const id = this.size;
    const observation = observed ?? this.model.observe(candidate.state);
    this.visited.add(high, low, id);
    this.highs.push(high | 0);
    this.lows.push(low | 0);
    this.parentHighs.push(candidate.parentHigh | 0);
    this.parentLows.push(candidate.parentLow | 0);
    this.ordinals.push(candidate.ordinal);
    this.depths.push(depth);
    this.failing.push(failingLiveness(this.verdicts, observation));
    checkAlways(this.verdicts, observation, id);
    this.frontier.push(candidate.state);
  }

  private expand(state: S, id: number, send: (shard: number, c: Candidate<S>) => void): void {
    const { model, verdicts, fingerprint } = this;
    const trackLiveness = verdicts.catalogue.liveness.length > 0;
    const from = { source: id, before: model.observe(state) };
    const depth = this.depths.get(id) + 1;
    const parentHigh = this.highs.get(id) >>> 0;
    const parentLow = this.lows.get(id) >>> 0;
    if (trackLiveness) this.edgeStarts.push(this.edgeHighs.length);
    let progress = 0;
    const transitions = model.transitions(state);
    for (let ordinal = 0; ordinal < transitions.length; ordinal++) {
      const transition = transitions[ordinal];
      if (transition === undefined) continue;
      this.transitions += 1;
      const after = judgeTransition(verdicts, model, from, ordinal, transition.next, fingerprint);
      const high = fingerprint[0] as number;
      const low = fingerprint[1] as number;
      const candidate = { state: transition.next, high, low, parentHigh, parentLow, ordinal };
      const owner = ownerOf(low, this.shards);
      // A successor of one's own is kept (or dropped as met) at once, as the one-thread search
      // does: held until the level's end, every duplicate stayed alive for the whole level
      // (most transitions lead to a state met before), and the run was slower for it.
      if (owner === this.index) this.keep(candidate, depth, after);
      else if (this.sent.get(high, low) < 0) {
        this.sent.add(high, low, 0);
        send(owner, candidate);
      }
      // As in the one-thread search, a self-loop is a stutter, not an edge.
      if (trackLiveness && !transition.action.fault && (high !== parentHigh || low !== parentLow)) {
        this.edgeHighs.push(high | 0);
        this.edgeLows.push(low | 0);
        this.edgeOrdinals.push(ordinal);
        progress += 1;
      }
    }
    if (trackLiveness && progress === 0) this.reportDeadlock(id, from.before);
  }

  /** Unconverged with no fault-free way out: reported with the state's own verdicts. */
  private reportDeadlock(id: number, observation: ReturnType<Model<S>['observe']>): void {
    const { verdicts } = this;
    const mask = this.failing.get(id);
    verdicts.catalogue.liveness.forEach((property, i) => {
      if ((mask & (1 << i)) === 0 || verdicts.violated.has(property.name)) return;
      const verdict = property.check(observation);
      verdicts.violated.add(property.name);
      verdicts.found.push({
        property: property.name,
        kind: property.kind,
        message: `deadlock: no fault-free action is enabled: ${verdict.ok ? 'does not hold' : verdict.message}`,
        prefixState: id,
        extra: [],
        extraFingerprints: [],
        failingOffset: 0,
        liveness: 'deadlock',
      });
      if (verdicts.stopAtFirstViolation) verdicts.stop = 'violation';
    });
  }
}
