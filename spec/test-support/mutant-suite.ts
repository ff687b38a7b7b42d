/** The mutant tests, split by position so that two test files share the slow ones. */
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../types/mutants.js';
import { explorePreset } from './explore-preset.js';

export const describeMutants = (parity: 0 | 1): void => {
  const mine = MUTANTS.filter((_, i) => i % 2 === parity);
  describe(`mutants at ${parity === 0 ? 'even' : 'odd'} positions: each is caught by the property it names`, () => {
    for (const mutant of mine) {
      it(`${mutant.name} violates ${mutant.property} with a shortest trace`, () => {
        const result = explorePreset(mutant.preset ?? 'tiny', 'hardened', mutant.name);
        const violation = result.violations.find((v) => v.property === mutant.property);
        expect(
          violation,
          `found instead: ${result.violations.map((v) => v.property).join(', ')}`,
        ).toBeDefined();
        expect(violation?.steps.length).toBeGreaterThan(0);
        expect(result.properties.find((p) => p.name === mutant.property)?.status).toBe('violated');
      });
    }
  });
};
