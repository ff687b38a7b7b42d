import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiServer } from '../apiserver/api-server.js';
import { must, seedFunction, virtualClock } from '../apiserver/fixtures.js';
import {
  functionDeployment,
  materialisePod,
  podFromReplicaSet,
  replicaSetFor,
} from './builders.js';
import { templateHash } from './hash.js';
import { knativeTemplate } from './knative.js';
import { buildNode } from './node.js';

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

const seeded = (
  options: { fallbackBinding?: boolean; fallbackScaling?: boolean; replicasVersion?: number } = {},
) => {
  const api = new ApiServer({ now: virtualClock(5_000).now, freezeObjects: true });
  return {
    api,
    ...seedFunction(api, { namespace: 'a', name: 'fn', replicas: 3 }, { replicas: 3, ...options }),
  };
};

describe('realistic objects', () => {
  it('makes a materialised Knative pod of 16–18 KB of JSON, as stored and as sent', () => {
    const { api, templatePod } = seeded();
    const sent = materialisePod(templatePod, 'fn-abc12', 'n1', 6_000);
    const stored = must(api.handle({ verb: 'create', kind: 'Pod', object: sent }));
    for (const pod of [sent, stored]) {
      expect(jsonBytes(pod)).toBeGreaterThanOrEqual(16_000);
      expect(jsonBytes(pod)).toBeLessThanOrEqual(18_000);
    }
  });

  it('gives the pod template a user-container and a queue-proxy as Knative Serving does', () => {
    const spec = knativeTemplate({ namespace: 'a', name: 'fn' }).spec;
    expect(spec?.containers.map((c) => c.name)).toEqual(['user-container', 'queue-proxy']);
    const queue = spec?.containers[1];
    expect(queue?.readinessProbe?.httpGet?.httpHeaders).toEqual([
      { name: 'K-Network-Probe', value: 'queue' },
    ]);
    expect(queue?.env?.find((e) => e.name === 'SERVING_REVISION')?.value).toBe('fn-00001');
    expect(spec?.containers[0]?.ports).toEqual([
      { containerPort: 8080, name: 'user-port', protocol: 'TCP' },
    ]);
  });

  it('builds identical objects for identical inputs', () => {
    expect(JSON.stringify(functionDeployment({ namespace: 'a', name: 'fn' }))).toBe(
      JSON.stringify(functionDeployment({ namespace: 'a', name: 'fn' })),
    );
  });

  it('sizes a Node and a Deployment realistically', () => {
    expect(jsonBytes(buildNode('n1', { allocatablePods: 5 }, 0))).toBeGreaterThan(1_500);
    expect(jsonBytes(functionDeployment({ namespace: 'a', name: 'fn' }))).toBeGreaterThan(8_000);
  });
});

describe('template hash', () => {
  it('is equal for equal templates and differs when a container changes', () => {
    const a = knativeTemplate({ namespace: 'a', name: 'fn' });
    const b = knativeTemplate({ namespace: 'a', name: 'fn' });
    expect(templateHash(a)).toBe(templateHash(b));
    const containers = b.spec?.containers ?? [];
    const changed = {
      ...b,
      spec: {
        ...b.spec,
        containers: [
          { ...containers[0], name: 'user-container', image: 'other:1' },
          ...containers.slice(1),
        ],
      },
    };
    expect(templateHash(changed)).not.toBe(templateHash(a));
  });

  it('ignores key order, the node binding and kubedirect/* labels', () => {
    const a = knativeTemplate({ namespace: 'a', name: 'fn' });
    const reordered = {
      ...a,
      metadata: { labels: Object.fromEntries(Object.entries(a.metadata?.labels ?? {}).reverse()) },
    };
    expect(templateHash(reordered)).toBe(templateHash(a));
    const bound = {
      metadata: { labels: { ...a.metadata?.labels, 'kubedirect/persistent': 'true' } },
      spec: { ...a.spec, containers: a.spec?.containers ?? [], nodeName: 'n1' },
    };
    expect(templateHash(bound)).toBe(templateHash(a));
  });

  it('follows the labels of a template that shares its spec with another (the memo)', () => {
    const a = knativeTemplate({ namespace: 'a', name: 'fn' });
    const relabelled = { ...a, metadata: { labels: { ...a.metadata?.labels, app: 'other' } } };
    const first = templateHash(a);
    expect(templateHash(relabelled)).not.toBe(first);
    expect(templateHash(a)).toBe(first);
    const sameLabels = { ...a, metadata: { labels: { ...a.metadata?.labels } } };
    expect(templateHash(sameLabels)).toBe(first);
  });

  it('is shared by the Deployment, its ReplicaSet, the template Pod and every materialised pod', () => {
    const { deployment, replicaSet, templatePod } = seeded();
    const hash = templateHash(deployment.spec?.template ?? {});
    expect(templateHash(replicaSet.spec?.template ?? {})).toBe(hash);
    expect(templateHash(templatePod)).toBe(hash);
    expect(templateHash(materialisePod(templatePod, 'p', 'n1', 0))).toBe(hash);
    expect(templateHash(podFromReplicaSet(replicaSet, 0))).toBe(hash);
  });
});

