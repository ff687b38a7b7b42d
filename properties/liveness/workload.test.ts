import { describe, it } from 'vitest';
import {
  DEPLOYMENT_KEY,
  deployment,
  healthy,
  node,
  pod,
  replicaSet,
} from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { replicasConverge, statusConverges } from './workload.js';

const ready = (key: string, nodeName = 'n1') => pod(key, { nodeName, ready: true });

describe('replicas-converge', () => {
  it('holds when the function has as many Ready pods on live nodes as desired', () => {
    expectHolds(replicasConverge.check(healthy({ pods: [ready('a/p1')] })));
  });

  it('a function short of Ready pods has not converged', () => {
    const obs = healthy({ pods: [pod('a/p1', { nodeName: 'n1' })] });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY, '0 Ready', 'desired 1');
  });

  it('a function with one Ready pod too many has not converged', () => {
    const obs = healthy({ pods: [ready('a/p1'), ready('a/p2', 'n2')] });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY, 'a/p1', 'a/p2', 'desired 1');
  });

  it('does not count a Ready pod on a node that left the API', () => {
    const obs = healthy({ nodes: [node('n2')], pods: [ready('a/p1')] });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY, '0 Ready');
  });

  it('does not count a Ready pod of a ReplicaSet owned by another Deployment', () => {
    const obs = healthy({
      replicaSets: [replicaSet({ ownerUid: 'u-other-dep' })],
      pods: [ready('a/p1')],
    });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY, '0 Ready');
  });

  it('does not count a Ready pod of an outdated template (the rollout is not done)', () => {
    const obs = healthy({
      replicaSets: [replicaSet({ templateHash: 'old-template' })],
      pods: [ready('a/p1')],
    });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY, '0 Ready');
  });

  it('does not count a deleting pod', () => {
    const obs = healthy({ pods: [pod('a/p1', { nodeName: 'n1', ready: true, deleting: true })] });
    expectFails(replicasConverge.check(obs), DEPLOYMENT_KEY);
  });

  it('asks nothing of a deleted or deleting function', () => {
    expectHolds(replicasConverge.check(healthy({ deployments: [] })));
    expectHolds(replicasConverge.check(healthy({ deployments: [deployment({ deleting: true })] })));
  });
});

describe('status-converges', () => {
  const twoPods = { replicas: 2, readyReplicas: 1 };
  const pods = [pod('a/p1', { ready: true }), pod('a/p2'), pod('a/p3', { deleting: true })];

  it('holds when the ReplicaSet and Deployment status count their pods and Ready pods', () => {
    const obs = healthy({
      deployments: [deployment({ status: twoPods })],
      replicaSets: [replicaSet({ status: twoPods })],
      pods,
    });
    expectHolds(statusConverges.check(obs));
  });

  it('a Deployment status that the ReplicaSets changed under has not converged', () => {
    const obs = healthy({
      deployments: [deployment({ status: { replicas: 0, readyReplicas: 0 } })],
      replicaSets: [replicaSet({ status: twoPods })],
      pods,
    });
    expectFails(
      statusConverges.check(obs),
      'Deployment a/fn',
      '0 pods (0 Ready)',
      'holds 2 (1 Ready)',
    );
  });

  it('a Deployment counts the pods of all its ReplicaSets, outdated ones too', () => {
    const old = replicaSet({ key: 'a/fn-h0', uid: 'u-rs0', templateHash: 'h0', status: twoPods });
    const obs = healthy({
      deployments: [deployment({ status: { replicas: 3, readyReplicas: 1 } })],
      replicaSets: [replicaSet({ status: { replicas: 1, readyReplicas: 0 } }), old],
      pods: [...pods, pod('a/q1', { ownerUid: 'u-rs', ownerKey: 'a/fn-h1' })].map((p, i) =>
        i < 3 ? { ...p, ownerUid: 'u-rs0', ownerKey: 'a/fn-h0' } : p,
      ),
    });
    expectHolds(statusConverges.check(obs));
  });

  it('a status that missed a pod becoming Ready has not converged', () => {
    const obs = healthy({
      replicaSets: [replicaSet({ status: { replicas: 1, readyReplicas: 0 } })],
      pods: [pod('a/p1', { ready: true })],
    });
    expectFails(statusConverges.check(obs), 'a/fn-h1', '1 pods (0 Ready)', 'holds 1 (1 Ready)');
  });
});
