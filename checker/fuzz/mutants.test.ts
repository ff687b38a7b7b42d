import { describe, expect, it } from 'vitest';
import { STAGES } from '../../impl/stages/registry.js';
import { findMutant, MUTANTS } from '../../spec/types/mutants.js';
import { caseConfig, caseScenario, type FuzzCase } from './case.js';
import { WRITE_BACK_OUTLIVES_CRASH } from './directed.js';
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

/** Plays a case under `mutant` (null: the hardened design), `onStep` seeing every step. */
const play = (
  fuzzCase: FuzzCase,
  mutant: string | null,
  onStep?: NonNullable<Parameters<typeof runSchedule>[0]['onStep']>,
) =>
  runSchedule({
    scenario: caseScenario(fuzzCase),
    config: caseConfig('hardened', mutant),
    mode: fuzzCase.mode,
    registry: STAGES,
    seed: fuzzCase.seed,
    schedule: fuzzCase.schedule,
    livenessStepMax: 5_000,
    ...(onStep ? { onStep } : {}),
  });

/** The properties a case violates under `mutant` (null: the hardened design). */
const violated = (fuzzCase: FuzzCase, mutant: string | null): string[] => {
  const outcome = play(fuzzCase, mutant);
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
 * makes the difference. Most are written by hand; those marked `kd mutants, shrunk` are the
 * fuzzer's shrunk finds, taken when a change to the simulator's agenda (the resourceVersion
 * read before round 2) moved the hand-made ones off their hazard.
 */
const HAZARDS: readonly { mutant: string; case: FuzzCase; why: string }[] = [
  {
    mutant: 'name-only-cache-key',
    why: 'two tenants install one chart, so their pods have the same names in two namespaces',
    case: { mode: 'direct', pods: 1, nodes: 1, functions: 2, tenants: true, seed: 2, schedule: [] },
  },
  {
    mutant: 'no-round2',
    why: "the Deployment controller's scale message is held back past its re-check, which connects after round 1 and never re-sends it (kd mutants, shrunk)",
    case: {
      mode: 'direct',
      pods: 2,
      nodes: 2,
      functions: 1,
      tenants: false,
      seed: 1,
      schedule: [...takes(4), { kind: 'delay', index: 0, of: 'data', ms: 10_000 }],
    },
  },
  {
    mutant: 'top-down-recovery',
    why: 'a restarted scheduler, its kubelet handshake late, a slow expose (kd mutants, shrunk)',
    case: {
      ...oneOfEach,
      seed: 0,
      schedule: [
        ...takes(1),
        { kind: 'crashOrRestart', stage: 0 },
        ...takes(3),
        { kind: 'crashOrRestart', stage: 7 },
        { kind: 'delay', index: 0, of: 'session', ms: 51 },
        { kind: 'crashOrRestart', stage: 8 },
        ...takes(1),
        { kind: 'delay', index: 0, of: 'api', ms: 51 },
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
    why: 'the kubelet crashes with its pod exposed and a user deletes the pod; the ReplicaSet controller finds it gone and re-sends it under its old name (kd mutants, shrunk)',
    case: {
      ...oneOfEach,
      seed: 463,
      schedule: [
        ...takes(9),
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'take', index: 0 },
        { kind: 'crashOrRestart', stage: 4 },
        ...takes(2),
        { kind: 'take', index: 2 },
        { kind: 'take', index: 0 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'delay', index: 11, of: 'inform', ms: 2 },
        { kind: 'take', index: 3 },
        { kind: 'take', index: 3 },
        { kind: 'take', index: 0 },
        { kind: 'write', write: { op: 'deletePod', index: 16 } },
        { kind: 'take', index: 13 },
        { kind: 'crashOrRestart', stage: 4 },
        { kind: 'take', index: 39 },
      ],
    },
  },
  {
    mutant: 'expose-without-template',
    why: "a new template lags at the kubelet's informer; the first expose is lost and retried (kd mutants, shrunk)",
    case: {
      ...oneOfEach,
      seed: 0,
      schedule: [
        ...takes(9),
        { kind: 'delay', index: 0, of: 'inform', ms: 51 },
        { kind: 'write', write: { op: 'changeTemplate', fn: 0 } },
        { kind: 'delay', index: 0, of: 'inform', ms: 51 },
        { kind: 'delay', index: 0, of: 'inform', ms: 1 },
        { kind: 'timeout', index: 0 },
      ],
    },
  },
  {
    mutant: 'opaque-epochs',
    why: "a jump ahead fires the Deployment controller's retry; the handshake it replaces is delayed past the new one and installs its older epoch last (kd mutants, shrunk)",
    case: {
      ...oneOfEach,
      seed: 0,
      schedule: [
        ...takes(4),
        { kind: 'take', index: 8 },
        { kind: 'delay', index: 0, of: 'session', ms: 504 },
      ],
    },
  },
  {
    mutant: 'release-slot-on-owner-delete',
    why: "a Deployment deleted while its pods are assumed on a node, the other function's pods put in their slots while the node's kubelet may still run them (kd mutants, shrunk)",
    case: {
      mode: 'direct',
      pods: 2,
      nodes: 1,
      functions: 2,
      tenants: false,
      seed: 6,
      schedule: [
        ...takes(2),
        { kind: 'write', write: { op: 'fallbackBinding', fn: 0, on: true } },
        ...takes(4),
        { kind: 'write', write: { op: 'deleteDeployment', fn: 0 } },
        { kind: 'load', fn: 3, pods: 3 },
        ...takes(1),
        { kind: 'timeout', index: 3 },
        { kind: 'timeout', index: 22 },
        ...takes(1),
        { kind: 'timeout', index: 0 },
        ...takes(1),
        { kind: 'duplicate', index: 32, of: 'any' },
        { kind: 'take', index: 2 },
        ...takes(1),
        { kind: 'crashOrRestart', stage: 10 },
        ...takes(2),
        { kind: 'write', write: { op: 'changeTemplate', fn: 1 } },
        { kind: 'take', index: 1 },
        { kind: 'timeout', index: 9 },
        ...takes(1),
        { kind: 'write', write: { op: 'changeTemplate', fn: 1 } },
        { kind: 'take', index: 2 },
      ],
    },
  },
  {
    mutant: 'unconditional-write-back',
    why: "a crashed ReplicaSet controller's slow write-back lands after its successor's newer count (the model cannot show it)",
    case: WRITE_BACK_OUTLIVES_CRASH.fuzzCase,
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

describe('mutants the model cannot show', () => {
  it('each has a hazard schedule above: the implementation is where it is caught', () => {
    const beyond = MUTANTS.filter((m) => m.beyondModel !== undefined).map((m) => m.name);
    expect(beyond.length).toBeGreaterThan(0);
    for (const name of beyond) expect(HAZARDS.map((h) => h.mutant)).toContain(name);
  });
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
        ...takes(20),
        { kind: 'write', write: { op: 'deletePod', index: 0 } },
        { kind: 'delay', index: 0, of: 'inform', ms: 500 },
        ...takes(43),
      ],
    };
    const outcomes: string[] = [];
    const outcome = play(fuzzCase, 'ready-update-from-memory', (_before, record) => {
      for (const e of record.events)
        if (e.kind === 'api' && e.actor.startsWith('kubelet/') && e.verb === 'update')
          outcomes.push(e.outcome);
    });
    // Status is a subresource and the copy's resourceVersion is stale: the API Server
    // answers 409 and overwrites nothing, so `api-precedence` holds.
    expect(outcomes[0]).toBe('conflict');
    expect(outcome.violations).toEqual([]);
  });
});