describe('ReplicaSet and template Pod', () => {
  it('names the ReplicaSet after the template hash and points it at its Deployment', () => {
    const { deployment, replicaSet } = seeded({ fallbackScaling: true, replicasVersion: 7 });
    const hash = replicaSet.metadata.labels?.['pod-template-hash'];
    expect(replicaSet.metadata.name).toBe(`fn-${hash}`);
    expect(replicaSet.spec?.template?.metadata?.labels?.['pod-template-hash']).toBe(hash);
    expect(replicaSet.spec?.selector.matchLabels?.['pod-template-hash']).toBe(hash);
    expect(replicaSet.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        blockOwnerDeletion: true,
        controller: true,
        kind: 'Deployment',
        name: 'fn',
        uid: deployment.metadata.uid,
      },
    ]);
    expect(replicaSet.metadata.labels?.['kubedirect/managed']).toBe('true');
    expect(replicaSet.metadata.labels?.['kubedirect/fallback-scaling']).toBe('true');
    expect(replicaSet.metadata.annotations?.['kubedirect/replicas-version']).toBe('7');
  });

  it('keeps one never-scheduled template Pod per ReplicaSet, owned by it', () => {
    const { replicaSet, templatePod } = seeded({ fallbackBinding: true });
    expect(templatePod.metadata.name).toBe(`${replicaSet.metadata.name}-template`);
    expect(templatePod.metadata.labels?.['kubedirect/template']).toBe('true');
    expect(templatePod.metadata.labels?.['kubedirect/fallback-binding']).toBe('true');
    expect(templatePod.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      uid: replicaSet.metadata.uid,
    });
    expect(templatePod.spec?.nodeName).toBeUndefined();
    expect(templatePod.spec).toBe(replicaSet.spec?.template?.spec);
  });

  it('leaves the path labels off when not asked for', () => {
    const api = new ApiServer({ now: virtualClock().now });
    const fn = seedFunction(api, { namespace: 'a', name: 'fn', managed: false });
    expect(fn.deployment.metadata.labels?.['kubedirect/managed']).toBeUndefined();
    expect(fn.replicaSet.metadata.labels?.['kubedirect/managed']).toBeUndefined();
    expect(fn.replicaSet.metadata.labels?.['kubedirect/fallback-scaling']).toBeUndefined();
    expect(fn.templatePod.metadata.labels?.['kubedirect/fallback-binding']).toBeUndefined();
  });
});

describe('pods', () => {
  it('materialises a pod from the template: spec, labels, node, owner, persistent label', () => {
    const { replicaSet, templatePod } = seeded({ fallbackBinding: true });
    const pod = materialisePod(templatePod, 'fn-x1', 'n7', 1_234);
    expect(pod.metadata).toMatchObject({
      name: 'fn-x1',
      namespace: 'a',
      creationTimestamp: new Date(1_234),
    });
    expect(pod.spec?.nodeName).toBe('n7');
    expect(pod.spec?.containers).toBe(templatePod.spec?.containers);
    expect(pod.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'ReplicaSet',
        name: replicaSet.metadata.name,
        uid: replicaSet.metadata.uid,
        controller: true,
      }),
    ]);
    const labels = pod.metadata?.labels ?? {};
    expect(labels['kubedirect/persistent']).toBe('true');
    expect(labels['kubedirect/template']).toBeUndefined();
    expect(labels['kubedirect/fallback-binding']).toBeUndefined();
    expect(labels['pod-template-hash']).toBe(replicaSet.metadata.labels?.['pod-template-hash']);
    expect(pod.metadata?.managedFields?.[0]).toMatchObject({
      manager: 'kubelet',
      operation: 'Update',
      fieldsType: 'FieldsV1',
    });
  });

  it('builds the vanilla pod with generateName and no node', () => {
    const { replicaSet } = seeded();
    const pod = podFromReplicaSet(replicaSet, 0);
    expect(pod.metadata?.generateName).toBe(`${replicaSet.metadata.name}-`);
    expect(pod.metadata?.name).toBeUndefined();
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.metadata?.labels?.['kubedirect/persistent']).toBeUndefined();
    expect(podFromReplicaSet(replicaSet, 0, 'named').metadata?.name).toBe('named');
  });

  it('shares the template’s large parts between pods instead of copying them', () => {
    const { templatePod } = seeded();
    const pods: V1Pod[] = [1, 2, 3].map((i) => materialisePod(templatePod, `p${i}`, 'n1', 0));
    expect(pods[0]?.spec?.containers).toBe(pods[2]?.spec?.containers);
    expect(pods[0]?.metadata?.labels).toBe(pods[1]?.metadata?.labels);
    expect(pods[0]?.metadata?.managedFields?.[0]?.fieldsV1['f:metadata']['f:labels']).toBe(
      pods[1]?.metadata?.managedFields?.[0]?.fieldsV1['f:metadata']['f:labels'],
    );
  });

  it('builds a new ReplicaSet under a new name for a changed template', () => {
    const { deployment, replicaSet } = seeded();
    const template = knativeTemplate({ namespace: 'a', name: 'fn' });
    const changed = {
      ...template,
      metadata: { ...template.metadata, labels: { ...template.metadata?.labels, v: '2' } },
    };
    const next = replicaSetFor({
      ...deployment,
      spec: { ...deployment.spec, selector: deployment.spec?.selector ?? {}, template: changed },
    });
    expect(next.metadata?.name).not.toBe(replicaSet.metadata.name);
  });
});
