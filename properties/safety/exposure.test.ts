import { describe, it } from 'vitest';
import type { AppliedEvent } from '../../spec/types/observation.js';
import { healthy, kubelet, pod, podEntry, sandbox, stage } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { noLeakedSandbox, noOrphanExposure, specFidelity } from './exposure.js';

type ApiEvent = Extract<AppliedEvent, { kind: 'api' }>;

const expose = (key: string, outcome: 'ok' | 'outage' = 'ok'): ApiEvent => ({
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

  it('an orphan exposed from a lagging informer is allowed: the API accepts it, GC collects it', () => {
    const before = healthy({ replicaSets: [] });
    const after = healthy({ replicaSets: [], pods: [pod('a/p1')], events: [expose('a/p1')] });
    expectHolds(noOrphanExposure.check(before, after));
  });

  it("exposing after the exposer's informer showed the owner gone violates it", () => {
    const before = healthy({ replicaSets: [] });
    const seen: AppliedEvent = { ...expose('a/p1'), ownerSeenGone: true };
    const after = healthy({ replicaSets: [], pods: [pod('a/p1')], events: [seen] });
    expectFails(noOrphanExposure.check(before, after), 'kubelet/n1', 'a/p1', 'a/fn-h1', 'gone');
  });

  it('the scheduler (fallback binding) is judged as an exposer too', () => {
    const seen: AppliedEvent = { ...expose('a/p1'), actor: 'scheduler', ownerSeenGone: true };
    const after = healthy({ pods: [pod('a/p1')], events: [seen] });
    expectFails(noOrphanExposure.check(healthy(), after), 'scheduler', 'a/p1');
  });

  it('a create by the ReplicaSet controller (the API path) is not an exposure', () => {
    const create: AppliedEvent = {
      kind: 'api',
      actor: 'replicaset',
      verb: 'create',
      resource: 'pod',
      key: 'a/p1',
      outcome: 'ok',
      retry: false,
      ownerSeenGone: true,
    };
    const after = healthy({ replicaSets: [], pods: [pod('a/p1')], events: [create] });
    expectHolds(noOrphanExposure.check(healthy(), after));
  });

  it('a create that failed in an outage exposes nothing', () => {
    const seen: AppliedEvent = { ...expose('a/p1', 'outage'), ownerSeenGone: true };
    const after = healthy({ templatePods: [], events: [seen] });
    expectHolds(noOrphanExposure.check(healthy(), after));
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
