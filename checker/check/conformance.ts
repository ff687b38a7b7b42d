/**
 * Conformance as a per-step check of a campaign: every implementation step must be one the
 * model accepts (`checker/conformance`); the first step it refuses fails the run as
 * `refines-model`, a counterexample of its own kind.
 */
import type { Mode } from '../../impl/stages/io.js';
import type { Config } from '../../spec/types/config.js';
import { createConformance } from '../conformance/index.js';
import { CONFORMANCE_PROPERTY } from '../trace/schema.js';
import type { StepCheck } from './campaign.js';

export const conformanceCheck = (config: Config, mode: Mode): StepCheck => {
  const checker = createConformance(config, mode);
  let failure: { property: string; message: string } | null = null;
  return {
    onStep: (before, record, after) => {
      if (failure !== null) return;
      const mismatch = checker.check(before, record, after);
      if (mismatch) failure = { property: CONFORMANCE_PROPERTY, message: mismatch.message };
    },
    failure: () => failure,
  };
};
