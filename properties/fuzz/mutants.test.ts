import { describe, expect, it } from 'vitest';
import { STAGES } from '../../impl/stages/registry.js';
import { findMutant, MUTANTS } from '../../spec/types/mutants.js';
import { caseConfig, caseScenario, type FuzzCase } from './case.js';
import { runSchedule } from './run-schedule.js';
import {
  CHOICE_KINDS,
  type Choice,
  DELAY_TARGETS,
  MAX_DELAY_MS,
  MESSAGE_CLASSES,
  WRITE_OPS,
} from './schedule.js';
import { shapeFor } from './shapes.js';

/** `n` takes of the next event in due order: the run going on as it would anyway. */
const takes = (n: number): Choice[] =>
  Array.from({ length: n }, () => ({ kind: 'take', index: 0 }));

const oneOfEach = { mode: 'direct', pods: 1, nodes: 1, functions: 1, tenants: false } as const;

/** The properties a case violates under `mutant` (null: the hardened design). */
const violated = (fuzzCase: FuzzCase, mutant: string | null): string[] => {
  const outcome = runSchedule({
    scenario: caseScenario(fuzzCase),
    config: caseConfig('hardened', mutant),
    mode: fuzzCase.mode,
    registry: STAGES,
    seed: fuzzCase.seed,
    schedule: fuzzCase.schedule,
    livenessStepMax: 5_000,
  });
  return [
    ...outcome.violations.map((v) => v.property),
    ...outcome.unconverged.map((u) => u.property),
  ];
};

/**
 * One schedule per hazard that needs the new choices (a late duplicate, a slow API call,
 * a lagging informer, a jump ahead in time), in the stage order of `stageIds()`:
 * autoscaler 0, deployment 1, replicaset 2, scheduler 3, kubelet/n1 4. Each fails the
 * mutant by its own property and leaves the hardened design whole: the switch is what
 * makes the difference.
 */
const HAZARDS: readonly { mutant: string; case: FuzzCase; why: string }[] = [
  {
    mutant: 'name-only-cache-key',
    why: 'two tenants install one chart, so their pods have the same names in two namespaces',
    case: { mode: 'direct', pods: 1, nodes: 1, functions: 2, tenants: true, seed: 1, schedule: [] },
  },
  {
    mutant: 'no-round2',
    why: 'the ReplicaSet controller crashes while its pod is slow to reach the kubelet',
    case: {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(6),
        { kind: 'delay', index: 0, of: 'data', ms: 100 },
        { kind: 'crashOrRestart', stage: 2 },
      ],
    },
  },
  {
    mutant: 'top-down-recovery',
    why: 'a slow expose, the scheduler restarted, its kubelet handshake late',
    case: {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(8),
        { kind: 'delay', index: 0, of: 'api', ms: 800 },
        { kind: 'crashOrRestart', stage: 3 },
        { kind: 'crashOrRestart', stage: 3 },
        ...takes(10),
        { kind: 'delay', index: 0, of: 'session', ms: 700 },
      ],
    },
  },
  {
    mutant: 'no-kubelet-tombstones',
    why: 'a late duplicate bind lands after its pod was scaled away',
    case: {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(6),
        { kind: 'duplicate', index: 0, of: 'data' },
        { kind: 'delay', index: 1, of: 'data', ms: 300 },
        { kind: 'load', fn: 0, pods: 0 },
        ...takes(58),
      ],
    },
  },
  {
    mutant: 'reuse-lost-identity',
    why: "the scheduler's informer lags and re-lists over a pod's whole life; the kubelet crashed",
    case: {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(9),
        { kind: 'delay', index: 1, of: 'inform', ms: 2000 },
        ...takes(6),
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'load', fn: 0, pods: 0 },
        ...takes(20),
        { kind: 'crashOrRestart', stage: 4 },
        ...takes(24),
        { kind: 'relist', stage: 3 },
        ...takes(8),
      ],
    },
  },
  {
    mutant: 'expose-without-template',
    why: "a new template lags at the kubelet's informer; the first expose is lost and retried",
    case: {
      ...oneOfEach,
      seed: 5,
      schedule: [
        { kind: 'write', write: { op: 'changeTemplate', fn: 0 } },
        { kind: 'delay', index: 1, of: 'inform', ms: 50 },
        ...takes(15),
        { kind: 'timeout', index: 0 },
      ],
    },
  },
  {
    mutant: 'opaque-epochs',
    why: 'a jump ahead of 2 s fires a retry while a handshake is still in flight',
    case: {
      ...oneOfEach,
      seed: 0,
      schedule: [0, 0, 0, 2, 0, 0, 3, 39, 3, 0, 2].map((index) => ({ kind: 'take', index })),
    },
  },
];

