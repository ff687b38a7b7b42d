import { describe, it } from 'vitest';
import { healthy, kubelet, node, pod, podEntry, stage } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { capacity, uniquePlacement } from './placement.js';

describe('unique-placement', () => {
  it('holds when the API, the scheduler, the kubelet and the sandbox all say n1', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [
        stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })]),
        stage('kubelet/n1', [podEntry('a/p1', { state: 'exposed', node: 'n1' })]),
      ],
      kubelets: [kubelet('n1', ['a/p1']), kubelet('n2')],
    });
    expectHolds(uniquePlacement.check(obs));
  });

  it('a pod assumed on n1 and bound on n2 violates unique-placement', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n2' })],
      stages: [stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })])],
    });
    expectFails(uniquePlacement.check(obs), 'a/p1', 'n1', 'n2', 'scheduler');
  });

  it('a pod running as a sandbox on two nodes violates unique-placement', () => {
    const obs = healthy({ kubelets: [kubelet('n1', ['a/p1']), kubelet('n2', ['a/p1'])] });
    expectFails(uniquePlacement.check(obs), 'a/p1', 'n1', 'n2', 'sandbox');
  });

  it('a kubelet caching a pod the scheduler assumed on another node violates it', () => {
    const obs = healthy({
      stages: [
        stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })]),
        stage('kubelet/n2', [podEntry('a/p1', { state: 'exposing', node: 'n1' })]),
      ],
    });
    expectFails(uniquePlacement.check(obs), 'a/p1', 'kubelet/n2');
  });

  it('ignores the sandboxes of a lost node', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n2' })],
      kubelets: [kubelet('n1', ['a/p1'], false), kubelet('n2', ['a/p1'])],
    });
    expectHolds(uniquePlacement.check(obs));
  });

  it('same pod name in two namespaces is two pods, not one on two nodes', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' }), pod('b/p1', { nodeName: 'n2' })],
    });
    expectHolds(uniquePlacement.check(obs));
  });
});

describe('capacity', () => {
  it('counts a pod once when it is persisted, cached and assumed on the same node', () => {
    const obs = healthy({
      nodes: [node('n1', 1)],
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [
        stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })]),
        stage('kubelet/n1', [podEntry('a/p1', { state: 'exposed', node: 'n1' })]),
      ],
    });
    expectHolds(capacity.check(obs));
  });

  it('a persisted pod and a different assumed pod over-commit a one-slot node', () => {
    const obs = healthy({
      nodes: [node('n1', 1)],
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [stage('scheduler', [podEntry('a/p2', { state: 'assumed', node: 'n1' })])],
    });
    expectFails(capacity.check(obs), 'n1', 'a/p1', 'a/p2', 'allocatable is 1');
  });

  it('a deleting pod still holds its slot', () => {
    const obs = healthy({
      nodes: [node('n1', 1)],
      pods: [pod('a/p1', { nodeName: 'n1', deleting: true })],
      stages: [stage('kubelet/n1', [podEntry('a/p2', { state: 'exposing', node: 'n1' })])],
    });
    expectFails(capacity.check(obs), 'n1', 'a/p1', 'a/p2');
  });

  it('does not count a pending scheduler entry, which has no node yet', () => {
    const obs = healthy({
      nodes: [node('n1', 1)],
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [stage('scheduler', [podEntry('a/p2', { state: 'pending' })])],
    });
    expectHolds(capacity.check(obs));
  });

  it('skips a node that is no longer in the API', () => {
    const obs = healthy({
      nodes: [],
      pods: [pod('a/p1', { nodeName: 'n1' }), pod('a/p2', { nodeName: 'n1' })],
      stages: [stage('kubelet/n1', [podEntry('a/p3', { node: 'n1', state: 'exposing' })])],
    });
    expectHolds(capacity.check(obs));
  });
});
