/**
 * The exhaustive explorer: breadth-first search over every state a `Model` can reach,
 * checking the property catalogue on every transition, then liveness as convergence over
 * the fault-free part of the graph.
 *
 * Breadth-first order makes every trace shortest: the first time a state (or a violating
 * transition) is met, no shorter path to it exists. Visited states are identified by their
 * full canonical key (never a lossy hash) and are not kept alive: only the frontier holds
 * state objects; traces are rebuilt by replaying transition ordinals (`explore/replay.ts`).
 *
 * The catalogue is passed in because `spec/` must not import `properties/`. This is tooling,
 * not model logic, so it may read the clock (`performance.now`) for progress reports.
 */

import { findLivenessProblem, type LivenessFinding } from './explore/liveness.js';
import { replayOrdinals } from './explore/replay.js';
import { StateStore } from './explore/store.js';
import type { Action, Model } from './model.js';
import type {
  AlwaysProperty,
  Catalogue,
  EventuallyProperty,
  Observation,
  PropertyKind,
  PropertyName,
  SafetyProperty,
  StepProperty,
} from './types/index.js';

export interface ExploreOptions {
  /** Stop (incomplete) rather than store more than this many distinct states. */
  readonly maxStates?: number;
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

/** Why a liveness property was reported violated. */
type LivenessFailure = LivenessFinding['kind'];

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

type StopReason = 'done' | 'maxStates' | 'violation';

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  /** Steps from the initial state to the deepest state discovered. */
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Every reachable state was expanded (false when cut by `maxStates` or a violation). */
  readonly complete: boolean;
  readonly stopReason: StopReason;
  readonly properties: readonly PropertyResult[];
  readonly violations: readonly Violation[];
}

/** A violation found during the search; its trace is rebuilt once the search is over. */
interface Pending {
  readonly property: PropertyName;
  readonly kind: PropertyKind;
  readonly message: string;
  /** The state the trace reaches through the BFS tree before `extra`. */
  readonly prefixState: number;
  readonly extra: readonly number[];
  readonly extraKeys: readonly (string | null)[];
  readonly failingOffset: number;
  readonly cycleStart?: number;
  readonly liveness?: LivenessFailure;
}

interface Search<S> {
  readonly model: Model<S>;
  readonly catalogue: Catalogue;
  readonly maxStates: number;
  readonly stopAtFirstViolation: boolean;
  readonly store: StateStore;
  /** The safety properties split by kind once, not filtered again on every transition. */
  readonly alwaysProperties: readonly AlwaysProperty[];
  readonly stepProperties: readonly StepProperty[];
  /** Fault-free edges are recorded only when there is liveness to check. */
  readonly trackLiveness: boolean;
  readonly violated: Set<PropertyName>;
  readonly hit: Set<PropertyName>;
  readonly found: Pending[];
  readonly clock: ProgressClock;
  transitions: number;
  stop: StopReason | null;
}

/**
 * V8 Maps hold at most 2^24 entries; stopping just short of that reports an honest
 * "incomplete" instead of crashing with a RangeError deep in the search.
 */
const MAP_CAPACITY = 16_000_000;

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
    catalogue,
    maxStates: Math.min(options.maxStates ?? Number.POSITIVE_INFINITY, MAP_CAPACITY),
    stopAtFirstViolation: options.stopAtFirstViolation ?? true,
    store: new StateStore(),
    alwaysProperties: catalogue.safety.filter((p) => p.kind === 'always'),
    stepProperties: catalogue.safety.filter((p) => p.kind === 'step'),
    trackLiveness: catalogue.liveness.length > 0,
    violated: new Set(),
    hit: new Set(),
    found: [],
    clock: new ProgressClock(options.onProgress, options.progressIntervalMs ?? 500),
    transitions: 0,
    stop: null,
  };
  breadthFirst(search);
  const complete = search.stop === null;
  if (complete) checkLiveness(search);
  return summarise(search, complete);
}

