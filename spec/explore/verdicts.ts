/**
 * The safety verdicts of a search as it goes: which properties a transition or a new state
 * violates, which reachability guards it hits, and the violations found, each as a
 * `Pending` whose trace is rebuilt once the search is over. Shared by the one-thread
 * explorer (`explore.ts`) and each shard of a parallel one (`shard.ts`).
 */

import type { Model } from '../model.js';
import type {
  AlwaysProperty,
  Catalogue,
  Observation,
  PropertyKind,
  PropertyName,
  SafetyProperty,
  StepProperty,
} from '../types/index.js';
import { type FingerprintOut, fingerprintInto } from './fingerprint.js';
import type { LivenessFinding } from './liveness.js';
import type { Fingerprint } from './store.js';

/**
 * 'interrupted': stopped from outside (Ctrl-C on `kd explore`), only on worker threads.
 * 'maxDepth': every state within `maxDepth` steps was met and every transition between them
 * judged; the states `maxDepth` steps from the start were judged but not expanded.
 */
export type StopReason = 'done' | 'maxStates' | 'maxDepth' | 'violation' | 'interrupted';

/** Why a liveness property was reported violated. */
export type LivenessFailure = LivenessFinding['kind'];

export interface Verdicts {
  readonly catalogue: Catalogue;
  readonly stopAtFirstViolation: boolean;
  /** The safety properties split by kind once, not filtered again on every transition. */
  readonly alwaysProperties: readonly AlwaysProperty[];
  readonly stepProperties: readonly StepProperty[];
  readonly violated: Set<PropertyName>;
  readonly hit: Set<PropertyName>;
  readonly found: Pending[];
  stop: StopReason | null;
}

/**
 * One transition from `source` (observed as `before`) by its `ordinal`: the target's key
 * fingerprinted into `fingerprint`, the step properties and guards checked. Returns the
 * target's observation.
 */
export function judgeTransition<S>(
  verdicts: Verdicts,
  model: Model<S>,
  from: { readonly source: number; readonly before: Observation },
  ordinal: number,
  next: S,
  fingerprint: FingerprintOut,
): Observation {
  fingerprintInto(model.key(next), fingerprint);
  const after = model.observe(next);
  const target = { high: fingerprint[0] as number, low: fingerprint[1] as number };
  checkStep(verdicts, from.before, after, { source: from.source, ordinal, fingerprint: target });
  markHits(verdicts, from.before, after);
  return after;
}

export function newVerdicts(catalogue: Catalogue, stopAtFirstViolation: boolean): Verdicts {
  return {
    catalogue,
    stopAtFirstViolation,
    alwaysProperties: catalogue.safety.filter((p) => p.kind === 'always'),
    stepProperties: catalogue.safety.filter((p) => p.kind === 'step'),
    violated: new Set(),
    hit: new Set(),
    found: [],
    stop: null,
  };
}

/** A violation found during the search; its trace is rebuilt once the search is over. */
export interface Pending {
  readonly property: PropertyName;
  readonly kind: PropertyKind;
  readonly message: string;
  /** The state the trace reaches through the BFS tree before `extra`. */
  readonly prefixState: number;
  readonly extra: readonly number[];
  readonly extraFingerprints: readonly (Fingerprint | null)[];
  readonly failingOffset: number;
  readonly cycleStart?: number;
  readonly liveness?: LivenessFailure;
}

export interface Edge {
  readonly source: number;
  readonly ordinal: number;
  readonly fingerprint: Fingerprint;
}

export function checkStep(search: Verdicts, before: Observation, after: Observation, edge: Edge) {
  for (const property of search.stepProperties) {
    if (search.violated.has(property.name)) continue;
    const verdict = property.check(before, after);
    if (!verdict.ok) {
      record(search, property, verdict.message, {
        prefixState: edge.source,
        extra: [edge.ordinal],
        extraFingerprints: [edge.fingerprint],
      });
    }
  }
}

export function checkAlways(search: Verdicts, observation: Observation, id: number): void {
  for (const property of search.alwaysProperties) {
    if (search.violated.has(property.name)) continue;
    const verdict = property.check(observation);
    if (!verdict.ok) record(search, property, verdict.message, { prefixState: id });
  }
}

export function record(
  search: Verdicts,
  property: SafetyProperty,
  message: string,
  where: { prefixState: number; extra?: number[]; extraFingerprints?: Fingerprint[] },
): void {
  const extra = where.extra ?? [];
  search.found.push({
    property: property.name,
    kind: property.kind,
    message,
    prefixState: where.prefixState,
    extra,
    extraFingerprints: where.extraFingerprints ?? [],
    failingOffset: extra.length,
  });
  search.violated.add(property.name);
  if (search.stopAtFirstViolation) search.stop = 'violation';
}

export function markHits(search: Verdicts, before: Observation, after: Observation): void {
  for (const property of search.catalogue.reachability) {
    if (!search.hit.has(property.name) && property.hit(before, after)) {
      search.hit.add(property.name);
    }
  }
}

/** Bit `i` set iff `catalogue.liveness[i]` fails in `observation`; 0 means converged. */
export function failingLiveness(search: Verdicts, observation: Observation): number {
  let mask = 0;
  search.catalogue.liveness.forEach((property, i) => {
    if (!property.check(observation).ok) mask |= 1 << i;
  });
  return mask;
}
