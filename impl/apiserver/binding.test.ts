import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podFromReplicaSet } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, virtualClock } from './fixtures.js';

const setup = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' }, { managed: false });
  const pod = must(
    api.handle({ verb: 'create', kind: 'Pod', object: podFromReplicaSet(fn.replicaSet, 0, 'p1') }),
  );
  const bind = (nodeName: string) =>
    api.handle({
      verb: 'bind',
      kind: 'Pod',
      namespace: 'a',
      name: 'p1',
      nodeName,
      client: 'scheduler',
    });
  return { api, clock, pod, bind };
};

describe('pod binding (pods/binding)', () => {
  it('sets spec.nodeName and the PodScheduled condition', () => {
    const { clock, bind } = setup();
    clock.advance(42);
    const bound = must(bind('n1'));
    expect(bound.spec?.nodeName).toBe('n1');
    expect(bound.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(42) },
    ]);
  });

  it('refuses to bind a pod that is already bound, with 409 Conflict', () => {
    const { api, bind } = setup();
    must(bind('n1'));
    expect(bind('n2')).toMatchObject({
      ok: false,
      code: 409,
      reason: 'Conflict',
      cause: 'AlreadyBound',
    });
    expect(bind('n1')).toMatchObject({ ok: false, cause: 'AlreadyBound' });
    expect(api.lookup('Pod', 'a', 'p1')?.spec?.nodeName).toBe('n1');
  });

  it('refuses to bind a deleting pod and answers 404 for a missing one', () => {
    const { api } = setup();
    // An unbound pod is only kept while deleting if a finalizer holds it.
    const held: V1Pod = {
      metadata: { name: 'held', namespace: 'a', finalizers: ['example.com/hold'] },
      spec: { containers: [] },
    };
    must(api.handle({ verb: 'create', kind: 'Pod', object: held }));
    must(api.handle({ verb: 'delete', kind: 'Pod', namespace: 'a', name: 'held' }));
    expect(
      api.handle({ verb: 'bind', kind: 'Pod', namespace: 'a', name: 'held', nodeName: 'n1' }),
    ).toMatchObject({
      code: 409,
      cause: 'PodDeleting',
    });
    expect(
      api.handle({ verb: 'bind', kind: 'Pod', namespace: 'a', name: 'zz', nodeName: 'n1' }),
    ).toMatchObject({
      code: 404,
    });
  });

  it('refuses a binding for another incarnation of the pod (uid)', () => {
    const { api } = setup();
    const response = api.handle({
      verb: 'bind',
      kind: 'Pod',
      namespace: 'a',
      name: 'p1',
      nodeName: 'n1',
      uid: 'u1',
    });
    expect(response).toMatchObject({ ok: false, cause: 'UidPrecondition' });
  });

  it('does not let an update move a pod to another node', () => {
    const { api, pod } = setup();
    const moved: V1Pod = {
      ...pod,
      spec: { ...(pod.spec as NonNullable<V1Pod['spec']>), nodeName: 'n9' },
    };
    expect(api.handle({ verb: 'update', kind: 'Pod', object: moved })).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
  });
});
