/**
 * Issue 14's done-when for writes: every intent a stage emits gives the same `api.done`
 * (outcome, object view, resourceVersion, Lease) and leaves the same stored objects whether
 * the sim runtime hands its request to the in-memory API Server in process or the
 * client-node adapter sends it to that server's HTTP endpoint: successes, conflicts,
 * notFound, failed preconditions and outages, for every kind of intent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageId } from '../../../spec/types/ids.js';
import type { ApiServer, SeededFunction } from '../../apiserver/index.js';
import type { ApiIntent, ApiOutcome } from '../../stages/io.js';
import { materialisePod, podFromReplicaSet } from '../builders.js';
import { kubeConfigFor } from '../client.js';
import { createKubeAdapter } from './adapter.js';
import { storeOf, Twin } from './testing.js';

const open: Twin[] = [];

afterEach(async () => {
  for (const twin of open.splice(0)) await twin.close();
});

type Step =
  | { readonly intent: ApiIntent | ((api: ApiServer) => ApiIntent); readonly outcome: ApiOutcome }
  | { readonly write: (api: ApiServer) => void }
  | { readonly stopInformers: true };

interface Case {
  readonly name: string;
  readonly stage: StageId;
  readonly given?: (api: ApiServer, fn: SeededFunction) => void;
  readonly steps: (fn: SeededFunction) => Step[];
}

const DEPLOYMENT = 'a/fn';
const rsKey = (fn: SeededFunction) => `a/${fn.replicaSet.metadata.name}`;
const templateKey = (fn: SeededFunction) => `a/${fn.templatePod.metadata.name}`;

const pod = (api: ApiServer, name: string) => api.lookup('Pod', 'a', name);
const uidOf = (api: ApiServer, name: string) => pod(api, name)?.metadata?.uid ?? '';
const rvOf = (api: ApiServer, kind: 'Pod' | 'Deployment' | 'ReplicaSet' | 'Lease', key: string) => {
  const [namespace = '', name = ''] = key.split('/');
  return Number(api.lookup(kind, namespace, name)?.metadata?.resourceVersion);
};

/** A pod of the function on `node` (unbound when null), created by the user. */
const podOn = (name: string, node: string | null) => (api: ApiServer, fn: SeededFunction) => {
  const object =
    node === null
      ? podFromReplicaSet(fn.replicaSet, 0, name)
      : materialisePod(fn.templatePod, name, node, 0);
  const response = api.handle({ verb: 'create', kind: 'Pod', object, client: 'user' });
  if (!response.ok) throw new Error(response.message);
};

const both =
  (...givens: ((api: ApiServer, fn: SeededFunction) => void)[]) =>
  (api: ApiServer, fn: SeededFunction) => {
    for (const given of givens) given(api, fn);
  };

