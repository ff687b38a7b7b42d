import { describe, expect, it } from 'vitest';
import { STAGES } from '../../impl/stages/registry.js';
import { CoverageRecorder } from '../coverage/index.js';
import { ChoiceSchema } from '../trace/schema.js';
import { caseConfig, caseScenario } from './case.js';
import { DIRECTED } from './directed.js';
import { runSchedule } from './run-schedule.js';

describe('directed cases', () => {
  for (const directed of DIRECTED)
    it(`${directed.name}: reaches what it is for, and the hardened design holds`, () => {
      const recorder = new CoverageRecorder();
      const { fuzzCase } = directed;
      const outcome = runSchedule({
        scenario: caseScenario(fuzzCase),
        config: caseConfig('hardened', null),
        mode: fuzzCase.mode,
        registry: STAGES,
        seed: fuzzCase.seed,
        schedule: fuzzCase.schedule,
        livenessStepMax: 40_000,
        onTransition: recorder.onTransition,
      });
      const taken = Object.values(recorder.report().visited).flatMap((v) => v.transitions);
      expect(taken).toEqual(expect.arrayContaining([...directed.reaches]));
      expect(outcome.violations).toEqual([]);
      expect(outcome.unconverged).toEqual([]);
      // Every moment struck: the case did what its name says, not something near it.
      const moments = fuzzCase.schedule.filter((c) => c.kind === 'moment').length;
      const struck = Object.entries(outcome.faults)
        .filter(([key]) => key.startsWith('moment:'))
        .reduce((sum, [, n]) => sum + n, 0);
      expect(struck).toBe(moments);
      for (const choice of fuzzCase.schedule)
        expect(ChoiceSchema.safeParse(choice).success).toBe(true);
    });
});
