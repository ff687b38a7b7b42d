import { describe, expect, it } from 'vitest';
import { STAGES } from '../../impl/stages/registry.js';
import { epochIsOlder } from '../../spec/types/ids.js';
import { findMutant } from '../../spec/types/mutants.js';
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
      /** Round-2 syncs the server refused as older than its epoch. */
      const lateSyncs: string[] = [];
      const outcome = runSchedule({
        scenario: caseScenario(fuzzCase),
        config: caseConfig('hardened', null),
        mode: fuzzCase.mode,
        registry: STAGES,
        seed: fuzzCase.seed,
        schedule: fuzzCase.schedule,
        livenessStepMax: 40_000,
        onTransition: recorder.onTransition,
        onStep: (_before, record) => {
          for (const e of record.events)
            if (
              e.kind === 'admit' &&
              e.message.endsWith('.sync') &&
              !e.admitted &&
              e.serverEpochAtAdmission !== null &&
              epochIsOlder(e.epoch, e.serverEpochAtAdmission)
            )
              lateSyncs.push(`${e.link} ${e.epoch} < ${e.serverEpochAtAdmission}`);
        },
      });
      const taken = Object.values(recorder.report().visited).flatMap((v) => v.transitions);
      expect(taken).toEqual(expect.arrayContaining([...directed.reaches]));
      expect(outcome.hits).toEqual(expect.arrayContaining([...(directed.hits ?? [])]));
      expect(outcome.violations).toEqual([]);
      expect(outcome.unconverged).toEqual([]);
      // Every moment struck: the case did what its name says, not something near it.
      const moments = fuzzCase.schedule.filter((c) => c.kind === 'moment').length;
      const struck = Object.entries(outcome.faults)
        .filter(([key]) => key.startsWith('moment:'))
        .reduce((sum, [, n]) => sum + n, 0);
      expect(struck).toBe(moments);
      // A late sync reached the server under an older epoch, and was refused, iff the case
      // is there for it.
      if (directed.lateSync) expect(lateSyncs).toHaveLength(1);
      else expect(lateSyncs).toEqual([]);
      for (const choice of fuzzCase.schedule)
        expect(ChoiceSchema.safeParse(choice).success).toBe(true);
    });

  for (const directed of DIRECTED.filter((d) => d.catches !== undefined))
    it(`${directed.name}: catches ${directed.catches}`, () => {
      const mutant = findMutant(directed.catches ?? '');
      const { fuzzCase } = directed;
      const outcome = runSchedule({
        scenario: caseScenario(fuzzCase),
        config: caseConfig('hardened', mutant?.name ?? null),
        mode: fuzzCase.mode,
        registry: STAGES,
        seed: fuzzCase.seed,
        schedule: fuzzCase.schedule,
        livenessStepMax: 5_000,
      });
      expect(mutant?.beyondModel).toBeDefined();
      expect(outcome.violations.map((v) => v.property)).toContain(mutant?.property);
    });
});
