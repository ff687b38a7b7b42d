import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../spec/types/mutants.js';
import { CHECK_PRESETS } from '../fuzz/case.js';
import type { Choice } from '../fuzz/schedule.js';
import {
  type CampaignOptions,
  failuresOf,
  runCampaign,
  runCase,
  shardRuns,
  shardSeed,
} from './campaign.js';
import { conformanceCheck } from './conformance.js';
import { type Play, SHRINK_LIVENESS_STEP_MAX } from './shrink.js';

const base: CampaignOptions = {
  profile: 'hardened',
  mutant: null,
  preset: CHECK_PRESETS.tiny as NonNullable<(typeof CHECK_PRESETS)['tiny']>,
  modes: ['direct', 'api'],
  runs: 20,
  timeMs: null,
  seed: 7,
  shard: null,
  target: null,
  tenants: true,
};

describe('a campaign', () => {
  it('runs its cases on the hardened design without a failure, injecting faults', () => {
    const result = runCampaign(base);
    expect(result.failure).toBeNull();
    expect(result.runs).toBe(20);
    expect(result.steps).toBeGreaterThan(20 * 100);
    expect(Object.values(result.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  });

  it('runs under the direct autoscaler link (a switch no profile sets), conformance included', () => {
    const profile = 'hardened:autoscalerLink=direct';
    const config = makeConfig('up', profile, null);
    const result = runCampaign({
      ...base,
      profile,
      modes: ['direct'],
      stepCheck: (mode) => conformanceCheck(config, mode),
    });
    expect(result.failure).toBeNull();
    expect(result.runs).toBe(20);
  });

  it('is deterministic: the same seed gives the same runs', () => {
    const a = runCampaign({ ...base, runs: 8 });
    const b = runCampaign({ ...base, runs: 8 });
    expect({ ...b, seconds: 0 }).toEqual({ ...a, seconds: 0 });
  });

  it('catches a mutant, shrinks it, and replays the shrunk case with its trace', () => {
    const result = runCampaign({
      ...base,
      mutant: 'no-inflight-accounting',
      target: 'capacity',
      modes: ['direct'],
      runs: 200,
    });
    expect(result.failure?.property).toBe('capacity');
    expect(result.failure?.fuzzCase.schedule.length).toBeLessThanOrEqual(12);
    expect(result.failure?.outcome.trace.length).toBeGreaterThan(0);
  });

  it('splits runs and seeds over shards', () => {
    const shards = [0, 1, 2].map((index) => ({ index, count: 3 }));
    expect(shards.map((s) => shardRuns(100, s))).toEqual([34, 33, 33]);
    expect(new Set(shards.map((s) => shardSeed(5, s))).size).toBe(3);
  });
});

describe('regressions the fuzzer found', () => {
  it("a user's kubectl scale of a ReplicaSet is corrected on the direct path", () => {
    // Before the fix the Deployment controller re-sent a count at a version the ReplicaSet
    // already showed, the ReplicaSet controller dropped it as not newer, and the link
    // re-handshook forever (replicas-converge, caches-drain, sessions-connect).
    const takes: Choice[] = Array.from({ length: 8 }, () => ({ kind: 'take', index: 0 }));
    const schedule: Choice[] = [
      ...takes,
      { kind: 'write', write: { op: 'scaleReplicaSet', fn: 0, replicas: 2 } },
    ];
    const fuzzCase = {
      mode: 'direct' as const,
      pods: 1,
      nodes: 1,
      functions: 1,
      tenants: false,
      seed: 0,
      schedule,
    };
    const outcome = runCase(fuzzCase, base);
    expect(outcome.faults).toEqual({ 'write scaleReplicaSet': 1 });
    expect(failuresOf(outcome)).toEqual([]);
  });
});

describe('shrinking within its budget (a fake run on a fake clock)', () => {
  /** Every run takes 11 s of the fake clock; cases with a choice fail `replicas-converge`. */
  const fake = (failsUnder: (livenessStepMax: number) => boolean) => {
    let clock = 0;
    const calls: { bound: number; trace: boolean; at: number }[] = [];
    const play: Play = (fuzzCase, livenessStepMax, trace) => {
      calls.push({ bound: livenessStepMax, trace, at: clock });
      clock += 11_000;
      const fails = fuzzCase.schedule.length > 0 && failsUnder(livenessStepMax);
      return {
        violations: [],
        unconverged: fails ? [{ property: 'replicas-converge', message: 'stuck' }] : [],
        faults: {},
        steps: 1,
        hits: [],
        initialState: '',
        trace: [],
        failingEntry: null,
        livenessStepsOmitted: 0,
        drain: { steps: 0, drained: !fails },
        stepFailure: null,
      };
    };
    return { play, calls, now: () => clock };
  };
  const small = CHECK_PRESETS.small as NonNullable<(typeof CHECK_PRESETS)['small']>;

  it('runs no candidate past the budget, and shrinks a liveness failure under the lower bound', () => {
    const { play, calls, now } = fake(() => true);
    const result = runCampaign({ ...base, preset: small, runs: 5, shrinkSeconds: 60, play, now });
    expect(result.failure?.property).toBe('replicas-converge');
    expect(result.failure?.runsToDetect).toBe(1);
    expect(result.failure?.livenessStepMax).toBe(SHRINK_LIVENESS_STEP_MAX);
    const detectedAt = (result.failure?.secondsToDetect ?? 0) * 1000;
    // fast-check's shrink: candidates start within 60 s of the failure, none after.
    const shrinking = calls.filter((c) => c.at > detectedAt && !c.trace);
    expect(shrinking.length).toBeGreaterThan(1);
    expect(Math.max(...shrinking.map((c) => c.at)) - detectedAt).toBeLessThanOrEqual(
      60_000 + 30_000 + 3 * 11_000,
    );
    // Everything after the first failing run, at the lower bound.
    expect(calls.filter((c) => c.at > detectedAt).every((c) => c.bound === 5_000)).toBe(true);
    // The whole campaign: one run, the 60 s shrink, the 30 s last pass, a run past each.
    expect(now() - detectedAt).toBeLessThanOrEqual(11_000 + 60_000 + 11_000 + 30_000 + 4 * 11_000);
  });

  it('keeps the preset bound when the failure needs it', () => {
    const { play, calls, now } = fake((bound) => bound === small.livenessStepMax);
    const result = runCampaign({ ...base, preset: small, runs: 5, shrinkSeconds: 30, play, now });
    expect(result.failure?.livenessStepMax).toBe(small.livenessStepMax);
    expect(calls.filter((c) => c.bound !== small.livenessStepMax)).toHaveLength(1);
  });
});
