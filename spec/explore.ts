/**
 * The exhaustive explorer: breadth-first search over every state a `Model` can reach,
 * checking the property catalogue on every transition, then liveness as convergence over
 * the fault-free part of the graph.
 *
 * Breadth-first order makes every trace shortest: the first time a state (or a violating
 * transition) is met, no shorter path to it exists. Visited states are identified by a
 * 64-bit fingerprint of their canonical key (`explore/fingerprint.ts`; the probability that
 * two were merged is part of the result) and are not kept alive: only the frontier holds
 * state objects; traces are rebuilt by replaying transition ordinals (`explore/replay.ts`).
 *
 * The catalogue is passed in because `spec/` must not import `properties/`. This is tooling,
 * not model logic, so it may read the clock (`performance.now`) for progress reports.
 */

import { fingerprintBuffer, fingerprintInto } from './explore/fingerprint.js';
import { checkLiveness, failingAt, summarise } from './explore/finish.js';
import { StateStore } from './explore/store.js';
import {
  checkAlways,
  failingLiveness,
  judgeTransition,
  type LivenessFailure,
  newVerdicts,
  type StopReason,
  type Verdicts,
} from './explore/verdicts.js';
import type { Action, Model } from './model.js';
import type { Catalogue, PropertyKind, PropertyName } from './types/index.js';

export interface ExploreOptions {
  /** Stop (incomplete) rather than store more than this many distinct states. */
  readonly maxStates?: number;
  /**
   * Expand no state this many steps from the initial one: the search meets every state
   * within that many steps and judges every transition between them, a bounded check of
   * every behaviour of up to `maxDepth` steps (incomplete if states were left beyond it).
   */
  readonly maxDepth?: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Default true. When false, record the first violation of each property and go on. */
  readonly stopAtFirstViolation?: boolean;
  /** Wall time between progress reports; default 500 ms. */
  readonly progressIntervalMs?: number;
}

export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly statesPerSecond: number;
  /** The BFS level being expanded. */
  readonly depth: number;
  /** States discovered but not yet expanded. */
  readonly frontier: number;
  readonly seconds: number;
}

export type PropertyStatus = 'holds' | 'violated' | 'unexercised' | 'unknown';

export interface PropertyResult {
  readonly name: PropertyName;
  readonly kind: PropertyKind;
  readonly status: PropertyStatus;
}

export interface Violation {
  readonly property: PropertyName;
  readonly kind: PropertyKind;
  readonly message: string;
  /** The actions from the initial state; step `i` (1-based) is `steps[i - 1]`. */
  readonly steps: readonly Action[];
  /**
   * The step after which the property fails (0: already in the initial state). For a
   * liveness violation: the state where the system is stuck (deadlock), the first state of
   * the cycle (livelock), or the state reached after `convergenceBound` fault-free steps
   * (too slow).
   */
  readonly failingStep: number;
  /** Livelock only: the steps after `cycleStart` return to the state after `cycleStart`. */
  readonly cycleStart?: number;
  readonly liveness?: LivenessFailure;
  /** `model.summary` of the state after each step; `summaries[0]` is the initial state. */
  readonly summaries: readonly string[];
}

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  /** Steps from the initial state to the deepest state discovered. */
  readonly depth: number;
  /**
   * `levels[d]`: the states first met at depth `d` (the last level is partial when the search
   * was cut). How fast the levels grow says whether a bounded run could finish.
   */
  readonly levels: readonly number[];
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Every reachable state was expanded (false when cut by `maxStates` or a violation). */
  readonly complete: boolean;
  /** The chance that two distinct states shared a fingerprint and one was never expanded. */
  readonly collisionProbability: number;
  readonly stopReason: StopReason;
  readonly properties: readonly PropertyResult[];
  readonly violations: readonly Violation[];
  /** What crossed between shards, for a search on several (`--workers`). */
  readonly sharding?: ShardTraffic;
}

/** A sharded search's traffic: what the design keeps small (docs/design/explorer.md). */
export interface ShardTraffic {
  /** Successors claimed from their owner by fingerprint, and how many were granted. */
  readonly claims: number;
  readonly granted: number;
  /** Frontier states moved between shards to even out their work (copied whole). */
  readonly moved: number;
}

interface Search<S> extends Verdicts {
  readonly model: Model<S>;
  readonly maxStates: number;
  readonly maxDepth: number;
  readonly store: StateStore;
  /** Fault-free edges are recorded only when there is liveness to check. */
  readonly trackLiveness: boolean;
  readonly clock: ProgressClock;
  transitions: number;
}

/**
 * The per-state vectors are typed arrays, whose length V8 bounds by 2^31 - 1 entries, and
 * the fingerprint table doubles past twice its size: stopping at 2^28 states reports an
 * honest "incomplete" instead of a RangeError deep in the search.
 */
const STORE_CAPACITY = 2 ** 28;