describe('each hazard is reachable by the fuzzer’s choices', () => {
  for (const hazard of HAZARDS) {
    const property = findMutant(hazard.mutant)?.property ?? '?';
    it(`${hazard.mutant} breaks ${property}: ${hazard.why}`, () => {
      expect(violated(hazard.case, hazard.mutant)).toContain(property);
      expect(violated(hazard.case, null)).toEqual([]);
    });
  }
});

describe('campaign shapes', () => {
  it('name mutants that exist, and narrow what is drawn without adding to it', () => {
    for (const mutant of MUTANTS) {
      const shape = shapeFor(mutant.name);
      expect(Object.keys(shape.weights).sort()).toEqual([...CHOICE_KINDS].sort());
      expect(shape.weights.take).toBeGreaterThan(0);
      const options = shape.preset?.schedule ?? {};
      for (const op of options.writes ?? []) expect(WRITE_OPS).toContain(op);
      for (const of of options.delayTargets ?? []) expect(DELAY_TARGETS).toContain(of);
      for (const of of options.messageClasses ?? []) expect(MESSAGE_CLASSES).toContain(of);
      for (const stage of [...(options.crashStages ?? []), ...(options.relistStages ?? [])])
        expect(stage).toBeLessThanOrEqual(10);
      expect(options.maxDelayMs ?? MAX_DELAY_MS).toBeLessThanOrEqual(MAX_DELAY_MS);
    }
    expect(shapeFor(null)).toEqual(shapeFor('not a mutant'));
  });
});

/**
 * A mutant whose switch the implementation makes moot: no interleaving shows its hazard,
 * and this test shows why, on the interleaving the model's counterexample uses.
 */
describe('hazards the implementation cannot show', () => {
  it('ready-update-from-memory: the stale whole-object status write is refused (409)', () => {
    // The model's trace: exposed, seen by the kubelet, deleted by a user while the
    // kubelet's informer lags, then marked Ready from the kubelet's in-memory copy.
    const fuzzCase: FuzzCase = {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(16),
        { kind: 'write', write: { op: 'deletePod', index: 0 } },
        { kind: 'delay', index: 0, of: 'inform', ms: 500 },
        ...takes(43),
      ],
    };
    const outcomes: string[] = [];
    const outcome = runSchedule({
      scenario: caseScenario(fuzzCase),
      config: caseConfig('hardened', 'ready-update-from-memory'),
      mode: 'direct',
      registry: STAGES,
      seed: fuzzCase.seed,
      schedule: fuzzCase.schedule,
      livenessStepMax: 5_000,
      onStep: (_before, record) => {
        for (const e of record.events)
          if (e.kind === 'api' && e.actor.startsWith('kubelet/') && e.verb === 'update')
            outcomes.push(e.outcome);
      },
    });
    // Status is a subresource and the copy's resourceVersion is stale: the API Server
    // answers 409 and overwrites nothing, so `api-precedence` holds.
    expect(outcomes[0]).toBe('conflict');
    expect(outcome.violations).toEqual([]);
  });
});
