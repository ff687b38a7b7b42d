import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiServer } from './api-server.js';
import { must, virtualClock } from './fixtures.js';

const lease = (transitions: unknown, resourceVersion?: string): V1Lease =>
  ({
    metadata: {
      namespace: 'kube-system',
      name: 'kd-deployment',
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: 'deployment', leaseTransitions: transitions },
  }) as V1Lease;

const setup = () => new ApiServer({ now: virtualClock().now, freezeObjects: true });

describe('Lease (coordination.k8s.io/v1)', () => {
  it('is created, read and listed like any namespaced kind', () => {
    const api = setup();
    const created = must(api.handle({ verb: 'create', kind: 'Lease', object: lease(0) }));
    expect(created.apiVersion).toBe('coordination.k8s.io/v1');
    expect(created.kind).toBe('Lease');
    expect(created.metadata?.uid).toBeDefined();
    expect((created as { status?: unknown }).status).toBeUndefined();
    const read = must(
      api.handle({ verb: 'get', kind: 'Lease', namespace: 'kube-system', name: 'kd-deployment' }),
    );
    expect(read.spec?.leaseTransitions).toBe(0);
    expect(api.count('Lease')).toBe(1);
  });

  it('an update with the current resourceVersion takes it; a stale one is a Conflict', () => {
    const api = setup();
    const first = must(api.handle({ verb: 'create', kind: 'Lease', object: lease(0) }));
    const rv = first.metadata?.resourceVersion ?? '';
    const taken = must(api.handle({ verb: 'update', kind: 'Lease', object: lease(1, rv) }));
    expect(taken.spec?.leaseTransitions).toBe(1);
    // A second process that read the same version loses the race.
    const late = api.handle({ verb: 'update', kind: 'Lease', object: lease(1, rv) });
    expect(late.ok).toBe(false);
    expect(!late.ok && late.cause).toBe('StaleResourceVersion');
  });

  it('a second create is AlreadyExists (two first starts cannot both take it)', () => {
    const api = setup();
    must(api.handle({ verb: 'create', kind: 'Lease', object: lease(1) }));
    const again = api.handle({ verb: 'create', kind: 'Lease', object: lease(1) });
    expect(!again.ok && again.cause).toBe('AlreadyExists');
  });

  it('refuses invalid leaseTransitions on create and on update, with a clear error', () => {
    const api = setup();
    const bad = api.handle({ verb: 'create', kind: 'Lease', object: lease(-1) });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain('spec.leaseTransitions');
    const made = must(api.handle({ verb: 'create', kind: 'Lease', object: lease(0) }));
    const rv = made.metadata?.resourceVersion ?? '';
    const update = api.handle({ verb: 'update', kind: 'Lease', object: lease(1.5, rv) });
    expect(!update.ok && update.cause).toBe('Invalid');
  });

  it('is refused during an outage, as every request is', () => {
    const api = setup();
    api.setAvailable(false);
    const refused = api.handle({ verb: 'create', kind: 'Lease', object: lease(0) });
    expect(!refused.ok && refused.cause).toBe('Unavailable');
  });
});
