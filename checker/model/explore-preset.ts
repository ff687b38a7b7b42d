/** Runs the explorer on a named suite or preset, profile and mutant with the real catalogue. */
import { CATALOGUE } from '../../properties/catalogue.js';
import { exploreSuite, type SuiteResult } from '../../spec/explore/suite.js';
import type { Model } from '../../spec/model.js';
import { makeConfigs } from '../../spec/types/mutants.js';
import { createWorldModel } from '../../spec/world.js';

export const explorePreset = (
  preset: string,
  profile: string,
  mutant: string | null,
  keepGoing = false,
): SuiteResult =>
  exploreSuite(
    makeConfigs(preset, profile, mutant),
    (config) => createWorldModel(config) as Model<unknown>,
    CATALOGUE,
    { stopAtFirstViolation: !keepGoing },
  );
