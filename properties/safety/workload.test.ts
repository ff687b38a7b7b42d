import { describe, it } from 'vitest';
import { healthy, pod, podEntry, RS_KEY, stage } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { boundedOvershoot } from './workload.js';

describe('bounded-overshoot', () => {
  it('counts a pod once when it is both persisted and in flight', () => {
    const obs = healthy({
      recentDesiredMax: { [RS_KEY]: 1 },
      pods: [pod('a/p1')],
      stages: [stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })])],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('a duplicated schedulePods that creates a second pod violates bounded-overshoot', () => {
    const obs = healthy({
      recentDesiredMax: { [RS_KEY]: 1 },
      pods: [pod('a/p1')],
      stages: [stage('scheduler', [podEntry('a/p2', { state: 'pending' })])],
    });
    expectFails(boundedOvershoot.check(obs), RS_KEY, 'a/p1', 'a/p2');
  });

  it('the configured slack allows one pod above the recent desired count', () => {
    const obs = healthy({
      overshootSlack: 1,
      pods: [pod('a/p1'), pod('a/p2')],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('deleting pods are not live, even while a cache still holds them', () => {
    const obs = healthy({
      pods: [pod('a/p1'), pod('a/p2', { deleting: true })],
      stages: [stage('kubelet/n1', [podEntry('a/p2', { node: 'n1', state: 'exposed' })])],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('cached pods of a deleted ReplicaSet count against its recent desired count', () => {
    const obs = healthy({
      replicaSets: [],
      recentDesiredMax: { 'a/old': 0 },
      stages: [stage('kubelet/n1', [podEntry('a/p9', { ownerKey: 'a/old', node: 'n1' })])],
    });
    expectFails(boundedOvershoot.check(obs), 'a/old', 'a/p9');
  });
});
