import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../spec/types/mutants.js';
import { STAGES } from '../../stages/registry.js';
import { makeScenario, scenarioConfig, WARM_UP_MS } from '../scenarios.js';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';

const warm = (profile = 'hardened') => {
  const scenario = makeScenario('burst', { pods: 2, nodes: 1, functions: 1 });
  const cluster = new SimCluster({
    config: scenarioConfig(makeConfig('up', profile, null)),
    mode: 'direct',
    registry: STAGES,
    topology: scenario.topology,
    seed: 1,
  });
  runDefault(cluster, { stepMax: 100_000, untilMs: WARM_UP_MS });
  return cluster;
};

const transitions = (cluster: SimCluster, stage: string): number | undefined =>
  (cluster.api.lookup('Lease', 'kube-system', `kd-${stage}`) as V1Lease | undefined)?.spec
    ?.leaseTransitions;

const incarnation = (cluster: SimCluster, stage: string): number | undefined =>
  cluster.observe().stages.find((s) => s.id === stage)?.incarnation;

describe('incarnations from Leases', () => {
  it('each leased stage creates its Lease on its first start and mints with incarnation 1', () => {
    const cluster = warm();
    for (const stage of ['deployment', 'replicaset', 'scheduler']) {
      expect(transitions(cluster, stage)).toBe(1);
      expect(incarnation(cluster, stage)).toBe(1);
    }
    // The kubelets and the autoscaler mint nothing and hold none.
    expect(cluster.api.count('Lease')).toBe(3);
    const epochs = cluster.observe().links.map((l) => l.clientEpoch);
    expect(epochs.every((e) => e !== null && /#1\.\d+$/.test(e))).toBe(true);
  });

  it('a restarted stage reads its Lease, takes the next number and hands-shakes only then', () => {
    const cluster = warm();
    cluster.apply({ type: 'crash', stage: 'deployment' });
    cluster.apply({ type: 'restart', stage: 'deployment' });
    expect(incarnation(cluster, 'deployment')).toBe(0);
    const link = () => cluster.observe().links.find((l) => l.client === 'deployment');
    runDefault(cluster, { stepMax: 100_000, stopWhen: () => link()?.clientPhase === 'connected' });
    expect(transitions(cluster, 'deployment')).toBe(2);
    expect(incarnation(cluster, 'deployment')).toBe(2);
    expect(link()?.clientEpoch).toMatch(/^deployment#2\./);
  });

  it('during an API outage a restarted stage cannot take its Lease, and so never handshakes', () => {
    const cluster = warm();
    cluster.apply({ type: 'crash', stage: 'replicaset' });
    cluster.apply({ type: 'apiOutage', on: true });
    cluster.apply({ type: 'restart', stage: 'replicaset' });
    runDefault(cluster, { stepMax: 2_000 });
    expect(incarnation(cluster, 'replicaset')).toBe(0);
    const link = cluster.observe().links.find((l) => l.client === 'replicaset');
    expect(link?.clientPhase).toBe('disconnected');
    cluster.apply({ type: 'apiOutage', on: false });
    runDefault(cluster, {
      stepMax: 100_000,
      stopWhen: () => incarnation(cluster, 'replicaset') === 2,
    });
    expect(transitions(cluster, 'replicaset')).toBe(2);
  });

  it('with autoscalerLink direct the autoscaler mints too, and holds a Lease', () => {
    const cluster = warm('hardened:autoscalerLink=direct');
    expect(transitions(cluster, 'autoscaler')).toBe(1);
    expect(cluster.api.count('Lease')).toBe(4);
    cluster.apply({ type: 'crash', stage: 'autoscaler' });
    cluster.apply({ type: 'restart', stage: 'autoscaler' });
    const link = () => cluster.observe().links.find((l) => l.client === 'autoscaler');
    runDefault(cluster, { stepMax: 100_000, stopWhen: () => link()?.clientPhase === 'connected' });
    expect(incarnation(cluster, 'autoscaler')).toBe(2);
    expect(link()?.clientEpoch).toMatch(/^autoscaler#2\./);
  });
});
