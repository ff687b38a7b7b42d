import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, virtualClock } from './fixtures.js';
import type { Watch } from './watch.js';

const setup = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  return { api, fn };
};

const drain = (watch: Watch) =>
  watch.queue.toArray().map((e) => `${e.type} ${e.object.metadata?.name}@${e.resourceVersion}`);

const readyPatch = (name: string, ready: boolean) =>
  ({
    verb: 'patch',
    kind: 'Pod',
    namespace: 'a',
    name,
    subresource: 'status',
    patch: { status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } },
  }) as const;

describe('watches', () => {
  it('append every write in order, so per-object order holds', () => {
    const { api, fn } = setup();
    const watch = api.watch('w', { kind: 'Pod', namespace: 'a' });
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
      }),
    );
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p2', 'n1', 0),
      }),
    );
    must(api.handle(readyPatch('p1', true)));
    must(api.handle(readyPatch('p1', false)));
    must(
      api.handle({
        verb: 'delete',
        kind: 'Pod',
        namespace: 'a',
        name: 'p1',
        gracePeriodSeconds: 0,
      }),
    );
    expect(drain(watch)).toEqual([
      'ADDED p1@4',
      'ADDED p2@5',
      'MODIFIED p1@6',
      'MODIFIED p1@7',
      'DELETED p1@8',
    ]);
  });

  it('send ADDED when an object starts matching and DELETED when it stops', () => {
    const { api, fn } = setup();
    const ready = api.watch('ready', {
      kind: 'Pod',
      labelSelector: { matchLabels: { phase: 'ready' } },
    });
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
      }),
    );
    const label = (value: string | null) =>
      must(
        api.handle({
          verb: 'patch',
          kind: 'Pod',
          namespace: 'a',
          name: 'p1',
          patch: { metadata: { labels: { phase: value } } },
        }),
      );
    label('ready');
    label('ready-ish');
    label(null);
    expect(drain(ready)).toEqual(['ADDED p1@5', 'DELETED p1@6']);
    // Leaving the selector carries the previous content at the new resourceVersion.
    const left = ready.queue.toArray()[1];
    expect(left?.object.metadata?.labels?.phase).toBe('ready');
    expect(left?.object.metadata?.resourceVersion).toBe('6');
  });

  it('deliver a pod to its node’s watch when it is bound', () => {
    const { api } = setup();
    const unbound = api.watch('scheduler', { kind: 'Pod', nodeName: '' });
    const node = api.watch('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    const other = api.watch('kubelet/n2', { kind: 'Pod', nodeName: 'n2' });
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: { metadata: { name: 'v', namespace: 'a' }, spec: { containers: [] } },
      }),
    );
    must(api.handle({ verb: 'bind', kind: 'Pod', namespace: 'a', name: 'v', nodeName: 'n1' }));
    expect(drain(unbound)).toEqual(['ADDED v@4', 'DELETED v@5']);
    expect(drain(node)).toEqual(['ADDED v@5']);
    expect(drain(other)).toEqual([]);
  });

  it('share one event object between watches', () => {
    const { api, fn } = setup();
    const a = api.watch('a', { kind: 'Pod' });
    const b = api.watch('b', { kind: 'Pod', namespace: 'a' });
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
      }),
    );
    expect(a.queue.peek()).toBe(b.queue.peek());
  });

  it('stop receiving events once closed', () => {
    const { api, fn } = setup();
    const watch = api.watch('w', { kind: 'Pod' });
    api.closeWatch(watch);
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
      }),
    );
    expect(watch.queue.length).toBe(0);
  });

  it('refuse a spec.nodeName selector on kinds other than pods', () => {
    const { api } = setup();
    expect(() => api.watch('w', { kind: 'Deployment', nodeName: 'n1' })).toThrow(
      /only supported for pods/,
    );
  });
});
