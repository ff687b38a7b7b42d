import { describe, expect, it } from 'vitest';
import { makeScenario, SCENARIO_NAMES, scenarioConfig } from '../../impl/runtime/scenarios.js';
import { KUBERNETES_DEFAULT_LIMITS } from '../../impl/runtime/sim/rate-limit.js';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { checkScenario, type RunReport } from './check-scenario.js';

/** The bound: at least a 100-pod burst on 10 nodes, every scenario, both paths. */
const PARAMS = { pods: 100, nodes: 10, functions: 1 };

const run = (
  name: string,
  mode: Mode,
  mutant: string | null = null,
  params = PARAMS,
  limited = false,
): RunReport =>
  checkScenario({
    scenario: makeScenario(name, params),
    config: scenarioConfig(makeConfig('up', 'hardened', mutant)),
    mode,
    registry: STAGES,
    seed: 1,
    stepMax: 200_000,
    ...(limited ? { rateLimits: KUBERNETES_DEFAULT_LIMITS } : {}),
  });

const failures = (report: RunReport): string[] => [
  ...report.violations.map((v) => `${v.property} at step ${v.step}: ${v.message.slice(0, 200)}`),
  ...report.unconverged.map((u) => `not converged: ${u.property}: ${u.message.slice(0, 200)}`),
];

describe.each(['direct', 'api'] as const)('kd run, %s path, 100 pods on 10 nodes', (mode) => {
  it.each(SCENARIO_NAMES)('%s converges with no property violated', (name) => {
    const report = run(name, mode);
    expect(failures(report)).toEqual([]);
    expect(report.converged).toBe(true);
    expect(report.summary.readyAfterMs).not.toBeNull();
  });
});

describe('kd run: API writes per pod on a burst', () => {
  it('the direct path writes each pod twice (expose, Ready)', () => {
    expect(run('burst', 'direct').apiWritesPerPod).toBeLessThanOrEqual(2);
  });

  it('the API path writes each pod at least three times (create, bind, status)', () => {
    expect(run('burst', 'api').apiWritesPerPod).toBeGreaterThanOrEqual(3);
  });
});

describe('kd run under seeded jitter (other interleavings of the same scenario)', () => {
  // Up to 3 ms of extra delay per event, drawn from the seed: messages overtake each other
  // within an epoch and informers fall behind. Found a lost write-back of a newer count.
  const small = { pods: 10, nodes: 3, functions: 2 };
  const cases = SCENARIO_NAMES.flatMap((name) =>
    (['direct', 'api'] as const).flatMap((mode) => [1, 2, 3].map((seed) => ({ name, mode, seed }))),
  );
  it.each(cases)(
    '$name, $mode path, seed $seed converges with no violation',
    ({ name, mode, seed }) => {
      const report = checkScenario({
        scenario: makeScenario(name, small),
        config: scenarioConfig(makeConfig('up', 'hardened', null)),
        mode,
        registry: STAGES,
        seed,
        stepMax: 100_000,
        latencies: { jitterMs: 3 },
      });
      expect(failures(report)).toEqual([]);
    },
  );
});

describe('kd run with the Kubernetes client limits', () => {
  it('throttles the API path (100 creations at 20 QPS, burst 30) but not the direct path', () => {
    const readyMs = (mode: Mode, limited: boolean) =>
      run('burst', mode, null, PARAMS, limited).summary.readyAfterMs ?? Number.POSITIVE_INFINITY;
    expect(readyMs('api', true)).toBeGreaterThan(3_000);
    expect(readyMs('api', false)).toBeLessThan(1_000);
    expect(readyMs('direct', true)).toBe(readyMs('direct', false));
  });
});

describe('kd run: the checks can fail', () => {
  it('a kubelet that never marks pods Ready does not converge', () => {
    const report = run('burst', 'direct', 'never-ready');
    expect(report.converged).toBe(false);
    expect(report.unconverged.map((u) => u.property)).toContain('replicas-converge');
  });

  it('a scheduler that ignores in-flight pods over-commits a node', () => {
    const report = run('burst', 'direct', 'no-inflight-accounting', {
      pods: 20,
      nodes: 3,
      functions: 1,
    });
    expect(report.violations.map((v) => v.property)).toContain('capacity');
  });
});

describe('kd run is deterministic', () => {
  it('gives the same report for the same scenario and seed', () => {
    const small = { pods: 10, nodes: 3, functions: 2 };
    const a = run('crash-scheduler', 'direct', null, small);
    const b = run('crash-scheduler', 'direct', null, small);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
