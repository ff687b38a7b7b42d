import type { V1Deployment, V1Pod, V1Scale } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { functionDeployment, materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, virtualClock } from './fixtures.js';
import type { ApiResponse } from './types.js';

const setup = () => {
  const clock = virtualClock(1_000);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  return { api, clock };
};

describe('create', () => {
  it('mints uid, resourceVersion, creationTimestamp and generation', () => {
    const { api } = setup();
    const d = must(
      api.handle({
        verb: 'create',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'a', name: 'fn' }),
      }),
    );
    expect(d.metadata?.uid).toBe('u1');
    expect(d.metadata?.resourceVersion).toBe('1');
    expect(d.metadata?.generation).toBe(1);
    expect(d.metadata?.creationTimestamp).toEqual(new Date(1_000));
    expect(d.status).toEqual({});
  });

  it('refuses a second object with the same name with 409 AlreadyExists', () => {
    const { api } = setup();
    const object = functionDeployment({ namespace: 'a', name: 'fn' });
    must(api.handle({ verb: 'create', kind: 'Deployment', object }));
    const again = api.handle({ verb: 'create', kind: 'Deployment', object });
    expect(again).toMatchObject({ ok: false, code: 409, reason: 'AlreadyExists' });
    expect(api.resourceVersion).toBe(1);
  });

  it('keeps the same name apart in two namespaces', () => {
    const { api } = setup();
    must(
      api.handle({
        verb: 'create',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'a', name: 'fn' }),
      }),
    );
    must(
      api.handle({
        verb: 'create',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'b', name: 'fn' }),
      }),
    );
    expect(api.count('Deployment')).toBe(2);
  });

  it('gives a new pod the Pending status whatever the client sent', () => {
    const { api } = setup();
    const { templatePod } = seedFunction(api, { namespace: 'a', name: 'fn' });
    const sent: V1Pod = {
      ...materialisePod(templatePod, 'p1', 'n1', 0),
      status: { phase: 'Running' },
    };
    const pod = must(api.handle({ verb: 'create', kind: 'Pod', object: sent }));
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
  });

  it('names a generateName object deterministically and uniquely', () => {
    const names = () => {
      const { api } = setup();
      const { replicaSet } = seedFunction(api, { namespace: 'a', name: 'fn' });
      const object: V1Pod = {
        metadata: { namespace: 'a', generateName: `${replicaSet.metadata.name}-` },
      };
      return [1, 2, 3].map(
        () => must(api.handle({ verb: 'create', kind: 'Pod', object })).metadata?.name,
      );
    };
    const first = names();
    expect(new Set(first).size).toBe(3);
    expect(first[0]).toMatch(/^fn-[a-z0-9]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(names()).toEqual(first);
  });
});

describe('get and list', () => {
  it('answers 404 NotFound for a missing object', () => {
    const { api } = setup();
    expect(api.handle({ verb: 'get', kind: 'Pod', namespace: 'a', name: 'nope' })).toMatchObject({
      ok: false,
      code: 404,
      reason: 'NotFound',
    });
  });

  it('lists by namespace, label selector and spec.nodeName, sorted by key', () => {
    const { api } = setup();
    const { templatePod } = seedFunction(api, { namespace: 'a', name: 'fn' });
    for (const [name, node] of [
      ['p2', 'n1'],
      ['p1', 'n2'],
      ['p3', 'n1'],
    ] as const) {
      must(
        api.handle({
          verb: 'create',
          kind: 'Pod',
          object: materialisePod(templatePod, name, node, 0),
        }),
      );
    }
    const names = (r: ApiResponse) => ('items' in r ? r.items.map((p) => p.metadata?.name) : r);
    expect(names(api.handle({ verb: 'list', kind: 'Pod', nodeName: 'n1' }))).toEqual(['p2', 'p3']);
    expect(names(api.handle({ verb: 'list', kind: 'Pod', nodeName: '' }))).toEqual([
      templatePod.metadata.name,
    ]);
    const persistent = { matchLabels: { 'kubedirect/persistent': 'true' } };
    expect(names(api.handle({ verb: 'list', kind: 'Pod', labelSelector: persistent }))).toEqual([
      'p1',
      'p2',
      'p3',
    ]);
    const notTemplate = {
      matchExpressions: [{ key: 'kubedirect/template', operator: 'DoesNotExist' }],
    };
    expect(
      names(api.handle({ verb: 'list', kind: 'Pod', namespace: 'a', labelSelector: notTemplate })),
    ).toEqual(['p1', 'p2', 'p3']);
    expect(names(api.handle({ verb: 'list', kind: 'Pod', namespace: 'b' }))).toEqual([]);
  });
});

