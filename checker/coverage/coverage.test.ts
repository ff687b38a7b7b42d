import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyTransitionDefinition,
  createActor,
  getInitialMicrosteps,
  initialTransition,
} from 'xstate';
import { makeScenario, scenarioConfig } from '../../impl/runtime/scenarios.js';
import { inertScope, transitionOf } from '../../impl/runtime/sim/dispatch.js';
import { inputFor } from '../../impl/stages/controller/test-config.js';
import type { StageEvent } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import type { StageId } from '../../spec/types/ids.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { scheduleArbitrary } from '../fuzz/draw.js';
import { runSchedule } from '../fuzz/run-schedule.js';
import { conflictingTransitions, enumerateMachines } from './machines.js';
import { CoverageRecorder } from './recorder.js';
import { type CoverageReport, formatCoverage, mergeCoverage } from './report.js';
import { UNREACHABLE } from './unreachable.js';

/** Transitions written in a machine's config, counted from the raw config independently. */
const configuredTransitions = (config: Record<string, unknown>): number => {
  const count = (value: unknown) =>
    value === undefined ? 0 : Array.isArray(value) ? value.length : 1;
  const on = (config.on ?? {}) as Record<string, unknown>;
  const own =
    Object.values(on).reduce<number>((sum, t) => sum + count(t), 0) + count(config.always);
  const states = Object.values((config.states ?? {}) as Record<string, Record<string, unknown>>);
  return own + states.reduce((sum, s) => sum + configuredTransitions(s), 0);
};

const DOWNSTREAM: Record<string, readonly StageId[]> = {
  deployment: ['replicaset'],
  replicaset: ['scheduler'],
  scheduler: ['kubelet/n1'],
};
const idOf = (kind: string): StageId => (kind === 'kubelet' ? 'kubelet/n1' : kind) as StageId;
const inputOf = (kind: string, mode: 'direct' | 'api' = 'direct') =>
  inputFor(idOf(kind), {}, { mode, downstream: DOWNSTREAM[kind] ?? [] });

describe('the enumeration of the stage machines', () => {
  const machines = enumerateMachines();

  it('finds every stage machine, with as many transitions as their configs declare', () => {
    expect(machines.map((m) => m.name)).toEqual(Object.keys(STAGES));
    for (const m of machines) {
      const declared = configuredTransitions(m.machine.config as Record<string, unknown>);
      expect(m.transitions.length, m.name).toBe(declared);
      expect(m.transitions.length, m.name).toBeGreaterThanOrEqual(3);
      expect(m.states.length, m.name).toBeGreaterThanOrEqual(2);
    }
    const total = machines.reduce((sum, m) => sum + m.transitions.length, 0);
    expect(total).toBeGreaterThan(50);
  });

  it('gives unique, readable ids that name guards and targets, and the same ids every time', () => {
    const ids = machines.flatMap((m) => [...m.states, ...m.transitions].map((x) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => /object Object|inline|undefined/.test(id))).toEqual([]);
    const again = enumerateMachines().flatMap((m) =>
      [...m.states, ...m.transitions].map((x) => x.id),
    );
    expect(again).toEqual(ids);
    expect(ids).toEqual(
      expect.arrayContaining([
        'kubelet: syncing --informer.synced--> serving',
        'kubelet: serving --message--> (targetless)',
        'scheduler: recovering --always[recovered]--> serving',
        'deployment: (root) --message[gets(handshaking,handshakeReply)]--> (targetless)',
        'deployment: (root) --always[mustHandshake]--> (targetless)',
        'replicaset: server.listening --timer[applyTimer]--> (targetless)',
        'replicaset: lifecycle.recovering',
      ]),
    );
  });

  it('has no transitions xstate could drop as conflicting, so selected means taken', () => {
    for (const m of machines) expect(conflictingTransitions(m), m.name).toEqual([]);
  });

  it('takes no eventless transition when a machine starts (its initial state is what it enters)', () => {
    for (const m of machines)
      for (const mode of ['direct', 'api'] as const)
        expect(getInitialMicrosteps(m.machine, inputOf(m.name, mode)), m.name).toHaveLength(1);
  });
});

const machineOf = (kind: string): AnyStateMachine => {
  const found = (STAGES as Record<string, { machine: AnyStateMachine }>)[kind];
  if (!found) throw new Error(`no stage ${kind}`);
  return found.machine;
};

/** Feeds events to a machine by hand, reporting each transition to the recorder. */
const drive = (recorder: CoverageRecorder, kind: string, events: readonly StageEvent[]) => {
  const machine = machineOf(kind);
  let [snapshot] = initialTransition(machine, inputOf(kind)) as [AnyMachineSnapshot, unknown];
  for (const event of events) {
    const { snapshot: after, taken } = transitionOf(machine, true)(snapshot, event);
    recorder.onTransition({ stage: idOf(kind), machine, before: snapshot, event, after, taken });
    snapshot = after;
  }
  return snapshot;
};

const visitedOf = (report: CoverageReport, kind: string) => report.visited[kind]?.transitions;

