import { describe, it } from 'vitest';
import {
  countEntry,
  deployment,
  healthy,
  kubelet,
  pod,
  podEntry,
  RS_UID,
  replicaSet,
  sandbox,
  stage,
  templatePod,
} from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { apiReflectsTruth, cachesDrain, deletionCompletes } from './caches.js';

describe('caches-drain', () => {
  it('holds when every stage has written back everything', () => {
    const obs = healthy({ stages: [stage('scheduler'), stage('kubelet/n1')] });
    expectHolds(cachesDrain.check(obs));
  });

  it('a zombie entry left in a kubelet cache means the caches have not drained', () => {
    const obs = healthy({
      stages: [stage('scheduler'), stage('kubelet/n1', [podEntry('a/p1', { node: 'n1' })])],
    });
    expectFails(cachesDrain.check(obs), 'kubelet/n1', 'a/p1');
  });

  it('a desired count not yet written back means the caches have not drained', () => {
    const obs = healthy({ stages: [stage('replicaset', [countEntry('a/fn-h1', 2)])] });
    expectFails(cachesDrain.check(obs), 'replicaset', 'a/fn-h1');
  });
});

describe('api-reflects-truth', () => {
  it('holds when every bound pod runs as a sandbox on its node and nothing else runs', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' }), pod('a/p2')],
      kubelets: [kubelet('n1', ['a/p1']), kubelet('n2')],
    });
    expectHolds(apiReflectsTruth.check(obs));
  });

  it('a bound pod with no sandbox on its node does not reflect the truth', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      kubelets: [kubelet('n1'), kubelet('n2', ['a/p1'])],
    });
    expectFails(apiReflectsTruth.check(obs), 'a/p1', 'n1');
  });

  it('a sandbox with no API pod does not reflect the truth', () => {
    const obs = healthy({ kubelets: [kubelet('n2', ['a/p7'])] });
    expectFails(apiReflectsTruth.check(obs), 'a/p7', 'n2', 'no API pod');
  });

  it('pods bound to a lost node and its sandboxes are not asked about', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      kubelets: [kubelet('n1', ['a/p2'], false)],
    });
    expectHolds(apiReflectsTruth.check(obs));
  });
});

describe('deletion-completes', () => {
  const afterRsDeleted = (parts: Parameters<typeof healthy>[0] = {}) =>
    healthy({ replicaSets: [], templatePods: [], ...parts });

  it('holds when a deleted ReplicaSet left nothing behind', () => {
    expectHolds(deletionCompletes.check(afterRsDeleted()));
  });

  it('holds for the pods, template and caches of a live ReplicaSet', () => {
    const obs = healthy({
      pods: [pod('a/p1')],
      stages: [stage('scheduler', [podEntry('a/p2')])],
      kubelets: [kubelet('n1', ['a/p1'])],
    });
    expectHolds(deletionCompletes.check(obs));
  });

  it('a pod of a deleted ReplicaSet left in the API means deletion has not completed', () => {
    expectFails(deletionCompletes.check(afterRsDeleted({ pods: [pod('a/p1')] })), 'a/p1', RS_UID);
  });

  it('a template pod outliving its ReplicaSet means deletion has not completed', () => {
    const obs = afterRsDeleted({ templatePods: [templatePod()] });
    expectFails(deletionCompletes.check(obs), 'a/fn-h1-template', RS_UID);
  });

  it('a cache entry of a deleted ReplicaSet means deletion has not completed', () => {
    const obs = afterRsDeleted({ stages: [stage('kubelet/n1', [podEntry('a/p1')])] });
    expectFails(deletionCompletes.check(obs), 'kubelet/n1', 'a/p1', RS_UID);
  });

  it('a sandbox of a deleted ReplicaSet means deletion has not completed', () => {
    const obs = afterRsDeleted({ kubelets: [kubelet('n1', [sandbox('a/p1')])] });
    expectFails(deletionCompletes.check(obs), 'a/p1', 'n1', RS_UID);
  });

  it('a Deployment still deleting means deletion has not completed', () => {
    const obs = afterRsDeleted({ deployments: [deployment({ deleting: true })] });
    expectFails(deletionCompletes.check(obs), 'a/fn', 'deleting');
  });

  it('a ReplicaSet still deleting means deletion has not completed', () => {
    const obs = healthy({ replicaSets: [replicaSet({ deleting: true })] });
    expectFails(deletionCompletes.check(obs), 'a/fn-h1', 'deleting');
  });

  it('a ReplicaSet outliving its deleted Deployment means deletion has not completed', () => {
    const obs = healthy({ deployments: [] });
    expectFails(deletionCompletes.check(obs), 'a/fn-h1', 'u-dep');
  });
});