export function explore<S>(
  model: Model<S>,
  catalogue: Catalogue,
  options: ExploreOptions = {},
): ExploreResult {
  if (catalogue.liveness.length > 31) {
    throw new Error('explore: at most 31 liveness properties fit the per-state bitmask');
  }
  const search: Search<S> = {
    model,
    ...newVerdicts(catalogue, options.stopAtFirstViolation ?? true),
    maxStates: Math.min(options.maxStates ?? Number.POSITIVE_INFINITY, STORE_CAPACITY),
    maxDepth: options.maxDepth ?? Number.POSITIVE_INFINITY,
    store: new StateStore(),
    trackLiveness: catalogue.liveness.length > 0,
    clock: new ProgressClock(options.onProgress, options.progressIntervalMs ?? 500),
    transitions: 0,
  };
  breadthFirst(search);
  const complete = search.stop === null;
  if (complete) checkLiveness(search);
  return summarise(search, complete, search.clock.seconds());
}

function breadthFirst<S>(search: Search<S>): void {
  const { model, store } = search;
  const initial = model.initial();
  const observation = model.observe(initial);
  fingerprintInto(model.key(initial), fingerprint);
  const id = store.add(
    fingerprint[0] as number,
    fingerprint[1] as number,
    -1,
    -1,
    failingLiveness(search, observation),
  );
  const held = model.kept?.(initial) ?? initial;
  checkAlways(search, observation, id);
  let frontier: (S | undefined)[] = [held];
  let levelStart = 0;
  for (let depth = 0; frontier.length > 0 && search.stop === null; depth++) {
    if (depth >= search.maxDepth) {
      search.stop = 'maxDepth';
      return;
    }
    const next: S[] = [];
    for (let i = 0; i < frontier.length && search.stop === null; i++) {
      const state = frontier[i] as S;
      // Drop the reference as soon as the state is expanded: only the frontier stays alive.
      frontier[i] = undefined;
      expand(search, state, levelStart + i, next);
      search.clock.tick(search, depth, frontier.length - i - 1 + next.length);
    }
    levelStart += frontier.length;
    frontier = next;
  }
}

/** The fingerprint of the state being looked up: one buffer, not one array per transition. */
const fingerprint = fingerprintBuffer();

function expand<S>(search: Search<S>, state: S, id: number, next: S[]): void {
  const { model, store } = search;
  const from = { source: id, before: model.observe(state) };
  const transitions = model.transitions(state);
  if (search.trackLiveness) store.beginEdges(id);
  let progress = 0;
  for (let ordinal = 0; ordinal < transitions.length && search.stop === null; ordinal++) {
    const transition = transitions[ordinal];
    if (transition === undefined) continue;
    search.transitions += 1;
    const after = judgeTransition(search, model, from, ordinal, transition.next, fingerprint);
    const high = fingerprint[0] as number;
    const low = fingerprint[1] as number;
    let target = store.lookup(high, low);
    if (target < 0) {
      if (store.size >= search.maxStates) {
        search.stop = 'maxStates';
        return;
      }
      target = store.add(high, low, id, ordinal, failingLiveness(search, after));
      const held = model.kept?.(transition.next) ?? transition.next;
      checkAlways(search, after, target);
      next.push(held);
    }
    // A self-loop is a stutter (the system retried and nothing changed): it neither makes
    // progress nor keeps the system from it, so it is not an edge of the liveness graph.
    if (search.trackLiveness && !transition.action.fault && target !== id) {
      store.addEdge(target, ordinal);
      progress += 1;
    }
  }
  if (search.trackLiveness && progress === 0 && search.stop === null) reportDeadlockNow(search, id);
}

/**
 * A deadlock is visible as soon as a state is expanded: unconverged, and no fault-free
 * action leads anywhere else. Reporting it at once (rather than after the whole search)
 * lets a mutant that breaks liveness this way be caught in seconds.
 */
function reportDeadlockNow<S>(search: Search<S>, id: number): void {
  if (search.store.failingLivenessOf(id) === 0) return;
  const ordinals = search.store.pathTo(id);
  let reported = false;
  for (const { property, message } of failingAt(search, id, ordinals)) {
    if (search.violated.has(property.name)) continue;
    reported = true;
    search.violated.add(property.name);
    search.found.push({
      property: property.name,
      kind: property.kind,
      message: `deadlock: no fault-free action is enabled: ${message}`,
      prefixState: id,
      extra: [],
      extraFingerprints: [],
      failingOffset: 0,
      liveness: 'deadlock',
    });
  }
  if (reported && search.stopAtFirstViolation) search.stop = 'violation';
}

/** Calls `onProgress` at most every `intervalMs` of wall time. */
class ProgressClock {
  private readonly start = performance.now();
  private last = this.start;

  constructor(
    private readonly onProgress: ((progress: Progress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  seconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  tick<S>(search: Search<S>, depth: number, frontier: number): void {
    if (this.onProgress === undefined) return;
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    const seconds = (now - this.start) / 1000;
    const states = search.store.size;
    this.onProgress({
      states,
      transitions: search.transitions,
      statesPerSecond: seconds > 0 ? states / seconds : 0,
      depth,
      frontier,
      seconds,
    });
  }
}
