import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../spec/types/mutants.js';
import { STAGES } from '../../stages/registry.js';
import { scenarioConfig, topologyFor, WARM_UP_MS } from '../scenarios.js';
import { KUBERNETES_DEFAULT_LIMITS } from '../sim/rate-limit.js';
import { createRealtimeCluster } from './cluster.js';

describe('createRealtimeCluster', () => {
  // 250 kubelet links: the scheduler's resourceVersion reads, one per link, outrun its
  // client's burst of 100 and take longer than the fixed warm-up at 50 requests/s.
  it('starts the clock only once every stage serves and every link is connected', () => {
    const rt = createRealtimeCluster({
      config: scenarioConfig(makeConfig('up', 'hardened', null)),
      mode: 'direct',
      registry: STAGES,
      topology: topologyFor({ pods: 1, nodes: 250, functions: 1 }),
      seed: 1,
      sandboxStartMs: 0,
      rateLimits: KUBERNETES_DEFAULT_LIMITS,
    });
    const observation = rt.cluster.observe();
    expect(observation.links).toHaveLength(252);
    expect(observation.links.filter((link) => link.clientPhase !== 'connected')).toEqual([]);
    expect(observation.stages.filter((stage) => stage.phase !== 'serving')).toEqual([]);
    // The case this guards: connecting took longer than the fixed warm-up.
    expect(rt.cluster.nowMs).toBeGreaterThan(WARM_UP_MS);
    expect(rt.clock.now()).toBeGreaterThanOrEqual(rt.cluster.nowMs);
  });
});
