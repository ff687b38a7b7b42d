/**
 * The shape of a property (design.md §5). Properties are functions of `Observation`s; step
 * properties and reachability guards also see the events applied in the step (`after.events`).
 * A failing verdict names the objects involved.
 */
import type { Observation } from './observation.js';
import type {
  LivenessPropertyName,
  ReachabilityPropertyName,
  SafetyPropertyName,
} from './property-names.js';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

export const OK: Verdict = { ok: true };
export const fail = (message: string): Verdict => ({ ok: false, message });

interface Named<N> {
  readonly name: N;
  /** One sentence, as in protocol.md §9. */
  readonly statement: string;
}

/** Safety over one state: checked on every reachable state. */
export interface AlwaysProperty extends Named<SafetyPropertyName> {
  readonly kind: 'always';
  readonly check: (obs: Observation) => Verdict;
}

/** Safety over one transition: checked on every step. */
export interface StepProperty extends Named<SafetyPropertyName> {
  readonly kind: 'step';
  readonly check: (before: Observation, after: Observation) => Verdict;
}

/** Liveness: must hold within a bound once faults stop. */
export interface EventuallyProperty extends Named<LivenessPropertyName> {
  readonly kind: 'eventually';
  readonly check: (obs: Observation) => Verdict;
}

/** Reachability (vacuity guard): must be hit at least once over a campaign. */
export interface SometimesProperty extends Named<ReachabilityPropertyName> {
  readonly kind: 'sometimes';
  readonly hit: (before: Observation, after: Observation) => boolean;
}

export type SafetyProperty = AlwaysProperty | StepProperty;
export type Property = AlwaysProperty | StepProperty | EventuallyProperty | SometimesProperty;

export interface Catalogue {
  readonly safety: readonly SafetyProperty[];
  readonly liveness: readonly EventuallyProperty[];
  readonly reachability: readonly SometimesProperty[];
}
