import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioOptions, type TimedAction } from './policy.js';
import { TEST_CONFIG as CONFIG, registryOf, replicaSetKeyOf } from './testing/fakes.js';
import { fakeKubelet } from './testing/kubelet.js';
import { fakeScheduler, podEntry } from './testing/scheduler.js';

const RS = replicaSetKeyOf('a', 'fn');

const ACTIONS: TimedAction[] = [
  { atMs: 3, action: { type: 'crash', stage: 'replicaset' } },
  { atMs: 4, action: { type: 'apiOutage', on: true } },
  { atMs: 6, action: { type: 'apiOutage', on: false } },
  { atMs: 7, action: { type: 'restart', stage: 'replicaset' } },
  { atMs: 50, action: { type: 'write', write: { op: 'deletePod', key: 'a/p1' } } },
  { atMs: 400, action: { type: 'load', deployment: 'a/fn', load: 2 } },
];

const scenario = (seed: number): ScenarioOptions => ({
  config: CONFIG,
  mode: 'direct',
  registry: registryOf({
    scheduler: fakeScheduler([
      podEntry('a/p1', RS, 'n1'),
      podEntry('a/p2', RS, 'n1'),
      podEntry('a/p3', RS, 'n1'),
    ]),
    kubelet: fakeKubelet(),
  }),
  seed,
  latencies: { jitterMs: 0.4 },
  actions: ACTIONS,
  stepMax: 500,
  keepObservations: true,
});

describe('the default policy', () => {
  it('gives byte-identical step records and observations for the same seed and schedule', () => {
    const a = runScenario(scenario(7));
    const b = runScenario(scenario(7));
    expect(a.records.length).toBeGreaterThan(30);
    expect(JSON.stringify(b.records)).toBe(JSON.stringify(a.records));
    expect(JSON.stringify(b.observations)).toBe(JSON.stringify(a.observations));
    expect(JSON.stringify(b.cluster.summary())).toBe(JSON.stringify(a.cluster.summary()));
  });

  it('draws tie-breaking and jitter from the seed', () => {
    const times = (seed: number) => runScenario(scenario(seed)).records.map((r) => r.atMs);
    expect(times(8)).not.toEqual(times(7));
  });

  it('builds an Observation after every step, with that step’s events', () => {
    const { records, observations, end } = runScenario(scenario(3));
    expect(end).not.toBe('stepMax');
    expect(observations).toHaveLength(records.length + 1);
    expect(observations[0]?.events).toEqual([]);
    records.forEach((record, i) => {
      expect(observations[i + 1]?.step).toBe(record.step);
      expect(observations[i + 1]?.events).toEqual(record.events);
    });
    const last = observations.at(-1);
    // The fake kubelet never finishes a graceful delete (nor retries an expose the outage
    // refused): the pod is absent or stays, marked deleting.
    expect(last?.api.pods['a/p1']?.deleting ?? true).toBe(true);
    expect(last?.desired).toEqual({ 'a/fn': 2 });
    expect(records.map((r) => r.label)).toContain('crash replicaset');
  });

  it('keeps the virtual clock monotone and applies timed actions at their time', () => {
    const { records } = runScenario(scenario(5));
    for (let i = 1; i < records.length; i += 1)
      expect(records[i]?.atMs).toBeGreaterThanOrEqual(records[i - 1]?.atMs ?? 0);
    expect(records.find((r) => r.label === 'api outage')?.atMs).toBe(4);
  });
});
