import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { collectAll, must, seedFunction, virtualClock } from './fixtures.js';

const setup = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  const expose = (name: string, node: string) =>
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, name, node, clock.now()),
      }),
    );
  return { api, clock, fn, expose };
};

const deletePod = (name: string, extra: { gracePeriodSeconds?: number } = {}) =>
  ({ verb: 'delete', kind: 'Pod', namespace: 'a', name, ...extra }) as const;

describe('pod deletion', () => {
  it('marks a bound pod deleting (deletionTimestamp = now + grace) and keeps it', () => {
    const { api, clock, expose } = setup();
    expose('p1', 'n1');
    clock.advance(500);
    const marked = must(api.handle(deletePod('p1')));
    expect(marked.metadata?.deletionTimestamp).toEqual(new Date(500 + 300_000));
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(300);
    expect(api.lookup('Pod', 'a', 'p1')).toBe(marked);
  });

  it('removes the pod when its kubelet deletes it again with grace period 0', () => {
    const { api, expose } = setup();
    expose('p1', 'n1');
    must(api.handle(deletePod('p1')));
    const again = must(api.handle(deletePod('p1')));
    expect(api.lookup('Pod', 'a', 'p1')).toBe(again);
    const removed = must(api.handle(deletePod('p1', { gracePeriodSeconds: 0 })));
    expect(api.lookup('Pod', 'a', 'p1')).toBeUndefined();
    expect(removed.metadata?.resourceVersion).toBe(String(api.resourceVersion));
    expect(api.handle(deletePod('p1'))).toMatchObject({ code: 404 });
  });

  it('removes an unbound pod at once', () => {
    const { api, fn } = setup();
    must(api.handle(deletePod(fn.templatePod.metadata.name)));
    expect(api.lookup('Pod', 'a', fn.templatePod.metadata.name)).toBeUndefined();
  });

  it('refuses a delete whose uid or resourceVersion precondition fails, with 409', () => {
    const { api, expose } = setup();
    const pod = expose('p1', 'n1');
    const wrongUid = api.handle({ ...deletePod('p1'), preconditions: { uid: 'u999' } });
    expect(wrongUid).toMatchObject({ ok: false, code: 409, cause: 'UidPrecondition' });
    const wrongRv = api.handle({ ...deletePod('p1'), preconditions: { resourceVersion: '1' } });
    expect(wrongRv).toMatchObject({ ok: false, code: 409, cause: 'ResourceVersionPrecondition' });
    const right = api.handle({
      ...deletePod('p1'),
      gracePeriodSeconds: 0,
      preconditions: {
        uid: pod.metadata?.uid ?? '',
        resourceVersion: pod.metadata?.resourceVersion ?? '',
      },
    });
    expect(right.ok).toBe(true);
  });

  it('lets status patches through while the pod is deleting', () => {
    const { api, expose } = setup();
    expose('p1', 'n1');
    must(api.handle(deletePod('p1')));
    const patched = api.handle({
      verb: 'patch',
      kind: 'Pod',
      namespace: 'a',
      name: 'p1',
      subresource: 'status',
      patch: { status: { phase: 'Running' } },
    });
    expect(patched.ok).toBe(true);
    expect(api.lookup('Pod', 'a', 'p1')?.metadata?.deletionTimestamp).toBeDefined();
  });
});

describe('owner deletion', () => {
  it('removes a ReplicaSet at once with Background propagation', () => {
    const { api, fn } = setup();
    must(
      api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: fn.replicaSet.metadata.name,
      }),
    );
    expect(api.count('ReplicaSet')).toBe(0);
    expect(api.pendingGc()).toBe(1);
  });

  it('keeps a Deployment deleting with Foreground propagation until its dependents are gone', () => {
    const { api, fn, expose } = setup();
    expose('p1', 'n1');
    const deleting = must(
      api.handle({
        verb: 'delete',
        kind: 'Deployment',
        namespace: 'a',
        name: 'fn',
        propagationPolicy: 'Foreground',
      }),
    );
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.finalizers).toEqual(['foregroundDeletion']);
    collectAll(api);
    // The ReplicaSet waits (foreground) for its pod, which waits for its kubelet.
    expect(
      api.lookup('ReplicaSet', 'a', fn.replicaSet.metadata.name)?.metadata?.deletionTimestamp,
    ).toBeDefined();
    expect(api.lookup('Pod', 'a', 'p1')?.metadata?.deletionTimestamp).toBeDefined();
    expect(api.lookup('Pod', 'a', fn.templatePod.metadata.name)).toBeUndefined();
    expect(api.lookup('Deployment', 'a', 'fn')).toBeDefined();
    must(api.handle(deletePod('p1', { gracePeriodSeconds: 0 })));
    collectAll(api);
    expect(api.count('ReplicaSet')).toBe(0);
    expect(api.count('Deployment')).toBe(0);
    expect(api.pendingGc()).toBe(0);
  });

  it('only marks an object held by a finalizer, and removes it when the last finalizer goes', () => {
    const { api } = setup();
    const held = {
      metadata: { name: 'held', namespace: 'a', finalizers: ['example.com/hold'] },
      spec: { containers: [] },
    };
    must(api.handle({ verb: 'create', kind: 'Pod', object: held }));
    const marked = must(api.handle(deletePod('held')));
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    const watch = api.watch('w', { kind: 'Pod' });
    must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name: 'held',
        patch: { metadata: { finalizers: null } },
      }),
    );
    expect(api.lookup('Pod', 'a', 'held')).toBeUndefined();
    expect(watch.queue.toArray().map((e) => e.type)).toEqual(['DELETED']);
  });
});