/**
 * A mutant whose hazard the implementation shows but `deletes-only-surplus` does not judge
 * a violation there. The model starts from its preset's load with nothing persisted, and
 * its floor starts at that load; the implementation's runs start from an empty cluster, so
 * a count a crash lost is one no part ever settled on, and the persisted count a restarted
 * controller scales down to is never below the floor: the deletion is within "the smaller
 * of the old and the new desired count". The Ready pod is still deleted, and recreated once
 * the Deployment controller's round 2 re-sends the count: this test shows that, against the
 * hardened design, which waits for round 2.
 */
describe('hazards the implementation shows and the property allows', () => {
  it('scale-down-before-upstream-sync: a restarted controller deletes a Ready pod its crash lost the count of', () => {
    // The write-back of the count is slow; the pod it created becomes Ready; the
    // controller crashes and restarts before the write lands.
    const fuzzCase: FuzzCase = {
      ...oneOfEach,
      seed: 1,
      schedule: [
        ...takes(6),
        { kind: 'delay', index: 0, of: 'api', ms: 3_000 },
        ...takes(26),
        { kind: 'crashOrRestart', stage: 2 },
        { kind: 'crashOrRestart', stage: 2 },
        ...takes(30),
      ],
    };
    const readyDeleted = (mutant: string | null) => {
      let deleted = 0;
      const outcome = play(fuzzCase, mutant, (before, record) => {
        for (const e of record.events)
          if (e.kind === 'api' && e.actor === 'replicaset' && e.verb === 'delete')
            if (before.api.pods[e.key]?.ready) deleted += 1;
      });
      expect(outcome.violations).toEqual([]);
      return deleted;
    };
    expect(readyDeleted('scale-down-before-upstream-sync')).toBe(1);
    expect(readyDeleted(null)).toBe(0);
  });
});
