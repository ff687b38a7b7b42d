/**
 * The end of a search, one-thread or parallel: the liveness analysis over the fault-free
 * graph once every state is expanded, the property statuses, and each violation's trace,
 * rebuilt by replaying its transition ordinals from the initial state.
 */
import type { ExploreResult, PropertyResult, PropertyStatus, Violation } from '../explore.js';
import type { Model } from '../model.js';
import type { EventuallyProperty, PropertyKind, PropertyName } from '../types/index.js';
import { collisionProbability } from './fingerprint.js';
import { findLivenessProblem, type LivenessFinding } from './liveness.js';
import { replayOrdinals } from './replay.js';
import type { StateStore } from './store.js';
import type { Pending, Verdicts } from './verdicts.js';

/** What a search leaves behind: its verdicts, its visited states and the model to replay. */
export interface Explored<S> extends Verdicts {
  readonly model: Model<S>;
  readonly store: StateStore;
  readonly transitions: number;
}

export function checkLiveness<S>(search: Explored<S>): void {
  // Without liveness properties the search recorded no edges to analyse.
  if (search.catalogue.liveness.length === 0) return;
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
      extraFingerprints: [],
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
export function failingAt<S>(
  search: Explored<S>,
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

export function summarise<S>(
  search: Explored<S>,
  complete: boolean,
  seconds: number,
): ExploreResult {
  const { store } = search;
  return {
    states: store.size,
    transitions: search.transitions,
    depth: store.size === 0 ? 0 : store.depthOf(store.size - 1),
    levels: store.levels(),
    seconds,
    statesPerSecond: seconds > 0 ? store.size / seconds : 0,
    complete,
    collisionProbability: collisionProbability(store.size),
    stopReason: search.stop ?? 'done',
    properties: statuses(search, complete),
    violations: search.found.map((pending) => materialise(search, pending)),
  };
}

export function statuses<S>(search: Explored<S>, complete: boolean): PropertyResult[] {
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

export function materialise<S>(search: Explored<S>, pending: Pending): Violation {
  const { model, store } = search;
  const prefix = store.pathTo(pending.prefixState);
  const fingerprints = [
    ...store.statesTo(pending.prefixState).map((id) => store.fingerprintOf(id)),
    ...pending.extraFingerprints,
  ];
  const replay = replayOrdinals(model, [...prefix, ...pending.extra], fingerprints);
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