const CASES: Case[] = [
  {
    name: 'scaleDeployment through the scale subresource: ok, notFound, an invalid count',
    stage: 'autoscaler',
    steps: () => [
      { intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: 3 }, outcome: 'ok' },
      { intent: { op: 'scaleDeployment', key: 'a/gone', replicas: 3 }, outcome: 'notFound' },
      { intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: -1 }, outcome: 'conflict' },
    ],
  },
  {
    name: 'scaleDeployment written back with a version, under a resourceVersion precondition',
    stage: 'deployment',
    steps: () => [
      {
        intent: (api) => ({
          op: 'scaleDeployment',
          key: DEPLOYMENT,
          replicas: 2,
          version: 4,
          resourceVersion: rvOf(api, 'Deployment', DEPLOYMENT),
        }),
        outcome: 'ok',
      },
      {
        intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: 5, version: 5 },
        outcome: 'ok',
      },
      {
        intent: (api) => ({
          op: 'scaleDeployment',
          key: DEPLOYMENT,
          replicas: 6,
          version: 6,
          resourceVersion: rvOf(api, 'Deployment', DEPLOYMENT) - 1,
        }),
        outcome: 'conflict',
      },
    ],
  },
  {
    name: 'scaleReplicaSet: ok, a stale copy is a conflict, a missing one notFound',
    stage: 'deployment',
    steps: (fn) => [
      {
        intent: (api) => ({
          op: 'scaleReplicaSet',
          key: rsKey(fn),
          replicas: 3,
          version: 1,
          resourceVersion: rvOf(api, 'ReplicaSet', rsKey(fn)),
        }),
        outcome: 'ok',
      },
      {
        intent: (api) => ({
          op: 'scaleReplicaSet',
          key: rsKey(fn),
          replicas: 4,
          version: 2,
          resourceVersion: rvOf(api, 'ReplicaSet', rsKey(fn)) - 1,
        }),
        outcome: 'conflict',
      },
      {
        intent: { op: 'scaleReplicaSet', key: 'a/gone', replicas: 1, version: 1 },
        outcome: 'notFound',
      },
    ],
  },
  {
    name: 'the status subresources of ReplicaSets and Deployments, merge-patched',
    stage: 'deployment',
    steps: (fn) => [
      {
        intent: { op: 'replicaSetStatus', key: rsKey(fn), replicas: 2, readyReplicas: 1 },
        outcome: 'ok',
      },
      {
        intent: { op: 'deploymentStatus', key: DEPLOYMENT, replicas: 2, readyReplicas: 1 },
        outcome: 'ok',
      },
      {
        intent: { op: 'replicaSetStatus', key: 'a/gone', replicas: 0, readyReplicas: 0 },
        outcome: 'notFound',
      },
    ],
  },
  {
    name: 'createPod from the ReplicaSet in the informer: ok, alreadyExists, an unknown owner',
    stage: 'replicaset',
    steps: (fn) => [
      { intent: { op: 'createPod', key: 'a/fn-p1', ownerKey: rsKey(fn) }, outcome: 'ok' },
      {
        intent: { op: 'createPod', key: 'a/fn-p1', ownerKey: rsKey(fn) },
        outcome: 'alreadyExists',
      },
      { intent: { op: 'createPod', key: 'a/fn-p2', ownerKey: 'a/gone' }, outcome: 'notFound' },
    ],
  },
  {
    name: 'deletePod under uid and resourceVersion preconditions',
    stage: 'replicaset',
    given: both(podOn('p1', 'n1'), podOn('p2', 'n1')),
    steps: () => [
      {
        intent: { op: 'deletePod', key: 'a/p1', uid: 'not-the-uid' },
        outcome: 'precondition',
      },
      {
        intent: (api) => ({
          op: 'deletePod',
          key: 'a/p1',
          uid: uidOf(api, 'p1'),
          resourceVersion: rvOf(api, 'Pod', 'a/p1') - 1,
        }),
        outcome: 'precondition',
      },
      {
        intent: (api) => ({
          op: 'deletePod',
          key: 'a/p1',
          uid: uidOf(api, 'p1'),
          resourceVersion: rvOf(api, 'Pod', 'a/p1'),
        }),
        outcome: 'ok',
      },
      { intent: (api) => ({ op: 'deletePod', key: 'a/p2', uid: uidOf(api, 'p2') }), outcome: 'ok' },
      { intent: { op: 'deletePod', key: 'a/gone', uid: 'u' }, outcome: 'notFound' },
    ],
  },
  {
    name: 'bindPod: ok, a bound pod is a conflict, a missing one notFound',
    stage: 'scheduler',
    given: podOn('fn-p1', null),
    steps: () => [
      { intent: { op: 'bindPod', key: 'a/fn-p1', node: 'n1' }, outcome: 'ok' },
      { intent: { op: 'bindPod', key: 'a/fn-p1', node: 'n2' }, outcome: 'conflict' },
      { intent: { op: 'bindPod', key: 'a/gone', node: 'n1' }, outcome: 'notFound' },
    ],
  },
  {
    name: "exposePod from the scheduler's template informer (fallback binding)",
    stage: 'scheduler',
    steps: (fn) => [
      {
        intent: {
          op: 'exposePod',
          key: 'a/p1',
          templateKey: templateKey(fn),
          node: 'n2',
          ownerKey: rsKey(fn),
        },
        outcome: 'ok',
      },
      {
        intent: {
          op: 'exposePod',
          key: 'a/p2',
          templateKey: 'a/gone',
          node: 'n2',
          ownerKey: rsKey(fn),
        },
        outcome: 'notFound',
      },
    ],
  },
  {
    name: "the kubelet's expose, then its pod marked Ready by patch and by whole update",
    stage: 'kubelet/n1',
    steps: (fn) => {
      const expose = (key: string) => ({
        op: 'exposePod' as const,
        key,
        templateKey: templateKey(fn),
        node: 'n1',
        ownerKey: rsKey(fn),
      });
      return [
        { intent: expose('a/p1'), outcome: 'ok' },
        { intent: expose('a/p1'), outcome: 'alreadyExists' },
        { intent: expose('a/p2'), outcome: 'ok' },
        { intent: { op: 'markReady', key: 'a/p1', wholeObject: false }, outcome: 'ok' },
        { intent: { op: 'markReady', key: 'a/p2', wholeObject: true }, outcome: 'ok' },
        { intent: { op: 'markReady', key: 'a/gone', wholeObject: false }, outcome: 'notFound' },
      ];
    },
  },
  {
    name: 'markReady on a stale copy: a whole update conflicts, a patch applies',
    stage: 'kubelet/n1',
    given: both(podOn('p1', 'n1'), podOn('p2', 'n1')),
    steps: () => [
      { stopInformers: true },
      {
        write: (api) => {
          for (const name of ['p1', 'p2']) {
            const patch = { metadata: { labels: { touched: 'yes' } } };
            api.handle({ verb: 'patch', kind: 'Pod', namespace: 'a', name, patch });
          }
        },
      },
      { intent: { op: 'markReady', key: 'a/p1', wholeObject: true }, outcome: 'conflict' },
      { intent: { op: 'markReady', key: 'a/p2', wholeObject: false }, outcome: 'ok' },
    ],
  },
  {
    name: "removePod: the kubelet's final delete with grace period 0, under the uid",
    stage: 'kubelet/n1',
    given: podOn('p1', 'n1'),
    steps: () => [
      { intent: (api) => ({ op: 'deletePod', key: 'a/p1', uid: uidOf(api, 'p1') }), outcome: 'ok' },
      { intent: { op: 'removePod', key: 'a/p1', uid: 'not-the-uid' }, outcome: 'precondition' },
      { intent: (api) => ({ op: 'removePod', key: 'a/p1', uid: uidOf(api, 'p1') }), outcome: 'ok' },
      { intent: { op: 'removePod', key: 'a/p1', uid: 'any' }, outcome: 'notFound' },
    ],
  },
  {
    name: 'quorum reads of every kind, and the API resourceVersion',
    stage: 'deployment',
    given: podOn('p1', 'n1'),
    steps: (fn) => [
      { intent: { op: 'get', kind: 'Deployment', key: DEPLOYMENT }, outcome: 'ok' },
      { intent: { op: 'get', kind: 'ReplicaSet', key: rsKey(fn) }, outcome: 'ok' },
      { intent: { op: 'get', kind: 'TemplatePod', key: templateKey(fn) }, outcome: 'ok' },
      { intent: { op: 'get', kind: 'Pod', key: 'a/p1' }, outcome: 'ok' },
      { intent: { op: 'get', kind: 'Node', key: 'n2' }, outcome: 'ok' },
      { intent: { op: 'get', kind: 'Deployment', key: 'a/gone' }, outcome: 'notFound' },
      {
        intent: { op: 'readResourceVersion', key: 'deployment->replicaset', epoch: 'e' },
        outcome: 'ok',
      },
    ],
  },
  {
    name: 'a Lease read, created, taken under its resourceVersion, and lost to a stale one',
    stage: 'replicaset',
    steps: () => {
      const key = 'kube-system/kd-replicaset';
      const take = (transitions: number, resourceVersion: number | null) => ({
        op: 'takeLease' as const,
        key,
        holder: 'replicaset',
        transitions,
        resourceVersion,
      });
      return [
        { intent: { op: 'getLease', key }, outcome: 'notFound' },
        { intent: take(1, null), outcome: 'ok' },
        { intent: take(1, null), outcome: 'alreadyExists' },
        { intent: { op: 'getLease', key }, outcome: 'ok' },
        { intent: (api) => take(2, rvOf(api, 'Lease', key)), outcome: 'ok' },
        { intent: (api) => take(3, rvOf(api, 'Lease', key) - 1), outcome: 'conflict' },
      ];
    },
  },
  {
    name: 'every kind of intent during an outage (503) is an outage, and writes nothing',
    stage: 'kubelet/n1',
    given: podOn('p1', 'n1'),
    steps: (fn) => [
      { write: (api) => api.setAvailable(false) },
      { intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: 2 }, outcome: 'outage' },
      {
        intent: { op: 'scaleReplicaSet', key: rsKey(fn), replicas: 2, version: 1 },
        outcome: 'outage',
      },
      {
        intent: { op: 'replicaSetStatus', key: rsKey(fn), replicas: 1, readyReplicas: 1 },
        outcome: 'outage',
      },
      {
        intent: {
          op: 'exposePod',
          key: 'a/p2',
          templateKey: templateKey(fn),
          node: 'n1',
          ownerKey: rsKey(fn),
        },
        outcome: 'outage',
      },
      { intent: { op: 'createPod', key: 'a/p3', ownerKey: rsKey(fn) }, outcome: 'outage' },
      { intent: { op: 'bindPod', key: 'a/p1', node: 'n1' }, outcome: 'outage' },
      { intent: { op: 'markReady', key: 'a/p1', wholeObject: false }, outcome: 'outage' },
      {
        intent: (api) => ({ op: 'removePod', key: 'a/p1', uid: uidOf(api, 'p1') }),
        outcome: 'outage',
      },
      { intent: { op: 'get', kind: 'Pod', key: 'a/p1' }, outcome: 'outage' },
      {
        intent: { op: 'readResourceVersion', key: 'kubelet/n1->scheduler', epoch: 'e' },
        outcome: 'outage',
      },
      { intent: { op: 'getLease', key: 'kube-system/x' }, outcome: 'outage' },
      {
        intent: {
          op: 'takeLease',
          key: 'kube-system/x',
          holder: 'h',
          transitions: 1,
          resourceVersion: null,
        },
        outcome: 'outage',
      },
      { write: (api) => api.setAvailable(true) },
      { intent: { op: 'markReady', key: 'a/p1', wholeObject: false }, outcome: 'ok' },
    ],
  },
];

