import { describe, expect, it } from 'vitest';
import { explorePreset } from './test-support/explore-preset.js';
import { MUTANTS } from './types/mutants.js';

// The mutants are split over two files (even and odd positions, which spreads the slow
// ones) so that vitest runs them on both cores.
const FIRST_HALF = MUTANTS.filter((_, i) => i % 2 === 0);

describe('mutants (first half): each is caught by the property it names', () => {
  for (const mutant of FIRST_HALF) {
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
