/** The mutant tests, split by position so that two test files share the slow ones. */
import { describe, expect, it } from 'vitest';
import { SUITES } from '../types/config.js';
import { MUTANTS, mutantPreset } from '../types/mutants.js';
import { explorePreset } from './explore-preset.js';

/** Deep tests (long explorations) run with `KD_DEEP=1`, as `.ci/run` does. */
export const DEEP = process.env.KD_DEEP === '1';

export const describeMutants = (parity: 0 | 1): void => {
  // A mutant beyond the model is the fuzzer's to catch (Mutant.beyondModel).
  const mine = MUTANTS.filter((m, i) => i % 2 === parity && m.beyondModel === undefined);
  describe(`mutants at ${parity === 0 ? 'even' : 'odd'} positions: each is caught by the property it names`, () => {
    for (const mutant of mine) {
      // A mutant whose hazard needs a world outside `tiny` is explored there, as a deep test.
      const inTiny = SUITES.tiny.includes(mutantPreset(mutant));
      const preset = inTiny ? 'tiny' : mutantPreset(mutant);
      it.runIf(inTiny || DEEP)(
        `kd explore --preset ${preset} --mutant ${mutant.name}: ${mutant.property} violated with a shortest trace`,
        () => {
          // The suite starts with the part where the mutant's hazard shows (mutantPreset).
          const result = explorePreset(preset, 'hardened', mutant.name).total;
          const violation = result.violations.find((v) => v.property === mutant.property);
          expect(
            violation,
            `found instead: ${result.violations.map((v) => v.property).join(', ')}`,
          ).toBeDefined();
          expect(violation?.steps.length).toBeGreaterThan(0);
          expect(result.properties.find((p) => p.name === mutant.property)?.status).toBe(
            'violated',
          );
        },
        1_800_000,
      );
    }
  });
};