describe('the adapter over HTTP and the sim in process make the same writes', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const twin = await Twin.start({
      stage: testCase.stage,
      ...(testCase.given ? { given: testCase.given } : {}),
    });
    open.push(twin);
    await twin.startInformers();
    for (const step of testCase.steps(twin.fn)) {
      if ('write' in step) await twin.write(step.write);
      else if ('stopInformers' in step) twin.stopInformers();
      else {
        const [simDone, httpDone] = await twin.request(step.intent);
        expect(httpDone).toEqual(simDone);
        expect(simDone?.outcome).toBe(step.outcome);
      }
    }
    expect(storeOf(twin.http.api)).toEqual(storeOf(twin.sim.api));
    expect(twin.http.events).toEqual(twin.sim.events);
  });
});

describe('the adapter without an answer', () => {
  it('reports a refused connection as an outage', async () => {
    const twin = await Twin.start({ stage: 'autoscaler' });
    open.push(twin);
    await twin.http.endpoint.close();
    const done = await twin.http.adapter.request({
      type: 'api',
      id: 1,
      intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: 1 },
    });
    expect(done).toEqual({
      type: 'api.done',
      id: 1,
      intent: { op: 'scaleDeployment', key: DEPLOYMENT, replicas: 1 },
      outcome: 'outage',
    });
  });

  it('reports a request unanswered within its timeout as an outage', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const adapter = createKubeAdapter({
        kubeConfig: kubeConfigFor(`http://127.0.0.1:${port}`),
        stage: 'autoscaler',
        requestTimeoutMs: 50,
      });
      const intent = { op: 'get', kind: 'Deployment', key: DEPLOYMENT } as const;
      const done = await adapter.request({ type: 'api', id: 7, intent });
      expect(done.outcome).toBe('outage');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
