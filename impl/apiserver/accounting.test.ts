import { describe, expect, it } from 'vitest';
import { functionDeployment, materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, virtualClock } from './fixtures.js';
import { jsonSize } from './json-size.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('jsonSize', () => {
  it('equals the UTF-8 length of JSON.stringify for every kind of value', () => {
    const samples: unknown[] = [
      null,
      true,
      false,
      0,
      -1.5e-7,
      Number.NaN,
      '',
      'plain',
      'quote " backslash \\ newline \n tab \t',
      'ünïcødé ✓ 😀',
      [],
      [1, undefined, () => 0, 'x'],
      {},
      { a: undefined, b: 1, f: () => 0, 'k"ey': [null, { d: new Date(5) }] },
      new Date(1_700_000_000_000),
      functionDeployment({ namespace: 'ns', name: 'fn' }),
    ];
    for (const sample of samples) expect(jsonSize(sample)).toBe(bytes(sample));
  });

  it('stays exact when shared parts are reused in new objects', () => {
    const shared = { big: 'x'.repeat(1000), list: [1, 2, 3] };
    expect(jsonSize(shared)).toBe(bytes(shared));
    const parent = { a: shared, b: shared, c: 'new' };
    expect(jsonSize(parent)).toBe(bytes(parent));
  });
});

describe('accounting', () => {
  it('counts requests by verb and kind and by client, with their bytes', () => {
    const api = new ApiServer({ now: virtualClock().now });
    const fn = seedFunction(api, { namespace: 'a', name: 'fn' }, {}, 'setup');
    const object = materialisePod(fn.templatePod, 'p1', 'n1', 0);
    const created = must(api.handle({ verb: 'create', kind: 'Pod', object, client: 'kubelet/n1' }));
    api.handle({ verb: 'create', kind: 'Pod', object, client: 'kubelet/n1' });
    const patch = { status: { phase: 'Running' } };
    const patched = must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name: 'p1',
        subresource: 'status',
        patch,
        client: 'kubelet/n1',
      }),
    );
    const stats = api.stats();
    expect(stats.byVerbKind['create Pod']).toMatchObject({ count: 3, errors: 1 });
    expect(stats.byVerbKind['create Deployment']?.count).toBe(1);
    const kubelet = stats.byClient['kubelet/n1'];
    expect(kubelet?.count).toBe(3);
    expect(kubelet?.errors).toBe(1);
    expect(kubelet?.requestBytes).toBe(2 * bytes(object) + bytes(patch));
    const conflictStatus = kubelet ? kubelet.responseBytes - bytes(created) - bytes(patched) : 0;
    expect(conflictStatus).toBeGreaterThan(100);
    expect(conflictStatus).toBeLessThan(400);
    expect(stats.total.count).toBe(6);
  });

  it('measures a list response as the whole list on the wire', () => {
    const api = new ApiServer({ now: virtualClock().now });
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const response = api.handle({ verb: 'list', kind: 'Pod', client: 'reader' });
    const items = 'items' in response ? response.items : [];
    const wire = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '3' }, items };
    expect(api.stats().byClient.reader?.responseBytes).toBe(bytes(wire));
  });
});
