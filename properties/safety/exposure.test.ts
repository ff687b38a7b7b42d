import { describe, it } from 'vitest';
import type { AppliedEvent } from '../../spec/types/observation.js';
import {
  healthy,
  kubelet,
  pod,
  podEntry,
  RS_UID,
  replicaSet,
  sandbox,
  stage,
} from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { noLeakedSandbox, noOrphanExposure, specFidelity } from './exposure.js';

const expose = (key: string, outcome: 'ok' | 'outage' = 'ok'): AppliedEvent => ({
  kind: 'api',
  actor: 'kubelet/n1',
  verb: 'create',
  resource: 'pod',
  key,
  outcome,
  retry: false,
});

describe('no-orphan-exposure', () => {
  it('holds when the kubelet exposes a pod whose owner and template exist', () => {
    const after = healthy({ pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectHolds(noOrphanExposure.check(healthy(), after));
  });

  it('exposing a pod after its ReplicaSet was deleted violates no-orphan-exposure', () => {
    const before = healthy({ replicaSets: [] });
    const after = healthy({ replicaSets: [], pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectFails(noOrphanExposure.check(before, after), 'a/p1', 'a/fn-h1', RS_UID);
  });

  it('exposing a pod whose owner key now names a re-created ReplicaSet violates it', () => {
    const before = healthy({ replicaSets: [replicaSet({ uid: 'u-rs-new' })] });
    const after = healthy({ pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectFails(noOrphanExposure.check(before, after), 'a/p1', RS_UID);
  });

  it('exposing a pod while its owner is deleting violates no-orphan-exposure', () => {
    const before = healthy({ replicaSets: [replicaSet({ deleting: true })] });
    const after = healthy({ pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectFails(noOrphanExposure.check(before, after), 'a/p1', 'deleting');
  });

  it('exposing a pod after its template pod was deleted violates no-orphan-exposure', () => {
    const before = healthy({ templatePods: [] });
    const after = healthy({ pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectFails(noOrphanExposure.check(before, after), 'a/p1', 'template');
  });

  it('a create by the ReplicaSet controller (the API path) is not an exposure', () => {
    const before = healthy({ replicaSets: [] });
    const create: AppliedEvent = {
      kind: 'api',
      actor: 'replicaset',
      verb: 'create',
      resource: 'pod',
      key: 'a/p1',
      outcome: 'ok',
      retry: false,
    };
    const after = healthy({ replicaSets: [], pods: [pod('a/p1')], events: [create] });
    expectHolds(noOrphanExposure.check(before, after));
  });

  it('a create that failed in an outage exposes nothing', () => {
    const before = healthy({ templatePods: [] });
    const after = healthy({ templatePods: [], events: [expose('a/p1', 'outage')] });
    expectHolds(noOrphanExposure.check(before, after));
  });
});

describe('spec-fidelity', () => {
  it("holds when pods and sandboxes carry their owner's template", () => {
    const obs = healthy({ pods: [pod('a/p1')], kubelets: [kubelet('n1', ['a/p1'])] });
    expectHolds(specFidelity.check(obs));
  });

  it('a pod materialised without its template violates spec-fidelity', () => {
    const obs = healthy({ pods: [pod('a/p1', { templateHash: 'default' })] });
    expectFails(specFidelity.check(obs), 'a/p1', 'default', 'h1');
  });

  it('a sandbox running a stale template violates spec-fidelity', () => {
    const obs = healthy({
      kubelets: [kubelet('n2', [sandbox('a/p1', { templateHash: 'h0' })])],
    });
    expectFails(specFidelity.check(obs), 'a/p1', 'n2', 'h0');
  });

  it('a pod of a ReplicaSet the ghost never saw violates spec-fidelity', () => {
    const obs = healthy({ pods: [pod('a/p1', { ownerUid: 'u-unknown' })] });
    expectFails(specFidelity.check(obs), 'a/p1', 'u-unknown', 'no known template');
  });
});

describe('no-leaked-sandbox', () => {
  it('holds when every sandbox is cached by its kubelet or bound to its node in the API', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [stage('kubelet/n1', [podEntry('a/p2', { node: 'n1', state: 'exposing' })])],
      kubelets: [kubelet('n1', ['a/p1', 'a/p2'])],
    });
    expectHolds(noLeakedSandbox.check(obs));
  });

  it('a sandbox its serving kubelet forgot and the API does not bind there is leaked', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n2' })],
      stages: [stage('kubelet/n1')],
      kubelets: [kubelet('n1', ['a/p1'])],
    });
    expectFails(noLeakedSandbox.check(obs), 'a/p1', 'n1');
  });

  it('a crashed kubelet is not asked about its sandboxes', () => {
    const obs = healthy({
      stages: [stage('kubelet/n1', [], { up: false, phase: 'down' })],
      kubelets: [kubelet('n1', ['a/p1'])],
    });
    expectHolds(noLeakedSandbox.check(obs));
  });
});
