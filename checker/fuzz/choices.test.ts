import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { WARM_UP_MS } from '../../impl/runtime/scenarios.js';
import { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type { Pending } from '../../impl/runtime/sim/types.js';
import { STAGES } from '../../impl/stages/registry.js';
import { MUTANTS } from '../../spec/types/mutants.js';
import { ChoiceSchema } from '../trace/schema.js';
import { CHECK_PRESETS, caseArbitrary, caseConfig, caseScenario, type FuzzCase } from './case.js';
import { scheduleArbitrary } from './draw.js';
import { dueOrder, messageClass, resolve } from './resolve.js';
import { type Choice, DEFAULT_WEIGHTS } from './schedule.js';
import { shapeFor } from './shapes.js';

// The schema and the type describe the same values (checked by tsc, both ways).
type Parsed = z.infer<typeof ChoiceSchema>;
const asChoice = (parsed: Parsed): Choice => parsed;
const asParsed = (choice: Choice): Parsed => choice;

describe('choices are plain data that a counterexample file can hold', () => {
  it('every choice the schedules draw parses with ChoiceSchema, under every shape', () => {
    const shapes = [null, ...MUTANTS.map((m) => m.name)].map(shapeFor);
    for (const [i, shape] of shapes.entries())
      for (const swarm of [false, true]) {
        const options = { ...shape.preset?.schedule, swarm };
        const sample = fc.sample(scheduleArbitrary(60, shape.weights, options), {
          numRuns: 40,
          seed: i + 1,
        });
        for (const choice of sample.flat()) {
          const parsed = ChoiceSchema.safeParse(choice);
          expect(parsed.success, JSON.stringify(choice)).toBe(true);
          if (parsed.success) expect(asParsed(asChoice(parsed.data))).toEqual(choice);
        }
      }
  });

  it('a moment has a delay if and only if it delays the newest message', () => {
    const moment = { kind: 'moment', link: 0, phase: 'syncing' } as const;
    expect(ChoiceSchema.safeParse({ ...moment, act: 'delayNewest', ms: 900 }).success).toBe(true);
    expect(ChoiceSchema.safeParse({ ...moment, act: 'delayNewest' }).success).toBe(false);
    expect(ChoiceSchema.safeParse({ ...moment, act: 'dropNewest', ms: 900 }).success).toBe(false);
    expect(ChoiceSchema.safeParse({ ...moment, act: 'dropNewest' }).success).toBe(true);
  });

  it('a case survives a JSON round trip unchanged', () => {
    const preset = CHECK_PRESETS.small as NonNullable<typeof CHECK_PRESETS.small>;
    const cases = fc.sample(caseArbitrary({ preset, modes: ['direct', 'api'], tenants: true }), {
      numRuns: 30,
      seed: 3,
    });
    for (const c of cases) expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('schedules come short and long: faults around the burst, and runs driven further on', () => {
    const lengths = fc
      .sample(scheduleArbitrary(80, DEFAULT_WEIGHTS), { numRuns: 400, seed: 5 })
      .map((s) => s.length);
    expect(lengths.filter((n) => n <= 10).length).toBeGreaterThan(150);
    expect(lengths.filter((n) => n >= 40).length).toBeGreaterThan(60);
  });

  it('swarm schedules leave some fault kinds out entirely', () => {
    const faultKinds = (s: Choice[]) =>
      new Set(s.filter((c) => c.kind !== 'take').map((c) => c.kind));
    const long = (options: { swarm: boolean }) =>
      fc
        .sample(scheduleArbitrary(80, DEFAULT_WEIGHTS, options), { numRuns: 300, seed: 9 })
        .filter((s) => s.length >= 60);
    const kinds = (options: { swarm: boolean }) =>
      long(options).reduce((sum, s) => sum + faultKinds(s).size, 0) / long(options).length;
    expect(kinds({ swarm: true })).toBeLessThan(kinds({ swarm: false }) - 2);
  });
});

/** A one-function cluster after the warm-up and its burst, as a case starts. */
const started = (pods = 1, seed = 1): SimCluster => {
  const fuzzCase: FuzzCase = {
    mode: 'direct',
    pods,
    nodes: 1,
    functions: 1,
    tenants: false,
    seed,
    schedule: [],
  };
  const scenario = caseScenario(fuzzCase);
  const cluster = new SimCluster({
    config: caseConfig('hardened', null),
    mode: 'direct',
    registry: STAGES,
    topology: scenario.topology,
    seed,
  });
  runDefault(cluster, { stepMax: 100_000, untilMs: WARM_UP_MS });
  for (const timed of scenario.actions) cluster.apply(timed.action);
  return cluster;
};

/** Takes the next event until one pending event's label matches. */
const until = (cluster: SimCluster, pattern: RegExp): Pending => {
  for (let i = 0; i < 200; i += 1) {
    const found = cluster.pending().find((p) => pattern.test(p.label));
    if (found) return found;
    const next = cluster.next();
    if (!next) break;
    cluster.step(next.id);
  }
  throw new Error(`nothing pending matches ${pattern}`);
};

describe('resolving a choice against the cluster', () => {
  it('take 0 is the event the default policy takes next; larger indices go by due time', () => {
    const cluster = started(3);
    for (let i = 0; i < 20; i += 1) {
      const order = dueOrder(cluster);
      expect(order[0]).toBe(cluster.next());
      for (let j = 2; j < order.length; j += 1)
        expect((order[j] as Pending).dueAtMs).toBeGreaterThanOrEqual(
          (order[j - 1] as Pending).dueAtMs,
        );
      const action = resolve(cluster, cluster.stageIds(), { kind: 'take', index: 0 });
      expect(action).toEqual({ type: 'take', id: cluster.next()?.id });
      if (action) cluster.apply(action);
    }
  });

  it('a fault aims at the newest message of its class: duplicate, then delay the original', () => {
    const cluster = started();
    const bind = until(cluster, /kubelet\.bindPod/);
    const stages = cluster.stageIds();
    const dup = resolve(cluster, stages, { kind: 'duplicate', index: 0, of: 'data' });
    expect(dup).toEqual({ type: 'duplicate', id: bind.id });
    if (dup) cluster.apply(dup);
    const copies = cluster.pending().filter((p) => /kubelet\.bindPod/.test(p.label));
    expect(copies).toHaveLength(2);
    // Index 0 is the copy just sent, index 1 the original: delaying it makes a late duplicate.
    const late = resolve(cluster, stages, { kind: 'delay', index: 1, of: 'data', ms: 300 });
    expect(late).toEqual({ type: 'delay', id: bind.id, ms: 300 });
    expect(resolve(cluster, stages, { kind: 'drop', index: 0, of: 'reply' })).toBeNull();
  });

  it('delays aim at API calls and informer streams too', () => {
    const cluster = started();
    const stages = cluster.stageIds();
    until(cluster, /^api /);
    const api = resolve(cluster, stages, { kind: 'delay', index: 0, of: 'api', ms: 5 });
    expect(api?.type).toBe('delay');
    const target = cluster.pending().find((p) => api?.type === 'delay' && p.id === api.id);
    expect(target?.kind === 'api' || target?.kind === 'apiDone').toBe(true);
    until(cluster, /^inform /);
    const inform = resolve(cluster, stages, { kind: 'delay', index: 0, of: 'inform', ms: 5 });
    const stream = cluster.pending().find((p) => inform?.type === 'delay' && p.id === inform.id);
    expect(stream?.kind).toBe('inform');
  });

  it('classifies direct messages by method', () => {
    expect(messageClass('kubelet.bindPod')).toBe('data');
    expect(messageClass('scheduler.schedulePods')).toBe('data');
    expect(messageClass('replicaset.scale')).toBe('data');
    expect(messageClass('kubelet.handshake')).toBe('session');
    expect(messageClass('scheduler.sync')).toBe('session');
    expect(messageClass('deployment.handshakeReply')).toBe('reply');
    expect(messageClass('replicaset.syncAck')).toBe('reply');
    expect(messageClass('scheduler.notReady')).toBe('reply');
    expect(messageClass('replicaset.epochMismatch')).toBe('reply');
  });
});
