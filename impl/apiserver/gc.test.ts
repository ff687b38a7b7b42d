import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { collectAll, must, seedFunction, seedNodes, virtualClock } from './fixtures.js';

const setup = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  const expose = (name: string, node: string) =>
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, name, node, 0),
      }),
    );
  return { api, fn, expose };
};

describe('owner-reference garbage collection', () => {
  it('does nothing until the runtime runs it, then collects every dependent of a deleted Deployment', () => {
    const { api, fn, expose } = setup();
    expose('p1', 'n1');
    must(api.handle({ verb: 'delete', kind: 'Deployment', namespace: 'a', name: 'fn' }));
    expect(api.count('ReplicaSet')).toBe(1);
    expect(api.pendingGc()).toBe(1);
    const report = api.collectGarbage();
    expect(report.ok).toBe(true);
    expect(api.count('ReplicaSet')).toBe(0);
    // One level per sweep: the ReplicaSet's dependents wait for the next one.
    expect(api.lookup('Pod', 'a', fn.templatePod.metadata.name)).toBeDefined();
    const next = collectAll(api);
    expect(api.lookup('Pod', 'a', fn.templatePod.metadata.name)).toBeUndefined();
    // The bound pod is deleted gracefully: its kubelet must stop the sandbox first.
    expect(api.lookup('Pod', 'a', 'p1')?.metadata?.deletionTimestamp).toBeDefined();
    expect(api.pendingGc()).toBe(0);
    expect([...report.requests, ...next].map((r) => `${r.request.verb} ${r.request.kind}`)).toEqual(
      ['delete ReplicaSet', 'delete Pod', 'delete Pod'],
    );
  });

  it('accounts its requests to the garbage-collector client', () => {
    const { api } = setup();
    must(api.handle({ verb: 'delete', kind: 'Deployment', namespace: 'a', name: 'fn' }));
    collectAll(api);
    expect(api.stats().byClient['garbage-collector']?.count).toBe(2);
  });

  it('collects an object created later with a dangling owner reference', () => {
    const { api, fn } = setup();
    must(
      api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: fn.replicaSet.metadata.name,
      }),
    );
    api.collectGarbage();
    // A late expose of an orphan: Kubernetes accepts it (no owner check on create), and
    // the garbage collector deletes it at its next sweep.
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'late', 'n1', 0),
      }),
    );
    expect(api.pendingGc()).toBe(1);
    api.collectGarbage();
    expect(api.lookup('Pod', 'a', 'late')?.metadata?.deletionTimestamp).toBeDefined();
    // Its kubelet's writes to the deleting orphan queue no further work.
    const patch = { status: { phase: 'Running' } };
    must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name: 'late',
        subresource: 'status',
        patch,
      }),
    );
    expect(api.pendingGc()).toBe(0);
  });

  it('collects a dependent created while its owner is deleting in the foreground', () => {
    const { api, fn, expose } = setup();
    // A pod on a node is deleted gracefully, so the owner stays (foreground) after a sweep.
    expose('p1', 'n1');
    const rs = fn.replicaSet.metadata.name;
    const del = { verb: 'delete', kind: 'ReplicaSet', namespace: 'a', name: rs } as const;
    must(api.handle({ ...del, propagationPolicy: 'Foreground' }));
    collectAll(api);
    expect(api.lookup('ReplicaSet', 'a', rs)?.metadata?.deletionTimestamp).toBeDefined();
    expect(api.pendingGc()).toBe(0);
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'late', 'n1', 0),
      }),
    );
    expect(api.pendingGc()).toBe(1);
    api.collectGarbage();
    expect(api.lookup('Pod', 'a', 'late')?.metadata?.deletionTimestamp).toBeDefined();
  });

  it('keeps a dependent that still has a live owner', () => {
    const { api, fn } = setup();
    const other = seedFunction(api, { namespace: 'a', name: 'other' });
    const shared: V1Pod = {
      metadata: {
        name: 'shared',
        namespace: 'a',
        ownerReferences: [
          ...(fn.templatePod.metadata.ownerReferences ?? []),
          ...(other.templatePod.metadata.ownerReferences ?? []),
        ],
      },
      spec: { containers: [] },
    };
    must(api.handle({ verb: 'create', kind: 'Pod', object: shared }));
    must(
      api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: fn.replicaSet.metadata.name,
      }),
    );
    api.collectGarbage();
    expect(api.lookup('Pod', 'a', 'shared')).toBeDefined();
  });

  it('waits during an outage and collects once the API Server is back', () => {
    const { api } = setup();
    must(api.handle({ verb: 'delete', kind: 'Deployment', namespace: 'a', name: 'fn' }));
    api.setAvailable(false);
    expect(api.collectGarbage().ok).toBe(false);
    expect(api.pendingGc()).toBe(1);
    api.setAvailable(true);
    api.collectGarbage();
    expect(api.count('ReplicaSet')).toBe(0);
  });

  it('force-deletes the pods of a deleted Node (pod GC)', () => {
    const { api, expose } = setup();
    seedNodes(api, ['n1', 'n2'], 5);
    expose('p1', 'n1');
    expose('p2', 'n2');
    must(api.handle({ verb: 'delete', kind: 'Node', namespace: '', name: 'n1' }));
    expect(api.pendingGc()).toBe(1);
    api.collectGarbage();
    expect(api.lookup('Pod', 'a', 'p1')).toBeUndefined();
    expect(api.lookup('Pod', 'a', 'p2')).toBeDefined();
  });
});