describe('update', () => {
  const seeded = () => {
    const { api, clock } = setup();
    const d = must(
      api.handle({
        verb: 'create',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'a', name: 'fn' }),
      }),
    );
    return { api, clock, d };
  };
  const withReplicas = (d: V1Deployment, replicas: number): V1Deployment => ({
    ...d,
    spec: { ...(d.spec as NonNullable<V1Deployment['spec']>), replicas },
  });

  it('refuses a stale resourceVersion with 409 Conflict and changes nothing', () => {
    const { api, d } = seeded();
    must(api.handle({ verb: 'update', kind: 'Deployment', object: withReplicas(d, 2) }));
    const stale = api.handle({ verb: 'update', kind: 'Deployment', object: withReplicas(d, 5) });
    expect(stale).toMatchObject({
      ok: false,
      code: 409,
      reason: 'Conflict',
      cause: 'StaleResourceVersion',
    });
    expect(api.lookup('Deployment', 'a', 'fn')?.spec?.replicas).toBe(2);
  });

  it('answers 404 for an object that does not exist', () => {
    const { api, d } = seeded();
    const ghost = { ...d, metadata: { ...d.metadata, name: 'ghost' } };
    expect(api.handle({ verb: 'update', kind: 'Deployment', object: ghost })).toMatchObject({
      code: 404,
    });
  });

  it('increments generation on spec changes only', () => {
    const { api, d } = seeded();
    const scaled = must(
      api.handle({ verb: 'update', kind: 'Deployment', object: withReplicas(d, 3) }),
    );
    expect(scaled.metadata?.generation).toBe(2);
    const relabelled = must(
      api.handle({
        verb: 'update',
        kind: 'Deployment',
        object: { ...scaled, metadata: { ...scaled.metadata, labels: { x: 'y' } } },
      }),
    );
    expect(relabelled.metadata?.generation).toBe(2);
    expect(relabelled.metadata?.resourceVersion).not.toBe(scaled.metadata?.resourceVersion);
  });

  it('writes nothing for a no-op update', () => {
    const { api, d } = seeded();
    const same = must(api.handle({ verb: 'update', kind: 'Deployment', object: d }));
    expect(same).toBe(api.lookup('Deployment', 'a', 'fn'));
    expect(api.resourceVersion).toBe(1);
  });

  it('keeps server-owned metadata and status whatever the body says', () => {
    const { api, d } = seeded();
    const forged: V1Deployment = {
      ...d,
      metadata: { ...d.metadata, uid: 'forged', creationTimestamp: new Date(0), generation: 99 },
      status: { replicas: 7 },
    };
    const result = api.handle({ verb: 'update', kind: 'Deployment', object: forged });
    expect(result).toMatchObject({ ok: false, cause: 'UidPrecondition' });
    const { uid: _uid, ...withoutUid } = forged.metadata ?? {};
    const kept = must(
      api.handle({
        verb: 'update',
        kind: 'Deployment',
        object: { ...forged, metadata: withoutUid },
      }),
    );
    expect(kept.metadata).toMatchObject({
      uid: 'u1',
      creationTimestamp: new Date(1_000),
      generation: 1,
    });
    expect(kept.status).toEqual({});
  });

  it('changes only the status through the status subresource', () => {
    const { api, d } = seeded();
    const body = { ...withReplicas(d, 9), status: { replicas: 4 } };
    const result = must(
      api.handle({ verb: 'update', kind: 'Deployment', object: body, subresource: 'status' }),
    );
    expect(result.status).toEqual({ replicas: 4 });
    expect(result.spec?.replicas).toBe(0);
  });
});

describe('patch', () => {
  it('merges a JSON merge patch, sharing what it does not touch', () => {
    const { api } = setup();
    const { deployment } = seedFunction(api, { namespace: 'a', name: 'fn' });
    const patched = must(
      api.handle({
        verb: 'patch',
        kind: 'Deployment',
        namespace: 'a',
        name: 'fn',
        patch: {
          metadata: { labels: { 'kubedirect/managed': null, extra: 'yes' } },
          status: { replicas: 3 },
        },
      }),
    );
    expect(patched.metadata?.labels?.['kubedirect/managed']).toBeUndefined();
    expect(patched.metadata?.labels?.extra).toBe('yes');
    expect(patched.status).toEqual({});
    expect(patched.spec?.template).toBe(deployment.spec?.template);
  });

  it('applies only the status on the status subresource', () => {
    const { api } = setup();
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const patched = must(
      api.handle({
        verb: 'patch',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: api.objects('ReplicaSet')[0]?.metadata?.name ?? '',
        subresource: 'status',
        patch: { spec: { replicas: 9 }, status: { replicas: 2, readyReplicas: 1 } },
      }),
    );
    expect(patched.status).toEqual({ replicas: 2, readyReplicas: 1 });
    expect(patched.spec?.replicas).toBe(0);
    expect(patched.metadata?.generation).toBe(1);
  });

  it('scales through the scale subresource and answers with a Scale', () => {
    const { api } = setup();
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const result = api.handle({
      verb: 'patch',
      kind: 'Deployment',
      namespace: 'a',
      name: 'fn',
      subresource: 'scale',
      patch: { spec: { replicas: 4 } },
    });
    const scale: V1Scale = must(result);
    expect(scale).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 4 },
      metadata: { name: 'fn', uid: 'u1' },
    });
    expect(api.lookup('Deployment', 'a', 'fn')?.metadata?.generation).toBe(2);
    expect(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name: 'x',
        subresource: 'scale',
        patch: {},
      }),
    ).toMatchObject({ code: 404 });
  });

  it('treats a resourceVersion in the patch as a precondition', () => {
    const { api } = setup();
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const stale = api.handle({
      verb: 'patch',
      kind: 'Deployment',
      namespace: 'a',
      name: 'fn',
      patch: { metadata: { resourceVersion: '0' }, spec: { replicas: 1 } },
    });
    expect(stale).toMatchObject({ ok: false, code: 409, cause: 'StaleResourceVersion' });
  });

  it('answers 404 for a missing object', () => {
    const { api } = setup();
    expect(
      api.handle({ verb: 'patch', kind: 'Pod', namespace: 'a', name: 'x', patch: {} }),
    ).toMatchObject({
      code: 404,
    });
  });
});
