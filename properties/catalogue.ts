/**
 * The property catalogue of protocol.md §9: every named property with its statement and
 * check, in the order of `spec/types/property-names.ts`, and the helpers the explorer and the
 * fuzzer call on every state.
 */
import type { Observation } from '../spec/types/observation.js';
import type { Catalogue, Property } from '../spec/types/property.js';
import type { PropertyKind, PropertyName } from '../spec/types/property-names.js';
import { apiReflectsTruth, cachesDrain, deletionCompletes } from './liveness/caches.js';
import { sessionsConnect } from './liveness/sessions.js';
import { replicasConverge, statusConverges } from './liveness/workload.js';
import {
  adoptedFromSnapshot,
  bindRacesTemplate,
  exposeRetriedAfterOutage,
  round2Resends,
  staleEpochRefused,
} from './reachability/guards.js';
import { noLeakedSandbox, noOrphanExposure, specFidelity } from './safety/exposure.js';
import { apiPrecedence, noResurrection } from './safety/persistence.js';
import { capacity, uniquePlacement } from './safety/placement.js';
import { epochFencing, handshakeEpochsIncrease, snapshotComplete } from './safety/sessions.js';
import { boundedOvershoot, deletesOnlySurplus } from './safety/workload.js';

export const CATALOGUE: Catalogue = {
  safety: [
    uniquePlacement,
    epochFencing,
    snapshotComplete,
    apiPrecedence,
    noResurrection,
    noOrphanExposure,
    specFidelity,
    capacity,
    boundedOvershoot,
    noLeakedSandbox,
    handshakeEpochsIncrease,
    deletesOnlySurplus,
  ],
  liveness: [
    replicasConverge,
    cachesDrain,
    apiReflectsTruth,
    deletionCompletes,
    sessionsConnect,
    statusConverges,
  ],
  reachability: [
    round2Resends,
    staleEpochRefused,
    adoptedFromSnapshot,
    exposeRetriedAfterOutage,
    bindRacesTemplate,
  ],
};

const BY_NAME: ReadonlyMap<string, Property> = new Map<string, Property>(
  [...CATALOGUE.safety, ...CATALOGUE.liveness, ...CATALOGUE.reachability].map((property) => [
    property.name,
    property,
  ]),
);

/** Looks a property up by name; names come from CLI flags and counterexample files. */
export function findProperty(name: PropertyName): Property;
export function findProperty(name: string): Property | undefined;
export function findProperty(name: string): Property | undefined {
  return BY_NAME.get(name);
}

export function propertyKind(name: PropertyName): PropertyKind;
export function propertyKind(name: string): PropertyKind | undefined;
export function propertyKind(name: string): PropertyKind | undefined {
  return BY_NAME.get(name)?.kind;
}

export interface Violation {
  readonly name: string;
  readonly message: string;
}

/**
 * The first safety property `after` violates, in catalogue order. Step properties need a
 * transition, so they are skipped for the initial state (`before === null`). Allocates only
 * when something fails: this runs on every explored state.
 */
export const checkSafety = (before: Observation | null, after: Observation): Violation | null => {
  for (const property of CATALOGUE.safety) {
    let verdict: ReturnType<typeof property.check>;
    if (property.kind === 'always') verdict = property.check(after);
    else if (before !== null) verdict = property.check(before, after);
    else continue;
    if (!verdict.ok) return { name: property.name, message: verdict.message };
  }
  return null;
};

/** Every liveness property that does not hold in `obs` now. */
export const livenessFailures = (obs: Observation): Violation[] => {
  const failures: Violation[] = [];
  for (const property of CATALOGUE.liveness) {
    const verdict = property.check(obs);
    if (!verdict.ok) failures.push({ name: property.name, message: verdict.message });
  }
  return failures;
};
