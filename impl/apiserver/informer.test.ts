import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, virtualClock } from './fixtures.js';
import type { InformerEvent } from './informer.js';

const setup = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  const expose = (name: string) =>
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, name, 'n1', 0),
      }),
    );
  const setReady = (name: string, status: string) =>
    must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name,
        subresource: 'status',
        patch: { status: { conditions: [{ type: 'Ready', status }] } },
      }),
    );
  const remove = (name: string) =>
    must(api.handle({ verb: 'delete', kind: 'Pod', namespace: 'a', name, gracePeriodSeconds: 0 }));
  return { api, fn, expose, setReady, remove };
};

const describeEvent = (e: InformerEvent | undefined) =>
  e &&
  `${e.type}${e.tombstone ? ' (tombstone)' : ''} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`;

describe('informers', () => {
  it('start with the initial list as ADDED events', () => {
    const { api, fn } = setup();
    const informer = api.informer('replicaset', { kind: 'Pod' });
    expect(informer.hasListed).toBe(true);
    expect(informer.size).toBe(0);
    expect(informer.deliverAll().map(describeEvent)).toEqual([
      `ADDED ${fn.templatePod.metadata.name}@3`,
    ]);
    expect(informer.size).toBe(1);
  });

  it('lag: the cache holds the last delivered version until the runtime delivers the next', () => {
    const { api, expose, setReady } = setup();
    const fast = api.informer('scheduler', { kind: 'Pod', nodeName: 'n1' });
    const slow = api.informer('replicaset', { kind: 'Pod', nodeName: 'n1' });
    expose('p1');
    setReady('p1', 'True');
    fast.deliverAll();
    expect(fast.get('a/p1')?.status?.conditions?.[0]?.status).toBe('True');
    expect(slow.get('a/p1')).toBeUndefined();
    expect(slow.pending).toBe(2);
    const first = slow.deliverNext();
    expect(first?.type).toBe('ADDED');
    expect(slow.get('a/p1')?.status?.conditions).toBeUndefined();
    const second = slow.deliverNext();
    expect(second?.previous).toBe(first?.object);
    expect(slow.get('a/p1')).toBe(fast.get('a/p1'));
  });

  it('relist coalesces intermediate versions and emits tombstones for vanished objects', () => {
    const { api, expose, setReady, remove } = setup();
    const informer = api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    expose('p1');
    expose('p2');
    informer.deliverAll();
    setReady('p1', 'False');
    setReady('p1', 'True');
    remove('p2');
    expose('p3');
    expose('p4');
    remove('p4');
    expect(informer.pending).toBe(6);
    expect(informer.relist()).toBeUndefined();
    const events = informer.deliverAll();
    expect(events.map(describeEvent)).toEqual([
      'MODIFIED p1@7',
      'ADDED p3@9',
      'DELETED (tombstone) p2@5',
    ]);
    expect(events[2]?.previous?.metadata?.name).toBe('p2');
    expect(informer.keys()).toEqual(['a/p1', 'a/p3']);
  });

  it('relist emits nothing for objects the cache already holds at the listed version', () => {
    const { api, expose } = setup();
    const informer = api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    expose('p1');
    informer.deliverAll();
    informer.relist();
    expect(informer.pending).toBe(0);
  });

  it('cannot relist during an outage and keeps its queue', () => {
    const { api, expose } = setup();
    const informer = api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    expose('p1');
    api.setAvailable(false);
    expect(informer.relist()).toMatchObject({ code: 503 });
    expect(informer.pending).toBe(1);
  });

  it('accounts its list to its own name and the watch bytes it delivered', () => {
    const { api, expose } = setup();
    const informer = api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    const pod = expose('p1');
    informer.deliverAll();
    const stats = api.stats();
    expect(stats.byClient['kubelet/n1']?.count).toBe(1);
    const expected = JSON.stringify({ type: 'ADDED', object: pod }).length;
    expect(stats.watch['kubelet/n1']).toEqual({ events: 1, bytes: expected });
  });

  it('stop receiving events once closed', () => {
    const { api, expose } = setup();
    const informer = api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' });
    informer.close();
    expose('p1');
    expect(informer.pending).toBe(0);
  });

  it('expire when they lag beyond their queue capacity, and recover by relisting', () => {
    const { api, expose } = setup();
    const informer = api.informer(
      'kubelet/n1',
      { kind: 'Pod', nodeName: 'n1' },
      { queueCapacity: 2 },
    );
    expose('p1');
    expose('p2');
    expect(informer.expired).toBe(false);
    expose('p3');
    expect(informer.expired).toBe(true);
    expect(informer.pending).toBe(0);
    expose('p4');
    expect(informer.pending).toBe(0);
    informer.relist();
    expect(informer.expired).toBe(false);
    // The relist's own events do not count against the capacity.
    expose('p5');
    expect(informer.expired).toBe(false);
    expect(informer.deliverAll().map(describeEvent)).toEqual([
      'ADDED p1@4',
      'ADDED p2@5',
      'ADDED p3@6',
      'ADDED p4@7',
      'ADDED p5@8',
    ]);
  });
});