function breadthFirst<S>(search: Search<S>): void {
  const { model, store } = search;
  const initial = model.initial();
  const observation = model.observe(initial);
  const id = store.add(model.key(initial), -1, -1, failingLiveness(search, observation));
  checkAlways(search, observation, id);
  let frontier: (S | undefined)[] = [initial];
  let levelStart = 0;
  for (let depth = 0; frontier.length > 0 && search.stop === null; depth++) {
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

function expand<S>(search: Search<S>, state: S, id: number, next: S[]): void {
  const { model, store } = search;
  const before = model.observe(state);
  const transitions = model.transitions(state);
  if (search.trackLiveness) store.beginEdges(id);
  let progress = 0;
  for (let ordinal = 0; ordinal < transitions.length && search.stop === null; ordinal++) {
    const transition = transitions[ordinal];
    if (transition === undefined) continue;
    search.transitions += 1;
    const key = model.key(transition.next);
    const after = model.observe(transition.next);
    checkStep(search, before, after, { source: id, ordinal, key });
    markHits(search, before, after);
    let target = store.lookup(key);
    if (target === undefined) {
      if (store.size >= search.maxStates) {
        search.stop = 'maxStates';
        return;
      }
      target = store.add(key, id, ordinal, failingLiveness(search, after));
      checkAlways(search, after, target);
      next.push(transition.next);
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
      extraKeys: [],
      failingOffset: 0,
      liveness: 'deadlock',
    });
  }
  if (reported && search.stopAtFirstViolation) search.stop = 'violation';
}

interface Edge {
  readonly source: number;
  readonly ordinal: number;
  readonly key: string;
}

function checkStep<S>(search: Search<S>, before: Observation, after: Observation, edge: Edge) {
  for (const property of search.stepProperties) {
    if (search.violated.has(property.name)) continue;
    const verdict = property.check(before, after);
    if (!verdict.ok) {
      record(search, property, verdict.message, {
        prefixState: edge.source,
        extra: [edge.ordinal],
        extraKeys: [edge.key],
      });
    }
  }
}

function checkAlways<S>(search: Search<S>, observation: Observation, id: number): void {
  for (const property of search.alwaysProperties) {
    if (search.violated.has(property.name)) continue;
    const verdict = property.check(observation);
    if (!verdict.ok) record(search, property, verdict.message, { prefixState: id });
  }
}

function record<S>(
  search: Search<S>,
  property: SafetyProperty,
  message: string,
  where: { prefixState: number; extra?: number[]; extraKeys?: string[] },
): void {
  const extra = where.extra ?? [];
  search.found.push({
    property: property.name,
    kind: property.kind,
    message,
    prefixState: where.prefixState,
    extra,
    extraKeys: where.extraKeys ?? [],
    failingOffset: extra.length,
  });
  search.violated.add(property.name);
  if (search.stopAtFirstViolation) search.stop = 'violation';
}

function markHits<S>(search: Search<S>, before: Observation, after: Observation): void {
  for (const property of search.catalogue.reachability) {
    if (!search.hit.has(property.name) && property.hit(before, after)) {
      search.hit.add(property.name);
    }
  }
}

/** Bit `i` set iff `catalogue.liveness[i]` fails in `observation`; 0 means converged. */
function failingLiveness<S>(search: Search<S>, observation: Observation): number {
  let mask = 0;
  search.catalogue.liveness.forEach((property, i) => {
    if (!property.check(observation).ok) mask |= 1 << i;
  });
  return mask;
}

function checkLiveness<S>(search: Search<S>): void {
  if (!search.trackLiveness) return;
  const bound = search.model.config.preset.convergenceBound;
  const finding = findLivenessProblem(search.store.graph(), bound);
  if (finding === null) return;
  const extra =
    finding.kind === 'deadlock' ? [] : finding.kind === 'livelock' ? finding.cycle : finding.path;
  // A too-slow path is reported at its deadline: the state after `bound` fault-free steps,
  // where the properties still failing are the ones that did not converge in time.
  const failingOffset = finding.kind === 'slow' ? bound : 0;
  const offending =
    finding.kind === 'slow' ? (finding.through[bound - 1] ?? finding.state) : finding.state;
  const ordinals = [...search.store.pathTo(finding.state), ...extra.slice(0, failingOffset)];
  for (const { property, message } of failingAt(search, offending, ordinals)) {
    search.violated.add(property.name);
    search.found.push({
      property: property.name,
      kind: property.kind,
      message: `${describeFinding(finding, bound)}: ${message}`,
      prefixState: finding.state,
      extra,
      extraKeys: [],
      failingOffset,
      liveness: finding.kind,
      ...(finding.kind === 'livelock' ? { cycleStart: 0 } : {}),
    });
  }
}

/**
 * The liveness properties failing in the offending state (by the bitmask the search
 * recorded, so a property that reads the step's events cannot make the report disagree
 * with the analysis), with messages from re-evaluating them on the replayed state.
 */
function failingAt<S>(
  search: Search<S>,
  offending: number,
  ordinals: readonly number[],
): { property: EventuallyProperty; message: string }[] {
  const { model, store } = search;
  const replay = replayOrdinals(model, ordinals);
  const observation = model.observe(replay.states[replay.states.length - 1] as S);
  const mask = store.failingLivenessOf(offending);
  return search.catalogue.liveness.flatMap((property, i) => {
    if ((mask & (1 << i)) === 0) return [];
    const verdict = property.check(observation);
    return [{ property, message: verdict.ok ? 'does not hold' : verdict.message }];
  });
}

function describeFinding(finding: LivenessFinding, bound: number): string {
  switch (finding.kind) {
    case 'deadlock':
      return 'deadlock: no fault-free action is enabled';
    case 'livelock':
      return `livelock: a cycle of ${finding.cycle.length} fault-free steps never converges`;
    case 'slow':
      return `not converged within ${bound} fault-free steps (the longest path takes ${finding.path.length})`;
  }
}

function summarise<S>(search: Search<S>, complete: boolean): ExploreResult {
  const seconds = search.clock.seconds();
  const { store } = search;
  return {
    states: store.size,
    transitions: search.transitions,
    depth: store.size === 0 ? 0 : store.depthOf(store.size - 1),
    seconds,
    statesPerSecond: seconds > 0 ? store.size / seconds : 0,
    complete,
    stopReason: search.stop ?? 'done',
    properties: statuses(search, complete),
    violations: search.found.map((pending) => materialise(search, pending)),
  };
}

function statuses<S>(search: Search<S>, complete: boolean): PropertyResult[] {
  const { catalogue, violated, hit } = search;
  // Without a complete search, "no violation seen" proves nothing about safety or liveness.
  const unseen: PropertyStatus = complete ? 'holds' : 'unknown';
  // One offending state shows which liveness properties fail there, not that the others hold.
  const livenessUnseen = catalogue.liveness.some((p) => violated.has(p.name)) ? 'unknown' : unseen;
  const result = (p: { name: PropertyName; kind: PropertyKind }, otherwise: PropertyStatus) => ({
    name: p.name,
    kind: p.kind,
    status: violated.has(p.name) ? 'violated' : otherwise,
  });
  return [
    ...catalogue.safety.map((p) => result(p, unseen)),
    ...catalogue.liveness.map((p) => result(p, livenessUnseen)),
    ...catalogue.reachability.map((p) => result(p, hit.has(p.name) ? 'holds' : 'unexercised')),
  ];
}

function materialise<S>(search: Search<S>, pending: Pending): Violation {
  const { model, store } = search;
  const prefix = store.pathTo(pending.prefixState);
  const keys = [
    ...store.statesTo(pending.prefixState).map((id) => store.keyOf(id)),
    ...pending.extraKeys,
  ];
  const replay = replayOrdinals(model, [...prefix, ...pending.extra], keys);
  return {
    property: pending.property,
    kind: pending.kind,
    message: pending.message,
    steps: replay.actions,
    failingStep: prefix.length + pending.failingOffset,
    ...(pending.cycleStart === undefined ? {} : { cycleStart: prefix.length + pending.cycleStart }),
    ...(pending.liveness === undefined ? {} : { liveness: pending.liveness }),
    summaries: replay.states.map((state) => model.summary(state)),
  };
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
