import { describe, expect, it } from 'vitest';
import { functionDeployment } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { outcomeOf } from './errors.js';
import { must, seedFunction, virtualClock } from './fixtures.js';
import type { ApiRequest } from './types.js';

describe('API outage', () => {
  it('answers every request with 503 ServiceUnavailable and changes nothing', () => {
    const api = new ApiServer({ now: virtualClock().now });
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const watch = api.watch('w', { kind: 'Pod' });
    const before = api.dump();
    api.setAvailable(false);
    const requests: ApiRequest[] = [
      { verb: 'get', kind: 'Deployment', namespace: 'a', name: 'fn' },
      { verb: 'list', kind: 'Pod' },
      {
        verb: 'create',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'a', name: 'g' }),
      },
      {
        verb: 'update',
        kind: 'Deployment',
        object: functionDeployment({ namespace: 'a', name: 'fn' }),
      },
      {
        verb: 'patch',
        kind: 'Deployment',
        namespace: 'a',
        name: 'fn',
        patch: { spec: { replicas: 1 } },
      },
      { verb: 'delete', kind: 'Deployment', namespace: 'a', name: 'fn' },
      { verb: 'bind', kind: 'Pod', namespace: 'a', name: 'x', nodeName: 'n1' },
    ];
    for (const request of requests) {
      const response = api.handle(request);
      expect(response).toMatchObject({ ok: false, code: 503, reason: 'ServiceUnavailable' });
      expect(outcomeOf(response)).toBe('outage');
    }
    expect(api.dump()).toBe(before);
    expect(watch.queue.length).toBe(0);
    expect(api.stats().total.errors).toBe(requests.length);
    api.setAvailable(true);
    expect(api.handle(requests[0] as ApiRequest).ok).toBe(true);
  });

  it('maps responses onto the model’s outcome words', () => {
    const api = new ApiServer({ now: virtualClock().now });
    const object = functionDeployment({ namespace: 'a', name: 'fn' });
    const created = api.handle({ verb: 'create', kind: 'Deployment', object });
    expect(outcomeOf(created)).toBe('ok');
    expect(outcomeOf(api.handle({ verb: 'create', kind: 'Deployment', object }))).toBe(
      'alreadyExists',
    );
    expect(outcomeOf(api.handle({ verb: 'get', kind: 'Pod', namespace: 'a', name: 'x' }))).toBe(
      'notFound',
    );
    const stale = {
      ...must(created),
      metadata: { ...must(created).metadata, resourceVersion: '0' },
    };
    expect(outcomeOf(api.handle({ verb: 'update', kind: 'Deployment', object: stale }))).toBe(
      'conflict',
    );
    const guarded = api.handle({
      verb: 'delete',
      kind: 'Deployment',
      namespace: 'a',
      name: 'fn',
      preconditions: { uid: 'u0' },
    });
    expect(outcomeOf(guarded)).toBe('precondition');
  });
});
