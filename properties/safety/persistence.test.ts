import { describe, it } from 'vitest';
import { healthy, kubelet, pod, podEntry, replicaSet, stage } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { apiPrecedence, noResurrection } from './persistence.js';

describe('api-precedence', () => {
  it('holds when a persisted pod is bound, becomes ready and starts deleting', () => {
    const before = healthy({ pods: [pod('a/p1')] });
    const after = healthy({
      pods: [pod('a/p1', { nodeName: 'n1', ready: true, deleting: true })],
    });
    expectHolds(apiPrecedence.check(before, after));
  });

  it('a newer count replacing an older one on a ReplicaSet holds, an older one over a newer fails', () => {
    const v2 = healthy({ replicaSets: [replicaSet({ replicas: 2, replicasVersion: 2 })] });
    const v3 = healthy({ replicaSets: [replicaSet({ replicas: 0, replicasVersion: 3 })] });
    expectHolds(apiPrecedence.check(v2, v3));
    expectFails(apiPrecedence.check(v3, v2), 'a/fn-h1', '0@v3', '2@v2');
  });

  it('a re-created ReplicaSet starts its count versions again', () => {
    const before = healthy({ replicaSets: [replicaSet({ replicasVersion: 3 })] });
    const after = healthy({ replicaSets: [replicaSet({ uid: 'u-rs2', replicasVersion: 0 })] });
    expectHolds(apiPrecedence.check(before, after));
  });

  it('an in-memory copy moving a bound pod to another node violates api-precedence', () => {
    const before = healthy({ pods: [pod('a/p1', { nodeName: 'n1' })] });
    const after = healthy({ pods: [pod('a/p1', { nodeName: 'n2' })] });
    expectFails(apiPrecedence.check(before, after), 'a/p1', 'n1', 'n2');
  });

  it('an in-memory copy rewriting the template violates api-precedence', () => {
    const before = healthy({ pods: [pod('a/p1')] });
    const after = healthy({ pods: [pod('a/p1', { templateHash: 'h0' })] });
    expectFails(apiPrecedence.check(before, after), 'a/p1', 'templateHash');
  });

  it('re-owning a persisted pod violates api-precedence', () => {
    const before = healthy({ pods: [pod('a/p1')] });
    const after = healthy({ pods: [pod('a/p1', { ownerUid: 'u-other' })] });
    expectFails(apiPrecedence.check(before, after), 'a/p1', 'u-other');
  });

  it('taking back a deletion violates api-precedence', () => {
    const before = healthy({ pods: [pod('a/p1', { deleting: true })] });
    const after = healthy({ pods: [pod('a/p1')] });
    expectFails(apiPrecedence.check(before, after), 'a/p1', 'deleting');
  });

  it('a pod re-created under the same key in one step violates api-precedence', () => {
    const before = healthy({ pods: [pod('a/p1', { uid: 'u7' })] });
    const after = healthy({ pods: [pod('a/p1', { uid: 'u9' })] });
    expectFails(apiPrecedence.check(before, after), 'a/p1', 'u7', 'u9');
  });
});

describe('no-resurrection', () => {
  const deleted = { deletedPods: ['a/p1'] } as const;

  it('holds while a deleted pod stays gone and its stale cache entry drains', () => {
    const before = healthy({ ...deleted, stages: [stage('kubelet/n1', [podEntry('a/p1')])] });
    const after = healthy({ ...deleted, stages: [stage('kubelet/n1')] });
    expectHolds(noResurrection.check(before, after));
  });

  it('a deleted pod created again in the API violates no-resurrection', () => {
    const before = healthy(deleted);
    const after = healthy({ ...deleted, pods: [pod('a/p1')] });
    expectFails(noResurrection.check(before, after), 'a/p1', 'API');
  });

  it('a delayed duplicate bind re-entering a kubelet cache violates no-resurrection', () => {
    const before = healthy({ ...deleted, stages: [stage('kubelet/n1')] });
    const after = healthy({
      ...deleted,
      stages: [stage('kubelet/n1', [podEntry('a/p1', { node: 'n1', state: 'exposing' })])],
    });
    expectFails(noResurrection.check(before, after), 'a/p1', 'kubelet/n1');
  });

  it('a deleted pod started again as a sandbox violates no-resurrection', () => {
    const before = healthy({ ...deleted, kubelets: [kubelet('n2')] });
    const after = healthy({ ...deleted, kubelets: [kubelet('n2', ['a/p1'])] });
    expectFails(noResurrection.check(before, after), 'a/p1', 'n2', 'sandbox');
  });

  it('a pod that was never deleted may appear anywhere', () => {
    const before = healthy(deleted);
    const after = healthy({
      ...deleted,
      pods: [pod('a/p2')],
      kubelets: [kubelet('n1', ['a/p2'])],
      stages: [stage('scheduler', [podEntry('a/p2')])],
    });
    expectHolds(noResurrection.check(before, after));
  });
});
