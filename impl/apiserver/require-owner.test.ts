import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { outcomeOf } from './errors.js';
import { must, seedFunction, virtualClock } from './fixtures.js';

const setup = () => {
  const api = new ApiServer({ now: virtualClock().now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  const expose = (name: string) =>
    api.handle({
      verb: 'create',
      kind: 'Pod',
      object: materialisePod(fn.templatePod, name, 'n1', 0),
      requireOwner: true,
      client: 'kubelet/n1',
    });
  return { api, fn, expose };
};

describe('guarded expose (requireOwner)', () => {
  it('creates the pod while its ReplicaSet exists', () => {
    const { expose } = setup();
    expect(expose('p1').ok).toBe(true);
  });

  it('refuses the pod once its ReplicaSet is gone, with a clear error', () => {
    const { api, fn, expose } = setup();
    must(
      api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: fn.replicaSet.metadata.name,
      }),
    );
    const refused = expose('p1');
    expect(refused).toMatchObject({
      ok: false,
      code: 403,
      reason: 'Forbidden',
      cause: 'OwnerMissing',
    });
    expect(refused.ok ? '' : refused.message).toContain(fn.replicaSet.metadata.name);
    expect(outcomeOf(refused)).toBe('precondition');
    expect(api.lookup('Pod', 'a', 'p1')).toBeUndefined();
  });

  it('refuses the pod while its ReplicaSet is being deleted', () => {
    const { api, fn, expose } = setup();
    must(
      api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: fn.replicaSet.metadata.name,
        propagationPolicy: 'Foreground',
      }),
    );
    expect(expose('p1')).toMatchObject({ ok: false, cause: 'OwnerDeleting' });
  });

  it('refuses a pod without an owner reference', () => {
    const { api } = setup();
    const orphan = api.handle({
      verb: 'create',
      kind: 'Pod',
      object: { metadata: { name: 'o', namespace: 'a' }, spec: { containers: [] } },
      requireOwner: true,
    });
    expect(orphan).toMatchObject({ ok: false, cause: 'OwnerMissing' });
  });
});
