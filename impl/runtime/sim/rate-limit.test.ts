import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../spec/types/mutants.js';
import { STAGES } from '../../stages/registry.js';
import { makeScenario, scenarioConfig, WARM_UP_MS } from '../scenarios.js';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import { TokenBucket } from './rate-limit.js';
import type { SimOptions } from './types.js';

describe('client token bucket', () => {
  it('lets a burst through at once, then one request per 1/qps', () => {
    const bucket = new TokenBucket({ qps: 20, burst: 30 }, 0);
    const waits = Array.from({ length: 33 }, () => bucket.take(0));
    expect(waits.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(waits.slice(30)).toEqual([50, 100, 150]);
  });

  it('refills at qps while idle, up to the burst', () => {
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(0)).toBe(100);
    // 10 s later the bucket is full again, but never above the burst.
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([0, 0, 100]);
  });
});

/** A `burst` scenario under `rateLimits`, warmed up, its load just raised. */
const burstUnder = (
  params: { pods: number; nodes: number },
  mode: 'api' | 'direct',
  rateLimits: SimOptions['rateLimits'],
): SimCluster => {
  const scenario = makeScenario('burst', { ...params, functions: 1 });
  const cluster = new SimCluster({
    config: scenarioConfig(makeConfig('up', 'hardened', null)),
    mode,
    registry: STAGES,
    topology: scenario.topology,
    seed: 1,
    ...(rateLimits ? { rateLimits } : {}),
  });
  runDefault(cluster, { stepMax: 100_000, untilMs: WARM_UP_MS });
  for (const timed of scenario.actions) cluster.apply(timed.action);
  return cluster;
};

describe('a throttled request and a crash', () => {
  it('dies with its process while it waits for a token; one already sent still lands', () => {
    const cluster = burstUnder({ pods: 8, nodes: 2 }, 'api', { replicaset: { qps: 1, burst: 2 } });
    const creates = () =>
      cluster
        .pending()
        .filter((p) => p.kind === 'api' && p.stage === 'replicaset' && p.intent.op === 'createPod');
    const waiting = () =>
      creates().filter((p) => p.kind === 'api' && p.sentAtMs > cluster.nowMs).length;
    // Slow start sends 1, 2, 4 creates: the third batch outruns the bucket (burst 2, 1/s).
    runDefault(cluster, { stepMax: 10_000, stopWhen: () => waiting() > 0 });
    const sent = creates().filter((p) => p.kind === 'api' && p.sentAtMs <= cluster.nowMs);
    expect(waiting()).toBeGreaterThan(0);
    cluster.apply({ type: 'crash', stage: 'replicaset' });
    expect(creates().map((p) => p.id)).toEqual(sent.map((p) => p.id));
  });
});

describe('round 2 reads slower than the handshake retry timer', () => {
  it('connects every kubelet with about one resourceVersion read per link, and serves', () => {
    // 20 kubelet links and a scheduler allowed 5 requests/s: its round 2 reads queue for up
    // to 4 s, far longer than the 500 ms retry timer. Re-handshaking on that timer replaced
    // every queued read by a new one, without end (W3 under default limits, 2026-12-05).
    const nodes = 20;
    const cluster = burstUnder({ pods: 2 * nodes, nodes }, 'direct', {
      scheduler: { qps: 5, burst: 1 },
    });
    runDefault(cluster, {
      stepMax: 100_000,
      untilMs: 60_000,
      stopWhen: () => cluster.readyAtMs !== null,
    });
    const summary = cluster.summary();
    expect(summary.readyAtMs).not.toBeNull();
    // Its informers' lists and one read per link (before the fix: 5 reads/s without end).
    expect(summary.api.byClient.scheduler?.count).toBeLessThan(2 * nodes);
  });
});