describe('the recorder', () => {
  it('covers nothing when no event was fed', () => {
    const report = new CoverageRecorder().report();
    for (const m of Object.values(report.machines)) {
      expect(m.states.visited).toBe(0);
      expect(m.transitions.visited).toBe(0);
    }
  });

  it('marks the transition an event took, and only that one', () => {
    const recorder = new CoverageRecorder();
    drive(recorder, 'kubelet', [{ type: 'informer.synced', rv: 1 }]);
    const report = recorder.report();
    expect(visitedOf(report, 'kubelet')).toEqual(['kubelet: syncing --informer.synced--> serving']);
    expect(report.visited.kubelet?.states).toEqual(['kubelet: syncing', 'kubelet: serving']);
    expect(report.machines.scheduler?.transitions.visited).toBe(0);
  });

  it('sees eventless transitions, also when they end where they began', () => {
    const recorder = new CoverageRecorder();
    const key = 'kube-system/kd-deployment';
    const lease = { key, holder: 'deployment', transitions: 1, rv: 2 };
    const snapshot = drive(recorder, 'deployment', [
      { type: 'start' },
      { type: 'informer.synced', rv: 1 },
      // Its Lease first (a first start: none yet), as every leased stage takes it.
      { type: 'api.done', id: -1, intent: { op: 'getLease', key }, outcome: 'notFound' },
      {
        type: 'api.done',
        id: -2,
        intent: {
          op: 'takeLease',
          key,
          holder: 'deployment',
          transitions: 1,
          resourceVersion: null,
        },
        outcome: 'ok',
        lease,
      } as StageEvent,
      // Handshaking: the server goes down, so the link is disconnected and at once
      // handshaking again (a new epoch), by a targetless eventless transition.
      { type: 'link.down', server: 'replicaset' },
    ]);
    expect(snapshot.value).toEqual({ lifecycle: 'recovering', server: 'listening' });
    expect(visitedOf(recorder.report(), 'deployment')).toEqual([
      'deployment: (root) --start--> (targetless)',
      'deployment: (root) --api.done[leaseAnswer]--> (targetless)',
      'deployment: (root) --link.down[linkIs(handshaking)]--> (targetless)',
      'deployment: (root) --always[mustHandshake]--> (targetless)',
      'deployment: lifecycle.syncing --informer.synced--> (targetless)',
      // Synced and leased: eventless, on the event that completed the pair.
      'deployment: lifecycle.syncing --always[leasedAndSynced]--> lifecycle.recovering',
    ]);
  });

  it('is told what each event took in the sim: the same transitions as a replay shows', () => {
    const recorder = new CoverageRecorder();
    const scenario = makeScenario('crash-replicaset', { pods: 3, nodes: 2, functions: 1 });
    let records = 0;
    let eventless = 0;
    for (const [i, schedule] of fc.sample(scheduleArbitrary(40), { numRuns: 6, seed: 3 }).entries())
      for (const mode of ['direct', 'api'] as const)
        runSchedule({
          scenario,
          config: scenarioConfig(makeConfig('up', 'hardened', null)),
          mode,
          registry: STAGES,
          seed: i,
          schedule,
          livenessStepMax: 5_000,
          onTransition: (record) => {
            recorder.onTransition(record);
            expect(record.taken).toEqual(replayOf(record.machine)(record.before, record.event));
            records += 1;
            if (record.taken.some((t) => t.eventType === '')) eventless += 1;
          },
        });
    expect(records).toBeGreaterThan(1000);
    expect(eventless).toBeGreaterThan(0);
    expect(recorder.records).toBe(records);
  });
});

type Replay = (snapshot: AnyMachineSnapshot, event: StageEvent) => AnyTransitionDefinition[];
const replays = new Map<AnyStateMachine, Replay>();

/**
 * The test's own account of what an event takes: the event made again on a separate actor
 * scope, the transitions of every microstep read off xstate's inspection.
 */
const replayOf = (machine: AnyStateMachine): Replay => {
  const found = replays.get(machine);
  if (found) return found;
  let sink: AnyTransitionDefinition[] = [];
  const self = createActor(machine, {
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep') sink.push(...inspection._transitions);
    },
  });
  const scope = inertScope(self, () => {});
  const replay: Replay = (snapshot, event) => {
    const taken: AnyTransitionDefinition[] = [];
    sink = taken;
    machine.transition(snapshot, event, scope);
    return taken;
  };
  replays.set(machine, replay);
  return replay;
};

describe('coverage reports', () => {
  const shard = (events: readonly StageEvent[]) => {
    const recorder = new CoverageRecorder();
    drive(recorder, 'kubelet', events);
    return recorder.report();
  };

  it('merge as the union of what each shard visited, with the same totals', () => {
    const a = shard([{ type: 'informer.synced', rv: 1 }]);
    const b = shard([{ type: 'sandbox.list', pods: [] }]);
    const both = mergeCoverage(a, b);
    const transitions = both.machines.kubelet?.transitions;
    expect(transitions?.visited).toBe(2);
    // Each state names every event it handles: 8 in syncing besides `informer.synced`, 7 serving.
    expect(transitions?.total).toBe(16);
    expect(transitions?.missing).toHaveLength(14);
    expect(transitions?.missing).toContain('kubelet: serving --message--> (targetless)');
    expect(visitedOf(both, 'kubelet')).toEqual([
      'kubelet: syncing --informer.synced--> serving',
      'kubelet: syncing --sandbox.list--> (targetless)',
    ]);
    expect(both.machines.deployment).toEqual(a.machines.deployment);
    expect(both.records).toBe(2);
    expect(JSON.parse(JSON.stringify(both))).toEqual(both);
    expect(mergeCoverage(both, a)).toEqual({ ...both, records: 3 });
  });

  it('print as a table with the gaps that are not excused', () => {
    const text = formatCoverage(shard([{ type: 'informer.synced', rv: 1 }]));
    expect(text).toMatch(/^machine +\| states \| transitions \| unreachable$/m);
    // Three of the kubelet's transitions are listed as unreachable (its syncing api.done,
    // timer and sandbox.stopped): counted apart, not printed as gaps.
    expect(text).toMatch(/^kubelet +\| +2\/2 \| +1\/16 \| +3$/m);
    expect(text).toContain('not covered: kubelet: serving --message--> (targetless)');
    expect(text).not.toContain(`not covered: ${UNREACHABLE[0]?.id}`);
  });
});
