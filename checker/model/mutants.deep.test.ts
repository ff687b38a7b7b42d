import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../spec/types/config.js';
import { MUTANTS, mutantPreset } from '../../spec/types/mutants.js';
import { runChild } from './child-pool.js';
import type { MutantExploration } from './explore-mutant.js';

const EXPLORE = fileURLToPath(new URL('./explore-mutant.ts', import.meta.url));

/**
 * Every mutant the model can show is caught by the property it names, with a shortest
 * trace. Each exploration runs in its own process, one per core (child-pool.ts),
 * so this one file uses the whole machine. A mutant beyond the model is the fuzzer's to
 * catch (`Mutant.beyondModel`; checker/fuzz/mutants.test.ts).
 */
describe.concurrent('mutants: each is caught by the property it names', () => {
  for (const mutant of MUTANTS.filter((m) => m.beyondModel === undefined)) {
    // A mutant whose hazard shows in a part of `tiny` is explored on the whole suite, that
    // part first (`makeConfigs`); one that needs another world, on that world.
    const preset = SUITES.tiny.includes(mutantPreset(mutant)) ? 'tiny' : mutantPreset(mutant);
    it(`kd explore --preset ${preset} --mutant ${mutant.name}: ${mutant.property} violated with a shortest trace`, async () => {
      const result = await runChild<MutantExploration>(EXPLORE, [preset, mutant.name]);
      const violation = result.violations.find((v) => v.property === mutant.property);
      expect(
        violation,
        `found instead: ${result.violations.map((v) => v.property).join(', ')}`,
      ).toBeDefined();
      expect(violation?.steps).toBeGreaterThan(0);
      expect(result.status[mutant.property]).toBe('violated');
    }, 1_800_000);
  }
});
