/**
 * Conformance (issue 4, item 6): every step of the implementation in the sim runtime must
 * be a step the model could take, up to the abstraction of docs/design/conformance.md: a
 * footprint and lifecycle refinement. A step's change between the `Observation`s around it
 * is abstracted to atoms (atoms.ts); the step is mapped to the model action classes it
 * stands for (classes.ts); it conforms iff every atom is one that those classes produce
 * somewhere in the model (derive.ts, committed as table.generated.json), or, for what the
 * model leaves out on purpose, in an extension (extensions.ts) whose feature is in force.
 * Then the enabledness check (enabledness.ts): the model class the step starts with must be
 * one the model takes in the acting stage's situation before the step (guards.ts,
 * committed as guards.generated.json; off for a configuration without one).
 *
 * `createConformance` is cheap (tables and allowed sets are shared), so a campaign makes one
 * checker per run and passes its `check` as `runSchedule`'s `onStep`.
 */
import type { Mode } from '../../impl/stages/io.js';
import type { Config } from '../../spec/types/config.js';
import { type ConformanceChecker, createChecker } from './check.js';
import type { FootprintTable } from './derive.js';
import { committedGuards } from './guard-table.js';
import type { GuardTable } from './guards.js';
import { committedTable } from './table.js';

export { atomsOf } from './atoms.js';
export type { ConformanceChecker, ConformanceMismatch, ConformanceStats } from './check.js';
export { implClassOf, modelClassOf } from './classes.js';
export { deriveTable, type FootprintTable } from './derive.js';
export { EXTENSIONS } from './extensions.js';
export { type GuardTable, guardOf } from './guards.js';

interface ConformanceOptions {
  /** A table to check against instead of the committed one for `config`'s switches. */
  readonly table?: FootprintTable;
  /**
   * A guard table instead of the committed one; null turns the enabledness check off (as
   * it is for a configuration without a committed guard table).
   */
  readonly guards?: GuardTable | null;
}

/**
 * A checker for one run of the implementation under `config`'s switches and `mode`. Mode
 * `api` (the vanilla path, which the model does not describe) is checked against the same
 * table with the API path's extensions in force from the first step: the stages' shared
 * work (kubelets, informers, crashes, garbage collection) is held to the model, the vanilla
 * hops to the extensions.
 */
export function createConformance(
  config: Config,
  mode: Mode,
  options: ConformanceOptions = {},
): ConformanceChecker {
  const guards = options.guards === undefined ? committedGuards(config) : options.guards;
  return createChecker(options.table ?? committedTable(config), mode, config.switches, guards);
}
