/**
 * What an explorer needs of a model: the contract between `spec/world.ts` and
 * `spec/explore.ts`. A state is opaque to the explorer; it only steps, hashes, observes and
 * prints it.
 */
import type { Config } from './types/config.js';
import type { Observation } from './types/observation.js';

export interface Action {
  /** Who acts: a stage id, `net`, `api`, `env` or `user`. */
  readonly actor: string;
  /** Unique among the actions enabled in one state; replay matches on it. */
  readonly label: string;
  /**
   * A fault or an environment action (crash, drop, duplicate, spurious timeout, outage,
   * node loss, API write by another actor, autoscaler change). These stop when the
   * liveness phase starts; every other action is the system's own progress.
   */
  readonly fault: boolean;
}

export interface Transition<S> {
  readonly action: Action;
  readonly next: S;
}

export interface Model<S> {
  readonly config: Config;
  initial(): S;
  /** Every enabled action with its successor, in a deterministic order. */
  transitions(state: S): readonly Transition<S>[];
  /** The observation of `state`, with the events applied in the step that produced it. */
  observe(state: S): Observation;
  /** Canonical key: equal iff the states are equal (events and step count excluded). */
  key(state: S): string;
  /** The key state in one short line, for traces. */
  summary(state: S): string;
  /**
   * The explorer keeps `state`, just keyed and observed, to expand it later: what the model
   * learnt making its key and observation is worth remembering (its successors share most
   * of its parts). Returns the state to hold: equal to `state` in everything `transitions`,
   * `observe` and `key` read, perhaps sharing parts with states held before (less memory).
   * Optional; a state never passed here is only slower to expand.
   */
  kept?(state: S): S;
}
