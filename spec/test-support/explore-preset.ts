/** Runs the explorer on a named preset, profile and mutant with the real catalogue. */
import { CATALOGUE } from '../../properties/catalogue.js';
import { type ExploreResult, explore } from '../explore.js';
import { makeConfig } from '../types/mutants.js';
import { createWorldModel } from '../world.js';

export const explorePreset = (
  preset: string,
  profile: string,
  mutant: string | null,
  keepGoing = false,
): ExploreResult =>
  explore(createWorldModel(makeConfig(preset, profile, mutant)), CATALOGUE, {
    stopAtFirstViolation: !keepGoing,
  });
